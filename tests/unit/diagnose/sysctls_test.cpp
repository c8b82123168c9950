#include "diagnose/sysctls.h"

#include "tests/unit/diagnose/diagnose_test_util.h"

namespace tandem::diagnose {
namespace {

using namespace testing;

const char* kNatDirector = R"(
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  virtual_ipaddress {
    192.0.2.100
  }
}
virtual_server 192.0.2.100 80 {
  lvs_method NAT
  protocol TCP
  real_server 10.1.0.1 80 {
  }
}
)";

const char* kDrDirector = R"(
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  virtual_ipaddress {
    192.0.2.100
  }
}
virtual_server 192.0.2.100 80 {
  lvs_method DR
  protocol TCP
  persistence_timeout 60
  real_server 192.0.2.21 80 {
  }
}
)";

SysctlMap defaults() {
  SysctlMap m;
  for (const char* i : {"all", "eth0", "lo"})
    for (const char* s : {"arp_ignore", "arp_announce", "rp_filter"}) m[std::string("net.ipv4.conf.") + i + "." + s] = "0";
  m["net.ipv4.ip_forward"] = "0";
  m["net.ipv4.vs.expire_nodest_conn"] = "0";
  m["net.ipv4.vs.expire_quiescent_template"] = "0";
  return m;
}

Finding about(const std::vector<Finding>& findings, const std::string& subject) {
  for (const auto& f : findings)
    if (f.subject.find(subject) != std::string::npos) return f;
  ADD_FAILURE() << "no finding about " << subject;
  return {};
}

TEST(DiagnoseSysctls, WantedKeysCoverTheInstanceInterfaces) {
  const auto keys = wantedSysctls(planOf(kPairConfig));
  EXPECT_NE(std::find(keys.begin(), keys.end(), "net.ipv4.conf.eth0.rp_filter"), keys.end());
  EXPECT_NE(std::find(keys.begin(), keys.end(), "net.ipv4.conf.all.arp_ignore"), keys.end());
  EXPECT_NE(std::find(keys.begin(), keys.end(), "net.ipv4.ip_forward"), keys.end());
}

TEST(DiagnoseSysctls, NatDirectorWithoutForwardingFails) {
  KernelFacts facts{defaults(), true};
  auto findings = checkSysctls(planOf(kNatDirector), healthyHost(), facts);
  const Finding f = about(findings, "net.ipv4.ip_forward");
  EXPECT_EQ(f.severity, Severity::Fail);
  EXPECT_EQ(f.fix, "sysctl -w net.ipv4.ip_forward=1");
  facts.sysctls["net.ipv4.ip_forward"] = "1";
  EXPECT_EQ(about(checkSysctls(planOf(kNatDirector), healthyHost(), facts), "net.ipv4.ip_forward").severity, Severity::Ok);
  // No forwarding check for a VRRP-only or DR configuration.
  for (const auto& f2 : checkSysctls(planOf(kPairConfig), healthyHost(), {defaults(), false}))
    EXPECT_EQ(f2.subject.find("ip_forward"), std::string::npos);
}

TEST(DiagnoseSysctls, DrArpSuppressionUsesTheLargerOfAllAndTheInterface) {
  KernelFacts facts{defaults(), true};
  auto f = about(checkSysctls(planOf(kDrDirector), healthyHost(), facts), "sysctl arp on eth0");
  EXPECT_EQ(f.severity, Severity::Warn);  // a plain director: only a warning
  facts.sysctls["net.ipv4.conf.all.arp_ignore"] = "1";
  facts.sysctls["net.ipv4.conf.eth0.arp_announce"] = "2";
  f = about(checkSysctls(planOf(kDrDirector), healthyHost(), facts), "sysctl arp on eth0");
  EXPECT_EQ(f.severity, Severity::Ok);
}

TEST(DiagnoseSysctls, DrVipOnLoopbackWithoutArpSuppressionFails) {
  auto host = healthyHost();
  host["lo"].addresses.push_back({ip("192.0.2.100"), 32});
  const auto f = about(checkSysctls(planOf(kDrDirector), host, {defaults(), true}), "sysctl arp on eth0");
  EXPECT_EQ(f.severity, Severity::Fail);
  EXPECT_TRUE(mentions(f, "VIP on lo"));
}

TEST(DiagnoseSysctls, StrictRpFilterWarnsForOffLinkUnicastPeers) {
  const Plan plan = planOf(R"(
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  unicast_peer {
    198.51.100.7
  }
  virtual_ipaddress {
    192.0.2.100
  }
}
)");
  KernelFacts facts{defaults(), false};
  facts.sysctls["net.ipv4.conf.all.rp_filter"] = "1";
  auto f = about(checkSysctls(plan, healthyHost(), facts), "rp_filter");
  EXPECT_EQ(f.severity, Severity::Warn);
  EXPECT_TRUE(mentions(f, "198.51.100.7"));
  EXPECT_EQ(about(checkSysctls(planOf(kPairConfig), healthyHost(), facts), "rp_filter").severity, Severity::Ok);
  facts.sysctls["net.ipv4.conf.all.rp_filter"] = "2";
  EXPECT_EQ(about(checkSysctls(plan, healthyHost(), facts), "rp_filter").severity, Severity::Ok);
}

TEST(DiagnoseSysctls, IpvsMustBeLoadedForVirtualServersAndItsKnobsAreChecked) {
  EXPECT_EQ(about(checkSysctls(planOf(kDrDirector), healthyHost(), {defaults(), false}), "ipvs").severity, Severity::Fail);
  const auto loaded = checkSysctls(planOf(kDrDirector), healthyHost(), {defaults(), true});
  EXPECT_EQ(about(loaded, "ipvs").severity, Severity::Ok);
  EXPECT_EQ(about(loaded, "expire_nodest_conn").severity, Severity::Warn);
  EXPECT_EQ(about(loaded, "expire_quiescent_template").severity, Severity::Warn);  // persistence is on
  for (const auto& f : checkSysctls(planOf(kPairConfig), healthyHost(), {defaults(), false}))
    EXPECT_NE(f.subject, "ipvs");
}

TEST(DiagnosePlan, RolesFromTheLvsSection) {
  const Plan nat = planOf(kNatDirector), dr = planOf(kDrDirector), none = planOf(kPairConfig);
  EXPECT_TRUE(nat.lvs.nat);
  EXPECT_FALSE(nat.lvs.directRouting);
  EXPECT_TRUE(dr.lvs.directRouting);
  EXPECT_TRUE(dr.lvs.persistence);
  EXPECT_FALSE(none.lvs.virtualServers);
  ASSERT_EQ(dr.lvs.serviceAddresses.size(), 1u);
  EXPECT_EQ(dr.lvs.serviceAddresses[0], ip("192.0.2.100"));
}

}  // namespace
}  // namespace tandem::diagnose
