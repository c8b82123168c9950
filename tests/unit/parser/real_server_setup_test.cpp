#include <gtest/gtest.h>

#include <sstream>

#include "parser/dump_writer.h"
#include "parser/model.h"
#include "tests/unit/parser/config_test_util.h"

namespace tandem::config {
namespace {
using testing::errors;
using testing::messages;
using testing::parse;

TEST(RealServerSetupBlock, AbsentByDefaultWithArpSuppressionOnAndKeepOff) {
  auto c = parse("global_defs {\n}\n");
  EXPECT_FALSE(c.config.real_server_setup.present());
  c = parse("real_server_setup {\n vip 10.0.0.100\n}\n");
  ASSERT_TRUE(messages(c).empty()) << messages(c)[0];
  const RealServerSetup& r = c.config.real_server_setup;
  EXPECT_TRUE(r.present());
  EXPECT_TRUE(r.arp_suppression);
  EXPECT_FALSE(r.keep_on_exit);
}

TEST(RealServerSetupBlock, VipsOfBothFamiliesOnRepeatedLinesInterfacesAndFlags) {
  auto c = parse("real_server_setup {\n vip 10.0.0.100 10.0.0.101\n vip 2001:db8::100\n interface eth0 bond0\n"
                 " arp_suppression off\n keep_on_exit\n}\n");
  ASSERT_TRUE(messages(c).empty()) << messages(c)[0];
  const RealServerSetup& r = c.config.real_server_setup;
  ASSERT_EQ(r.vip.size(), 3u);
  EXPECT_EQ(r.vip[2].text(), "2001:db8::100");
  EXPECT_EQ(r.interface, (std::vector<std::string>{"eth0", "bond0"}));
  EXPECT_FALSE(r.arp_suppression);
  EXPECT_TRUE(r.keep_on_exit);
}

TEST(RealServerSetupBlock, MistakesAreReportedAtTheirLine) {
  auto c = parse("real_server_setup {\n vip 10.0.0.100/24 nonsense\n vip 10.0.0.7 10.0.0.7\n interface lo\n"
                 " arp_supression on\n}\n");
  EXPECT_EQ(messages(c), (std::vector<std::string>{
                             "t.conf:2: error: 'vip': '10.0.0.100/24' has a prefix; real-server VIPs are always bound as /32 (/128)",
                             "t.conf:2: error: 'vip': 'nonsense' is not an IP address",
                             "t.conf:5: error: unknown keyword 'arp_supression' in real_server_setup; did you mean 'arp_suppression'?",
                             "t.conf:3: warning: real_server_setup: vip 10.0.0.7 is listed twice",
                             "t.conf:4: warning: real_server_setup: 'interface lo' is redundant; lo and all are always set",
                         }));
}

TEST(RealServerSetupBlock, WithoutAnyVipIsAnError) {
  auto c = parse("real_server_setup {\n keep_on_exit\n}\n");
  EXPECT_EQ(errors(c), std::vector<std::string>{
                           "t.conf:1: error: real_server_setup has no 'vip': there is nothing to bind on lo"});
}

TEST(RealServerSetupBlock, DumpsBackToTheSameModelInTextAndJson) {
  auto c = parse("real_server_setup {\n vip 10.0.0.100\n vip 2001:db8::100\n interface eth0\n arp_suppression off\n}\n");
  std::ostringstream text;
  TextDumpWriter w(text);
  topLevelSchema().write(c.config, w);
  EXPECT_EQ(text.str(), "real_server_setup {\n    vip 10.0.0.100 2001:db8::100\n    interface eth0\n"
                        "    arp_suppression off\n    keep_on_exit off\n}\n");
  auto again = parse(text.str());
  ASSERT_TRUE(messages(again).empty());
  EXPECT_EQ(again.config.real_server_setup.vip, c.config.real_server_setup.vip);
  EXPECT_FALSE(again.config.real_server_setup.arp_suppression);

  JsonDumpWriter json;
  topLevelSchema().write(c.config, json);
  const nlohmann::json& block = json.result().at("real_server_setup");
  EXPECT_EQ(block.at("vip"), nlohmann::json({"10.0.0.100", "2001:db8::100"}));
  EXPECT_EQ(block.at("arp_suppression"), "off");
}

}  // namespace
}  // namespace tandem::config
