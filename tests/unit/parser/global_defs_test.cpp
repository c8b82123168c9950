#include <gtest/gtest.h>

#include <sstream>

#include "tests/unit/parser/config_test_util.h"

namespace tandem::config {
namespace {
using testing::errors;
using testing::messages;
using testing::parse;

TEST(GlobalDefs, DefaultsAreKeepalivedsWhenEmpty) {
  auto c = parse("global_defs {\n}\n");
  EXPECT_TRUE(messages(c).empty());
  EXPECT_EQ(c.config.global.vrrp_mcast_group4, "224.0.0.18");
  EXPECT_EQ(c.config.global.vrrp_version, 2);
  EXPECT_EQ(c.config.global.vrrp_garp_master_delay, 5);
}

TEST(GlobalDefs, TypedValuesAndListBlock) {
  auto c = parse("global_defs {\n router_id LVS_A\n notification_email {\n  a@x\n  b@x\n }\n"
                 " smtp_server 10.0.0.9 2525\n vrrp_version 3\n lvs_timeouts tcp 900 tcpfin 30 udp 60\n"
                 " lvs_sync_daemon eth0 VI_1 id 7 group 224.0.0.81\n}\n"
                 "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  192.0.2.1\n }\n}\n");
  ASSERT_TRUE(errors(c).empty()) << messages(c)[0];
  const GlobalDefs& g = c.config.global;
  EXPECT_EQ(g.router_id, "LVS_A");
  EXPECT_EQ(g.notification_email, (std::vector<std::string>{"a@x", "b@x"}));
  EXPECT_EQ(g.smtp_server->port, 2525);
  EXPECT_EQ(g.vrrp_version, 3);
  EXPECT_EQ(*g.lvs_timeouts->tcpfin, 30);
  EXPECT_EQ(*g.lvs_sync_daemon->syncId, 7);
  EXPECT_EQ(g.meta.locationOf("vrrp_version").line, 8);
}

TEST(GlobalDefs, OutOfRangeAndBadValuesAreErrorsAtTheirLine) {
  auto c = parse("global_defs {\n vrrp_version 4\n vrrp_mcast_group4 10.0.0.1\n smtp_connect_timeout x\n}\n");
  EXPECT_EQ(errors(c), (std::vector<std::string>{
                           "t.conf:2: error: 'vrrp_version' 4 is out of range 2..3",
                           "t.conf:3: error: 'vrrp_mcast_group4': '10.0.0.1' is not a multicast address",
                           "t.conf:4: error: 'smtp_connect_timeout': 'x' is not a whole number"}));
}

TEST(GlobalDefs, UnknownKeywordSuggestsTheClosestOne) {
  auto c = parse("global_defs {\n  router_idd X\n}\n");
  EXPECT_EQ(errors(c), std::vector<std::string>{
                           "t.conf:2: error: unknown keyword 'router_idd' in global_defs; did you mean 'router_id'?"});
}

TEST(GlobalDefs, KeptAndDeprecatedKeywordsWarn) {
  auto c = parse("global_defs {\n enable_traps\n lvs_flush_onstop\n}\n");
  EXPECT_TRUE(errors(c).empty());
  EXPECT_EQ(messages(c), (std::vector<std::string>{
                             "t.conf:2: warning: 'enable_traps' is recognised but not acted on by Tandem yet",
                             "t.conf:3: warning: 'lvs_flush_onstop' is deprecated; use 'lvs_flush_on_stop'"}));
  EXPECT_TRUE(c.config.global.lvs_flush_on_stop);
}

TEST(GlobalDefs, RepeatedKeywordWarnsAboutTheOverride) {
  auto c = parse("global_defs {\n router_id A\n router_id B\n}\n");
  EXPECT_EQ(messages(c), std::vector<std::string>{
                             "t.conf:3: warning: 'router_id' set again in global_defs; this overrides line 2"});
  EXPECT_EQ(c.config.global.router_id, "B");
}

TEST(GlobalDefs, DumpsBackToKeepalivedSyntaxThatReadsTheSame) {
  auto c = parse("global_defs {\n router_id \"my id\"\n enable_traps\n}\n");
  std::ostringstream text;
  TextDumpWriter w(text);
  topLevelSchema().write(c.config, w);
  auto again = parse(text.str());
  EXPECT_TRUE(errors(again).empty());
  EXPECT_EQ(again.config.global.router_id, "my id");
  EXPECT_NE(text.str().find("router_id \"my id\""), std::string::npos);
  EXPECT_NE(text.str().find("enable_traps"), std::string::npos);
}

}  // namespace
}  // namespace tandem::config
