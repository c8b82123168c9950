// The daemon runs from /: relative paths on its command line are resolved where it was started.
#include <gtest/gtest.h>

#include <filesystem>

#include "daemon/options.h"

namespace tandem::daemon {
namespace {

TEST(DaemonAbsolutePaths, RelativePathsAreResolvedAgainstTheCurrentDirectory) {
  const std::string cwd = std::filesystem::current_path().string();
  Options o;
  o.configFile = "conf/../k.conf";
  o.pidFile = "p.pid";
  o.vrrpPidFile = "/run/v.pid";
  o.logFile = "";
  o.controlSocket = "./t.sock";
  const Options r = withAbsolutePaths(o);
  EXPECT_EQ(r.configFile, cwd + "/k.conf");
  EXPECT_EQ(r.pidFile, cwd + "/p.pid");
  EXPECT_EQ(r.vrrpPidFile, "/run/v.pid");
  EXPECT_EQ(r.checkersPidFile, "/run/checkers.pid");
  EXPECT_EQ(r.logFile, "") << "no log file stays no log file";
  EXPECT_EQ(r.controlSocket, cwd + "/t.sock");
}

}  // namespace
}  // namespace tandem::daemon
