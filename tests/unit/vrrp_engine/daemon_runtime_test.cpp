// The daemon's edges that need no root: the process runner (real short-lived processes), Asio timers, pid files.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

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

// Routine timers due within their allowance of the one that wakes the loop fire with it, inside one batch; a timer
// that is not routine closes the batch first and never fires before its time.
TEST(VrrpEngineDaemon, AsioTimersFireRoutineTimersTogetherInOneBatch) {
  using std::chrono::milliseconds;
  boost::asio::io_context io;
  AsioTimers timers(io);
  std::vector<std::string> trace;
  std::vector<AsioTimers::TimePoint> firedAt;
  timers.setBatchHooks([&] { trace.push_back("open"); }, [&] { trace.push_back("close"); });
  const auto start = timers.now();
  auto routine = [&](int ms, std::string name) {
    timers.armRoutine(start + milliseconds{ms}, milliseconds{40}, [&, name] {
      trace.push_back(name);
      firedAt.push_back(timers.now());
    });
  };
  routine(20, "a");
  routine(45, "b");   // within 40 ms of a: goes with it
  routine(200, "d");  // far later: its own wake-up
  timers.arm(start + milliseconds{50}, [&] {
    trace.push_back("c");
    firedAt.push_back(timers.now());
  });
  io.run();
  EXPECT_EQ(trace, (std::vector<std::string>{"open", "a", "b", "close", "c", "open", "d", "close"}));
  ASSERT_EQ(firedAt.size(), 4u);
  EXPECT_LT(firedAt[1] - start, milliseconds{45});   // b early
  EXPECT_GE(firedAt[2] - start, milliseconds{50});   // c never early
  EXPECT_GE(firedAt[3] - start, milliseconds{160});  // d no earlier than its allowance
  EXPECT_EQ(timers.pending(), 0u);
}

TEST(VrrpEngineDaemon, AsioTimersRearmAndCancelFromInsideATimer) {
  using std::chrono::milliseconds;
  boost::asio::io_context io;
  AsioTimers timers(io);
  std::vector<int> fired;
  const auto start = timers.now();
  AsioTimers::Handle victim = timers.arm(start + milliseconds{5}, [&] { fired.push_back(99); });
  int rounds = 0;
  std::function<void()> tick = [&] {
    fired.push_back(++rounds);
    if (rounds == 1) timers.cancel(victim);  // due at the same moment: must not fire
    if (rounds < 3) timers.armRoutine(timers.now() + milliseconds{2}, milliseconds{1}, tick);
  };
  timers.arm(start + milliseconds{1}, tick);
  timers.arm(start + milliseconds{1}, [&] { fired.push_back(50); });
  io.run();
  EXPECT_EQ(fired, (std::vector<int>{1, 50, 2, 3}));
  timers.cancel(victim);  // stale handle: nothing happens
  // A thousand re-armed timers whose old entries were cancelled leave no heap behind them.
  std::vector<AsioTimers::Handle> handles;
  for (int i = 0; i < 1000; ++i) handles.push_back(timers.arm(timers.now() + std::chrono::hours{1}, [] {}));
  for (int round = 0; round < 5; ++round)
    for (auto& h : handles) {
      timers.cancel(h);
      h = timers.arm(timers.now() + std::chrono::hours{1}, [] {});
    }
  EXPECT_EQ(timers.pending(), 1000u);
  for (auto h : handles) timers.cancel(h);
  EXPECT_EQ(timers.pending(), 0u);
  io.restart();
  io.run();
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
