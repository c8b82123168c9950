#include "diagnose/interfaces.h"

#include "tests/unit/diagnose/diagnose_test_util.h"

namespace tandem::diagnose {
namespace {

using namespace testing;

TEST(DiagnoseInterfaces, HealthyInterfaceIsOk) {
  const auto findings = checkInterfaces(planOf(kPairConfig), healthyHost());
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::Ok);
  EXPECT_EQ(findings[0].subject, "interface eth0 (VI_1)");
}

TEST(DiagnoseInterfaces, MissingInterfaceFails) {
  auto host = healthyHost();
  host.erase("eth0");
  const auto findings = checkInterfaces(planOf(kPairConfig), host);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::Fail);
  EXPECT_EQ(findings[0].reason, "does not exist");
}

TEST(DiagnoseInterfaces, DownOrWithoutCarrierFails) {
  auto host = healthyHost();
  host["eth0"].adminUp = false;
  auto findings = checkInterfaces(planOf(kPairConfig), host);
  EXPECT_EQ(findings.at(0).severity, Severity::Fail);
  EXPECT_EQ(findings[0].fix, "ip link set eth0 up");
  host["eth0"].adminUp = true;
  host["eth0"].running = false;
  findings = checkInterfaces(planOf(kPairConfig), host);
  EXPECT_EQ(findings.at(0).severity, Severity::Fail);
  EXPECT_TRUE(mentions(findings[0], "no carrier"));
}

TEST(DiagnoseInterfaces, Ipv4InstanceNeedsAnIpv4AddressOtherThanTheVips) {
  auto host = healthyHost();
  host["eth0"].addresses = {{ip("192.0.2.100"), 24}, {ip("fe80::1"), 64}};  // only the VIP
  const auto findings = checkInterfaces(planOf(kPairConfig), host);
  EXPECT_EQ(findings.at(0).severity, Severity::Fail);
  EXPECT_TRUE(mentions(findings[0], "no IPv4 address"));
}

TEST(DiagnoseInterfaces, Ipv6InstanceNeedsALinkLocalAddress) {
  const Plan plan = planOf(R"(
vrrp_instance V6 {
  interface eth0
  virtual_router_id 7
  virtual_ipaddress {
    2001:db8::100/64
  }
}
)");
  auto host = healthyHost();
  EXPECT_EQ(checkInterfaces(plan, host).at(0).severity, Severity::Ok);
  host["eth0"].addresses = {{ip("192.0.2.11"), 24}, {ip("2001:db8::11"), 64}};
  const auto findings = checkInterfaces(plan, host);
  EXPECT_EQ(findings.at(0).severity, Severity::Fail);
  EXPECT_TRUE(mentions(findings[0], "link-local"));
}

TEST(DiagnoseInterfaces, ConfiguredSourceAddressMustBeOnTheInterface) {
  const Plan plan = planOf(R"(
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  unicast_src_ip 192.0.2.99
  unicast_peer {
    192.0.2.12
  }
  virtual_ipaddress {
    192.0.2.100
  }
}
)");
  const auto findings = checkInterfaces(plan, healthyHost());
  EXPECT_EQ(findings.at(0).severity, Severity::Fail);
  EXPECT_TRUE(mentions(findings[0], "192.0.2.99"));
}

TEST(DiagnoseInterfaces, VipDeviceMustExist) {
  const Plan plan = planOf(R"(
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  virtual_ipaddress {
    192.0.2.100 dev eth7
  }
}
)");
  const auto findings = checkInterfaces(plan, healthyHost());
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[1].severity, Severity::Fail);
  EXPECT_EQ(findings[1].subject, "interface eth7 (VI_1 VIP 192.0.2.100)");
}

TEST(DiagnoseInterfaces, OnLinkUsesThePrefixes) {
  const auto host = healthyHost();
  EXPECT_TRUE(onLink(host.at("eth0"), ip("192.0.2.200")));
  EXPECT_FALSE(onLink(host.at("eth0"), ip("198.51.100.1")));
  EXPECT_TRUE(isIpv6LinkLocal(ip("fe80::1")));
  EXPECT_FALSE(isIpv6LinkLocal(ip("2001:db8::1")));
}

TEST(DiagnoseFinding, FormatsOneLinePerFindingAndJson) {
  EXPECT_EQ(formatLine(fail("interface eth9 (VI_1)", "does not exist", "ip link show")),
            "FAIL  interface eth9 (VI_1): does not exist  (fix: ip link show)");
  EXPECT_EQ(formatLine(ok("ipvs", "loaded")), "OK    ipvs: loaded");
  const auto json = toJson({ok("a", "b"), warn("c", "d", "e")});
  EXPECT_EQ(json["findings"].size(), 2u);
  EXPECT_EQ(json["findings"][1]["severity"], "WARN");
  EXPECT_EQ(json["failed"], false);
}

}  // namespace
}  // namespace tandem::diagnose
