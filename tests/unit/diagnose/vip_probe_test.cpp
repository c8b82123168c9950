#include "diagnose/vip_probe.h"

#include "tests/unit/diagnose/diagnose_test_util.h"

namespace tandem::diagnose {
namespace {

using namespace testing;

const vrrp::MacAddress kOurs{0x02, 0, 0, 0, 0, 0x0b};
const vrrp::MacAddress kOther{0x02, 0, 0, 0, 0, 0x2a};

std::vector<std::uint8_t> arpReply(const vrrp::MacAddress& from, const char* sender) {
  std::vector<std::uint8_t> f(42, 0);
  std::copy(kOurs.begin(), kOurs.end(), f.begin());
  std::copy(from.begin(), from.end(), f.begin() + 6);
  const std::uint8_t head[] = {0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x02};
  std::copy(std::begin(head), std::end(head), f.begin() + 12);
  std::copy(from.begin(), from.end(), f.begin() + 22);
  const auto s = ip(sender);
  std::copy(s.bytes().begin(), s.bytes().end(), f.begin() + 28);
  std::copy(kOurs.begin(), kOurs.end(), f.begin() + 32);
  return f;
}

TEST(DiagnoseVips, ProbeFrameIsAnArpRequestFromZero) {
  const auto f = buildArpProbe(kOurs, ip("192.0.2.100"));
  const std::vector<std::uint8_t> expected = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x0b, 0x08, 0x06,  // Ethernet
      0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,                               // ARP request
      0x02, 0, 0, 0, 0, 0x0b, 0, 0, 0, 0,                                     // sender: our MAC, 0.0.0.0
      0, 0, 0, 0, 0, 0, 192, 0, 2, 100};                                      // target: the VIP
  EXPECT_EQ(f, expected);
}

TEST(DiagnoseVips, ClaimsComeFromOtherMacsWithTheVipAsSender) {
  EXPECT_EQ(arpClaim(arpReply(kOther, "192.0.2.100"), ip("192.0.2.100"), kOurs), kOther);
  EXPECT_FALSE(arpClaim(arpReply(kOther, "192.0.2.101"), ip("192.0.2.100"), kOurs));
  EXPECT_FALSE(arpClaim(arpReply(kOurs, "192.0.2.100"), ip("192.0.2.100"), kOurs));
  EXPECT_FALSE(arpClaim(buildArpProbe(kOther, ip("192.0.2.100")), ip("192.0.2.100"), kOurs));  // a probe claims nothing
}

TEST(DiagnoseVips, VipAnsweredByAHostThatIsNotTheMasterFails) {
  const Plan plan = planOf(kPairConfig);
  const auto host = healthyHost();
  const auto targets = probeTargets(plan, host, {});
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0].vip, ip("192.0.2.100"));
  EXPECT_EQ(targets[0].mac, kOurs);
  auto findings = checkVips(plan, host, {}, {{targets[0], kOther, ""}});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::Fail);
  EXPECT_TRUE(mentions(findings[0], "02:00:00:00:00:2a"));
  findings = checkVips(plan, host, {}, {{targets[0], std::nullopt, ""}});
  EXPECT_EQ(findings.at(0).severity, Severity::Ok);
}

TEST(DiagnoseVips, VipHeldByTheMasterHeardIsOk) {
  const Plan plan = planOf(kPairConfig);
  const auto host = healthyHost();
  HeardRouters routers;
  HeardRouter master;
  master.interface = "eth0";
  master.source = ip("192.0.2.12");
  master.advert.vrid = 51;
  routers.routers.push_back(master);
  const auto targets = probeTargets(plan, host, routers);
  ASSERT_EQ(targets.size(), 2u);  // the VIP and the master's own address
  EXPECT_TRUE(targets[1].instance.empty());
  const auto findings = checkVips(plan, host, routers, {{targets[0], kOther, ""}, {targets[1], kOther, ""}});
  EXPECT_EQ(findings.at(0).severity, Severity::Ok);
  EXPECT_TRUE(mentions(findings[0], "held by the MASTER 192.0.2.12"));
  // The VRID's virtual MAC (use_vmac) is the master's too.
  const vrrp::MacAddress vmac{0x00, 0x00, 0x5e, 0x00, 0x01, 51};
  EXPECT_EQ(checkVips(plan, host, routers, {{targets[0], vmac, ""}}).at(0).severity, Severity::Ok);
  // A third host answering while a master is heard: not the master's MAC.
  const vrrp::MacAddress third{0x02, 0, 0, 0, 0, 0x77};
  const auto stale = checkVips(plan, host, routers, {{targets[0], third, ""}, {targets[1], kOther, ""}});
  EXPECT_EQ(stale.at(0).severity, Severity::Fail);
  EXPECT_TRUE(mentions(stale[0], "is not the MASTER heard for VRID 51"));
}

TEST(DiagnoseVips, HeldLocallyIsMasterAndIsNotProbed) {
  const Plan plan = planOf(kPairConfig);
  auto host = healthyHost();
  host["eth0"].addresses.push_back({ip("192.0.2.100"), 24});
  EXPECT_TRUE(probeTargets(plan, host, {}).empty());
  const auto findings = checkVips(plan, host, {}, {});
  EXPECT_EQ(findings.at(0).severity, Severity::Ok);
  EXPECT_TRUE(mentions(findings[0], "held by this host"));
}

}  // namespace
}  // namespace tandem::diagnose
