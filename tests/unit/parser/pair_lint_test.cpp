#include <gtest/gtest.h>

#include "parser/pair_lint.h"
#include "tests/unit/parser/config_test_util.h"

namespace tandem::config {
namespace {

// A director of a DR pair; the parameters are what a test varies between the two sides.
struct Side {
  std::string routerId = "lb-a";
  std::string state = "MASTER";
  int priority = 150;
  int vrid = 51;
  std::string advert = "1";
  std::string vips = "192.0.2.100/24\n    192.0.2.101/24";
  std::string auth = "authentication {\n    auth_type PASS\n    auth_pass s3cret\n  }";
  std::string unicast;
  std::string realServers = "real_server 198.51.100.11 80 {\n    weight 1\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }";
  std::string extraInstance;

  std::string text() const {
    return "global_defs {\n  router_id " + routerId + "\n}\n" +
           "vrrp_instance VI_1 {\n  state " + state + "\n  interface eth0\n  virtual_router_id " + std::to_string(vrid) +
           "\n  priority " + std::to_string(priority) + "\n  advert_int " + advert + "\n  " + auth + "\n  " + unicast +
           "\n  virtual_ipaddress {\n    " + vips + "\n  }\n}\n" + extraInstance +
           "virtual_server 192.0.2.100 80 {\n  delay_loop 6\n  lvs_sched wlc\n  lvs_method DR\n  protocol TCP\n  " +
           realServers + "\n}\n";
  }
};

Side backupOf(Side s) {
  s.routerId = "lb-b";
  s.state = "BACKUP";
  s.priority = 100;
  return s;
}

std::vector<std::string> problems(const Side& a, const Side& b) {
  auto left = testing::parse(a.text());
  auto right = testing::parse(b.text());
  EXPECT_TRUE(testing::errors(left).empty()) << testing::errors(left)[0];
  EXPECT_TRUE(testing::errors(right).empty()) << testing::errors(right)[0];
  std::vector<std::string> out;
  for (const auto& p : checkPair(left.config, right.config)) out.push_back(p.format());
  return out;
}

TEST(PairLint, AConsistentPairIsQuietAboutWhatIsMeantToDiffer) {
  Side a;
  EXPECT_EQ(problems(a, backupOf(a)), std::vector<std::string>{});
}

TEST(PairLint, DifferentVridIsReportedWithBothPlaces) {
  Side a;
  Side b = backupOf(a);
  b.vrid = 52;
  auto p = problems(a, b);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "t.conf:7: error: vrrp_instance VI_1: 'virtual_router_id' is 51 here but 52 in t.conf:7");
}

TEST(PairLint, VipListAdvertIntervalAndAuthentication) {
  Side a;
  Side b = backupOf(a);
  b.vips = "192.0.2.100/24\n    192.0.2.102/24";
  b.advert = "2";
  b.auth = "authentication {\n    auth_type PASS\n    auth_pass other\n  }";
  auto p = problems(a, b);
  ASSERT_EQ(p.size(), 3u) << ::testing::PrintToString(p);
  EXPECT_NE(p[0].find("'advert_int' is 1 here but 2"), std::string::npos) << p[0];
  EXPECT_NE(p[1].find("only here: 192.0.2.101/24; only there: 192.0.2.102/24"), std::string::npos) << p[1];
  EXPECT_NE(p[2].find("'auth_pass'"), std::string::npos) << p[2];
}

TEST(PairLint, AuthenticationOnOneSideOnly) {
  Side a;
  Side b = backupOf(a);
  b.auth = "";
  auto p = problems(a, b);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("authentication is set here but not in"), std::string::npos) << p[0];
}

TEST(PairLint, BothMasterWithEqualPriority) {
  Side a;
  Side b = a;
  b.routerId = "lb-b";
  auto p = problems(a, b);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("both directors start as MASTER with priority 150"), std::string::npos) << p[0];
}

TEST(PairLint, InstanceOnOneSideOnly) {
  Side a;
  a.extraInstance = "vrrp_instance VI_2 {\n  interface eth0\n  virtual_router_id 60\n  virtual_ipaddress {\n    192.0.2.200\n  }\n}\n";
  auto p = problems(a, backupOf(Side{}));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("vrrp_instance VI_2 exists only on this director"), std::string::npos) << p[0];
}

TEST(PairLint, UnicastPeersMustNameEachOther) {
  Side a;
  a.unicast = "unicast_src_ip 192.0.2.1\n  unicast_peer {\n    192.0.2.2\n  }";
  Side b = backupOf(a);
  b.unicast = "unicast_src_ip 192.0.2.3\n  unicast_peer {\n    192.0.2.1\n  }";
  auto p = problems(a, b);
  ASSERT_EQ(p.size(), 1u) << ::testing::PrintToString(p);
  EXPECT_NE(p[0].find("unicast_peer does not list the peer's unicast_src_ip 192.0.2.3"), std::string::npos) << p[0];
  Side c = backupOf(a);
  c.unicast = "";
  auto q = problems(a, c);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_NE(q[0].find("unicast here but multicast"), std::string::npos) << q[0];
}

TEST(PairLint, RealServersThatDiffer) {
  Side a;
  Side b = backupOf(a);
  b.realServers = "real_server 198.51.100.11 80 {\n    weight 2\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n"
                  "  real_server 198.51.100.12 80 {\n    weight 1\n  }";
  auto p = problems(a, b);
  ASSERT_EQ(p.size(), 2u) << ::testing::PrintToString(p);
  EXPECT_NE(p[0].find("'weight' is 1 here but 2"), std::string::npos) << p[0];
  EXPECT_NE(p[1].find("real_server 198.51.100.12 80' exists only on this director"), std::string::npos) << p[1];
}

}  // namespace
}  // namespace tandem::config
