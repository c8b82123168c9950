// The daemon's edges that need no root: the process runner (real short-lived processes), Asio timers, pid files.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>

#include "daemon/asio_timers.h"
#include "daemon/process_runner.h"
#include "daemon/run_mode.h"

namespace tandem::daemon {
namespace {

struct Outcome {
  std::optional<int> status;
  std::vector<std::string> log;
};

Outcome runOne(std::vector<std::string> argv, std::chrono::milliseconds timeout, ProcessRunnerSettings settings = {}) {
  boost::asio::io_context io;
  Outcome out;
  ProcessRunner runner(io, settings, [&](const std::string& line) { out.log.push_back(line); });
  runner.run(argv, timeout, "", [&](int status) { out.status = status; });
  EXPECT_FALSE(out.status) << "must not call back from inside run()";
  while (!out.status && io.run_one_for(std::chrono::seconds{10})) {
  }
  return out;
}

TEST(VrrpEngineDaemon, ProcessRunnerReportsTheExitStatus) {
  EXPECT_EQ(runOne({"/bin/sh", "-c", "exit 3"}, std::chrono::milliseconds{0}).status, 3);
  EXPECT_EQ(runOne({"true"}, std::chrono::milliseconds{5'000}).status, 0);  // found through PATH
}

TEST(VrrpEngineDaemon, ProcessRunnerKillsTheWholeGroupAtTheTimeout) {
  const auto start = std::chrono::steady_clock::now();
  const Outcome out = runOne({"/bin/sh", "-c", "sleep 30 & sleep 30"}, std::chrono::milliseconds{100});
  EXPECT_EQ(out.status, -1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds{5});
  ASSERT_FALSE(out.log.empty());
  EXPECT_NE(out.log.back().find("timed out"), std::string::npos);
}

TEST(VrrpEngineDaemon, ProcessRunnerReportsAMissingProgram) {
  const Outcome out = runOne({"/nonexistent/script"}, std::chrono::milliseconds{0});
  EXPECT_EQ(out.status, -1);
  ASSERT_EQ(out.log.size(), 1u);
  EXPECT_NE(out.log[0].find("not found or not executable"), std::string::npos);
}

TEST(VrrpEngineDaemon, ScriptSecurityRefusesAScriptOthersCanWrite) {
  const auto dir = std::filesystem::temp_directory_path() / ("tdm-sec-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto script = dir / "s.sh";
  std::ofstream(script) << "#!/bin/sh\nexit 0\n";
  chmod(script.c_str(), 0777);
  chmod(dir.c_str(), 0755);
  const Outcome out = runOne({script.string()}, std::chrono::milliseconds{0}, {true});
  EXPECT_EQ(out.status, -1);
  ASSERT_FALSE(out.log.empty());
  EXPECT_NE(out.log[0].find("enable_script_security"), std::string::npos);
  EXPECT_NE(out.log[0].find("writable by anyone"), std::string::npos);
  chmod(script.c_str(), 0755);
  if (geteuid() == 0) {
    EXPECT_EQ(insecurePath(script.string()), std::nullopt);
  }
  std::filesystem::remove_all(dir);
}

TEST(VrrpEngineDaemon, AsioTimersFireInOrderAndCancel) {
  boost::asio::io_context io;
  AsioTimers timers(io);
  std::vector<int> fired;
  const auto now = timers.now();
  timers.arm(now + std::chrono::milliseconds{2}, [&] { fired.push_back(2); });
  timers.arm(now + std::chrono::milliseconds{1}, [&] { fired.push_back(1); });
  const auto h = timers.arm(now + std::chrono::milliseconds{1}, [&] { fired.push_back(3); });
  timers.cancel(h);
  io.run();
  EXPECT_EQ(fired, (std::vector<int>{1, 2}));
  EXPECT_EQ(timers.pending(), 0u);
}

TEST(VrrpEngineDaemon, PidFileNamesALiveProcessOrNot) {
  const auto path = std::filesystem::temp_directory_path() / ("tdm-pid-" + std::to_string(getpid()));
  std::ofstream(path) << getpid() << "\n";
  EXPECT_EQ(livePidIn(path.string()), getpid());
  std::ofstream(path) << "garbage\n";
  EXPECT_EQ(livePidIn(path.string()), std::nullopt);
  std::filesystem::remove(path);
  EXPECT_EQ(livePidIn(path.string()), std::nullopt);
}

}  // namespace
}  // namespace tandem::daemon
