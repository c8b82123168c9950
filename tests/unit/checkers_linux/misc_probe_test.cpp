// MiscProbe running real scripts through /bin/sh; the loop is the only thing these tests wait on.
#include "checkers/linux/misc_probe.h"

#include <signal.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "tests/unit/checkers_linux/loop_support.h"

namespace tandem::check {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::runUntil;
namespace asio = boost::asio;

// Fields of /proc/<pid>/stat after the command name: state and process group; nullopt once the process is gone.
struct ProcState {
  char state = '?';
  pid_t group = 0;
};
std::optional<ProcState> procState(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return std::nullopt;
  std::istringstream rest(text.substr(text.rfind(')') + 2));
  ProcState s;
  pid_t parent = 0;
  rest >> s.state >> parent >> s.group;
  return s;
}
bool gone(pid_t pid) {
  const auto s = procState(pid);
  return !s || s->state == 'Z' || s->state == 'X';  // a zombie waits for its new parent only
}
// Live members of a process group, from /proc.
int liveMembers(pid_t group) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto s = procState(std::stoi(name));
    if (s && s->group == group && !gone(std::stoi(name))) ++count;
  }
  return count;
}

struct MiscProbeTest : ::testing::Test {
  asio::io_context io;
  std::optional<Verdict> verdict;
  std::filesystem::path pidFile =
      std::filesystem::temp_directory_path() / ("tandem-misc-" + std::to_string(getpid()) + ".pid");

  ~MiscProbeTest() override { std::filesystem::remove(pidFile); }

  MiscProbeOptions script(const std::string& command, std::chrono::milliseconds timeout = 5000ms) {
    MiscProbeOptions options;
    options.command = command;
    options.timeout = timeout;
    return options;
  }
  Verdict run(MiscProbe& probe) {
    verdict.reset();
    probe.start([this](Verdict v) { verdict = std::move(v); });
    EXPECT_FALSE(verdict.has_value());
    EXPECT_TRUE(runUntil(io, [this] { return verdict.has_value(); }));
    return verdict.value_or(Verdict::failure("no verdict"));
  }
  Verdict run(const MiscProbeOptions& options) {
    MiscProbe probe(io, options);
    return run(probe);
  }
  pid_t backgroundPid() {
    std::ifstream file(pidFile);
    pid_t pid = 0;
    file >> pid;
    return pid;
  }
};

TEST_F(MiscProbeTest, ExitZeroSucceeds) {
  const Verdict v = run(script("/bin/sh -c 'exit 0'"));
  EXPECT_TRUE(v.success) << v.reason;
  EXPECT_EQ(v.dynamicWeight, std::nullopt);
}

TEST_F(MiscProbeTest, ExitOneFails) {
  const Verdict v = run(script("/bin/sh -c \"exit 1\""));
  EXPECT_FALSE(v.success);
  EXPECT_THAT(v.reason, HasSubstr("exited with status 1"));
}

TEST_F(MiscProbeTest, DynamicExitSevenSetsWeightFive) {
  MiscProbeOptions options = script("/bin/sh -c 'exit 7'");
  options.dynamic = true;
  const Verdict v = run(options);
  EXPECT_TRUE(v.success) << v.reason;
  EXPECT_EQ(v.dynamicWeight, 5u);

  options.dynamic = false;
  EXPECT_FALSE(run(options).success);
}

TEST_F(MiscProbeTest, ArgumentsAreSplitAsKeepalivedSplitsThem) {
  // The script sees exactly two arguments, the first with a blank inside it.
  const Verdict v = run(script(R"(/bin/sh -c 'test "$#" = 2 && test "$1" = "a b" && test "$2" = "c"' sh "a b" c)"));
  EXPECT_TRUE(v.success) << v.reason;
}

TEST_F(MiscProbeTest, ProgramIsLookedUpInPath) {
  EXPECT_TRUE(run(script("true")).success);
  EXPECT_FALSE(run(script("false")).success);
}

TEST_F(MiscProbeTest, KilledBySignalFails) {
  const Verdict v = run(script("/bin/sh -c 'kill -9 $$'"));
  EXPECT_FALSE(v.success);
  EXPECT_THAT(v.reason, HasSubstr("killed by signal 9"));
}

TEST_F(MiscProbeTest, TimeoutKillsTheWholeProcessGroup) {
  MiscProbe probe(io, script("/bin/sh -c 'sleep 10 & echo $! > " + pidFile.string() + "; wait'", 500ms));
  const auto started = std::chrono::steady_clock::now();
  verdict.reset();
  probe.start([this](Verdict v) { verdict = std::move(v); });
  const pid_t group = probe.pid();
  ASSERT_GT(group, 0);
  ASSERT_TRUE(runUntil(io, [this] { return verdict.has_value(); }));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_FALSE(verdict->success);
  EXPECT_EQ(verdict->reason, "timed out");
  EXPECT_GE(elapsed, 500ms);
  EXPECT_LT(elapsed, 2000ms);  // SIGTERM did it; the 2 s SIGKILL grace was not needed

  const pid_t sleeper = backgroundPid();
  ASSERT_GT(sleeper, 0) << "the script never wrote its child's pid";
  EXPECT_TRUE(runUntil(io, [&] { return gone(sleeper); }, 2000ms)) << "sleep " << sleeper << " survived";
  EXPECT_EQ(liveMembers(group), 0);
  EXPECT_EQ(probe.pid(), 0);
}

TEST_F(MiscProbeTest, GroupThatIgnoresSigtermGetsSigkillAfterTheGrace) {
  MiscProbeOptions options =
      script("/bin/sh -c 'trap \"\" TERM; sleep 10 & echo $! > " + pidFile.string() + "; wait'", 300ms);
  options.killGrace = 300ms;
  MiscProbe probe(io, options);
  const auto started = std::chrono::steady_clock::now();
  const Verdict v = run(probe);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(v.reason, "timed out");
  EXPECT_GE(elapsed, 600ms);
  EXPECT_LT(elapsed, 2000ms);
  const pid_t sleeper = backgroundPid();
  ASSERT_GT(sleeper, 0);
  EXPECT_TRUE(runUntil(io, [&] { return gone(sleeper); }, 2000ms)) << "sleep " << sleeper << " survived";
}

TEST_F(MiscProbeTest, CancelKillsTheScriptAndNeverReports) {
  MiscProbe probe(io, script("/bin/sh -c 'sleep 10 & echo $! > " + pidFile.string() + "; wait'"));
  int calls = 0;
  probe.start([&calls](Verdict) { ++calls; });
  const pid_t leader = probe.pid();
  ASSERT_GT(leader, 0);
  ASSERT_TRUE(runUntil(io, [&] { return backgroundPid() > 0; }, 2000ms));
  const pid_t sleeper = backgroundPid();
  probe.cancel();
  EXPECT_FALSE(probe.running());
  EXPECT_TRUE(runUntil(io, [&] { return gone(sleeper) && !procState(leader); }, 2000ms));  // and reaped
  EXPECT_EQ(calls, 0);
}

TEST_F(MiscProbeTest, UnknownUserFails) {
  MiscProbeOptions options = script("true");
  options.user = "no-such-user-tandem";
  const Verdict v = run(options);
  EXPECT_FALSE(v.success);
  EXPECT_THAT(v.reason, HasSubstr("unknown user 'no-such-user-tandem'"));
}

TEST_F(MiscProbeTest, RunsAsTheGivenUser) {
  if (geteuid() != 0) GTEST_SKIP() << "switching users needs root";
  MiscProbeOptions options = script("/bin/sh -c 'test \"$(id -u)\" = 65534'");
  options.user = "nobody";
  const Verdict v = run(options);
  EXPECT_TRUE(v.success) << v.reason;
}

TEST_F(MiscProbeTest, MissingProgramAndBadQuotingFail) {
  const Verdict missing = run(script("/nonexistent/check.sh"));
  EXPECT_FALSE(missing.success);
  EXPECT_THAT(missing.reason, HasSubstr("not found"));
  const Verdict quoting = run(script("/bin/sh -c 'exit 0"));
  EXPECT_FALSE(quoting.success);
  EXPECT_THAT(quoting.reason, HasSubstr("missing terminating '"));
}

}  // namespace
}  // namespace tandem::check
