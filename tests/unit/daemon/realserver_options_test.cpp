#include <gtest/gtest.h>

#include <vector>

#include "daemon/options.h"
#include "daemon/realserver_mode.h"
#include "tests/unit/parser/config_test_util.h"

namespace tandem::daemon {
namespace {

ParseOutcome parse(std::vector<const char*> args) {
  args.insert(args.begin(), "tandemd");
  return parseCommandLine(static_cast<int>(args.size()), args.data());
}

TEST(RealServerCommandLine, VipsThenOtherFlags) {
  auto r = parse({"--realserver", "10.0.0.100", "2001:db8::100", "-n", "--keep", "--realserver-interface", "eth0"});
  ASSERT_TRUE(r.options) << r.error;
  EXPECT_TRUE(r.options->realServer);
  EXPECT_EQ(r.options->realServerVips, (std::vector<std::string>{"10.0.0.100", "2001:db8::100"}));
  EXPECT_TRUE(r.options->dontFork && r.options->keep);
  EXPECT_FALSE(r.options->pidFileGiven);
  std::string error;
  const auto desired = realServerDesired(*r.options, nullptr, error);
  ASSERT_TRUE(desired) << error;
  EXPECT_EQ(desired->vips.size(), 2u);
  EXPECT_EQ(desired->interfaces, std::vector<std::string>{"eth0"});
  EXPECT_TRUE(desired->keepOnExit && desired->arpSuppression);
}

TEST(RealServerCommandLine, WithoutVipsTheConfigurationBlockIsUsedAndFlagsAddToIt) {
  auto r = parse({"--realserver", "-f", "rs.conf", "--no-arp-suppression", "-p", "/tmp/x.pid"});
  ASSERT_TRUE(r.options) << r.error;
  EXPECT_TRUE(r.options->realServer);
  EXPECT_TRUE(r.options->realServerVips.empty());
  EXPECT_TRUE(r.options->pidFileGiven);
  auto loaded = config::testing::parse("real_server_setup {\n vip 10.0.0.100\n interface eth1\n keep_on_exit\n}\n");
  std::string error;
  auto desired = realServerDesired(*r.options, &loaded.config, error);
  ASSERT_TRUE(desired) << error;
  EXPECT_EQ(desired->vips.at(0).toString(), "10.0.0.100");
  EXPECT_EQ(desired->interfaces, std::vector<std::string>{"eth1"});
  EXPECT_FALSE(desired->arpSuppression);
  EXPECT_TRUE(desired->keepOnExit);

  auto empty = config::testing::parse("global_defs {\n}\n");
  EXPECT_FALSE(realServerDesired(*r.options, &empty.config, error));
  EXPECT_EQ(error, "--realserver: no VIP on the command line and no real_server_setup block in rs.conf");
}

TEST(RealServerCommandLine, MistakesAreRefused) {
  auto r = parse({"--keep"});
  EXPECT_FALSE(r.options);
  EXPECT_EQ(r.exitCode, 2);
  r = parse({"--realserver", "10.0.0.300"});
  ASSERT_TRUE(r.options);
  std::string error;
  EXPECT_FALSE(realServerDesired(*r.options, nullptr, error));
  EXPECT_EQ(error, "--realserver: '10.0.0.300' is not an IPv4 or IPv6 address (VIPs are bound as /32 or /128)");
  EXPECT_FALSE(parse({}).options->realServer);
}

}  // namespace
}  // namespace tandem::daemon
