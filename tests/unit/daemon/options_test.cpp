#include <gtest/gtest.h>

#include <vector>

#include "daemon/options.h"

namespace tandem::daemon {
namespace {

ParseOutcome parse(std::vector<const char*> args) {
  args.insert(args.begin(), "tandemd");
  return parseCommandLine(static_cast<int>(args.size()), args.data());
}

TEST(CommandLine, DefaultsAreKeepalivedsPaths) {
  auto r = parse({});
  ASSERT_TRUE(r.options);
  EXPECT_EQ(r.options->configFile, "/etc/keepalived/keepalived.conf");
  EXPECT_EQ(r.options->pidFile, "/run/keepalived.pid");
  EXPECT_FALSE(r.options->configTest);
}

TEST(CommandLine, KeepalivedShortFlags) {
  auto r = parse({"-f", "x.conf", "-P", "-l", "-D", "-S", "3", "-n", "-V", "-I", "-R", "-i", "lb1", "-e", "-t",
                  "-p", "/tmp/p", "-r", "/tmp/r", "-c", "/tmp/c", "-g", "/tmp/log", "-G"});
  ASSERT_TRUE(r.options) << r.error;
  const Options& o = *r.options;
  EXPECT_EQ(o.configFile, "x.conf");
  EXPECT_TRUE(o.vrrpOnly && o.logConsole && o.logDetail && o.dontFork && o.dontReleaseVrrp && o.dontReleaseIpvs &&
              o.dontRespawn && o.strictIncludes && o.configTest && o.noSyslog);
  EXPECT_EQ(o.logFacility, 3);
  EXPECT_EQ(o.configId, "lb1");
  EXPECT_EQ(o.vrrpPidFile, "/tmp/r");
  EXPECT_EQ(o.checkersPidFile, "/tmp/c");
  EXPECT_EQ(o.logFile, "/tmp/log");
}

TEST(CommandLine, LongFlags) {
  auto r = parse({"--use-file=y.conf", "--check", "--dont-release-vrrp", "--config-test", "--config-id", "x"});
  ASSERT_TRUE(r.options) << r.error;
  EXPECT_EQ(r.options->configFile, "y.conf");
  EXPECT_TRUE(r.options->checkersOnly);
  EXPECT_TRUE(r.options->dontReleaseVrrp);
  EXPECT_TRUE(r.options->configTest);
}

TEST(CommandLine, DumpConfTextOrJson) {
  EXPECT_EQ(parse({"-d"}).options->dump, DumpFormat::Text);
  EXPECT_EQ(parse({"--dump-conf", "-f", "a"}).options->dump, DumpFormat::Text);
  EXPECT_EQ(parse({"--dump-conf=json"}).options->dump, DumpFormat::Json);
  auto bad = parse({"--dump-conf=yaml"});
  EXPECT_FALSE(bad.options);
  EXPECT_EQ(bad.exitCode, 2);
}

TEST(CommandLine, DiagnoseWithListenTimeAndJson) {
  auto r = parse({"--diagnose", "-f", "x.conf", "--listen", "1.5", "--json"});
  ASSERT_TRUE(r.options) << r.error;
  EXPECT_TRUE(r.options->diagnose);
  EXPECT_EQ(r.options->listenSeconds, 1.5);
  EXPECT_TRUE(r.options->json);
  r = parse({"--diagnose"});
  ASSERT_TRUE(r.options) << r.error;
  EXPECT_FALSE(r.options->listenSeconds);  // three advert intervals of the configuration
  EXPECT_EQ(parse({"--listen", "2"}).exitCode, 2);  // only with --diagnose
  EXPECT_EQ(parse({"--diagnose", "--listen", "-1"}).exitCode, 2);
}

TEST(CommandLine, CheckPairTakesTwoFiles) {
  auto r = parse({"--check-pair", "a.conf", "b.conf"});
  ASSERT_TRUE(r.options);
  EXPECT_EQ(r.options->checkPair, (std::vector<std::string>{"a.conf", "b.conf"}));
  EXPECT_FALSE(parse({"--check-pair", "a.conf"}).options);
}

TEST(CommandLine, UnknownOptionOrBadValueFailsWithOneLineAndUsage) {
  for (auto args : {std::vector<const char*>{"--bogus"}, {"-S", "9"}, {"-S", "x"}, {"-P", "-C"}}) {
    auto r = parse(args);
    EXPECT_FALSE(r.options);
    EXPECT_NE(r.exitCode, 0);
    EXPECT_EQ(r.error.rfind("tandemd: ", 0), 0u) << r.error;
    EXPECT_NE(r.error.find("--use-file"), std::string::npos) << "usage expected after the message";
  }
}

TEST(CommandLine, HelpAndVersionPrintAndExitZero) {
  auto h = parse({"--help"});
  EXPECT_FALSE(h.options);
  EXPECT_EQ(h.exitCode, 0);
  EXPECT_NE(h.output.find("--dont-release-ipvs"), std::string::npos);
  auto v = parse({"-v"});
  EXPECT_EQ(v.exitCode, 0);
  EXPECT_EQ(v.output.rfind("tandemd ", 0), 0u);
}

}  // namespace
}  // namespace tandem::daemon
