// The parent's respawn decisions: backoff, reset after a healthy run, stop requests, EX_CONFIG and -R.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "daemon/respawn_policy.h"

namespace tandem::daemon {
namespace {

using namespace std::chrono_literals;
using Kind = RespawnDecision::Kind;

const int kKilled = SIGKILL;                    // waitpid status of a child killed by SIGKILL
const int kExited1 = W_EXITCODE(1, 0);
const int kConfig = W_EXITCODE(kExitConfigError, 0);
const std::chrono::steady_clock::time_point kT0{};

TEST(DaemonRespawnPolicy, FirstDeathIsRespawnedAtOnceThenBacksOffDoublingToTheCap) {
  RespawnPolicy policy;
  auto now = kT0;
  std::vector<std::chrono::milliseconds> delays;
  for (int i = 0; i < 8; ++i) {
    policy.started(now);
    now += 100ms;  // dies quickly every time
    const RespawnDecision d = policy.exited(now, kKilled, false);
    ASSERT_EQ(d.kind, Kind::Respawn);
    delays.push_back(d.delay);
    now += d.delay;
  }
  EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{0ms, 1s, 2s, 4s, 8s, 16s, 30s, 30s}));
  EXPECT_EQ(policy.respawns(), 8u);
}

TEST(DaemonRespawnPolicy, AHealthyRunResetsTheBackoff) {
  RespawnPolicy policy;
  policy.started(kT0);
  EXPECT_EQ(policy.exited(kT0 + 1s, kExited1, false).delay, 0ms);
  policy.started(kT0 + 1s);
  EXPECT_EQ(policy.exited(kT0 + 2s, kExited1, false).delay, 1s);
  policy.started(kT0 + 3s);
  EXPECT_EQ(policy.exited(kT0 + 4s, kExited1, false).delay, 2s);
  policy.started(kT0 + 10s);
  EXPECT_EQ(policy.exited(kT0 + 69s, kExited1, false).delay, 4s) << "59 s is not yet healthy";
  policy.started(kT0 + 100s);
  EXPECT_EQ(policy.exited(kT0 + 160s, kExited1, false).delay, 0ms) << "60 s healthy: start over";
}

TEST(DaemonRespawnPolicy, AChildWeStoppedIsNotRespawned) {
  RespawnPolicy policy;
  policy.started(kT0);
  EXPECT_EQ(policy.exited(kT0 + 1s, SIGTERM, true).kind, Kind::Stopped);
  EXPECT_EQ(policy.respawns(), 0u);
}

TEST(DaemonRespawnPolicy, ConfigurationErrorExitIsNotRespawnedEvenWithRespawnOn) {
  RespawnPolicy policy;
  policy.started(kT0);
  EXPECT_EQ(policy.exited(kT0 + 1s, kConfig, false).kind, Kind::ConfigError);
}

TEST(DaemonRespawnPolicy, DontRespawnStopsEverything) {
  RespawnSettings settings;
  settings.respawn = false;
  RespawnPolicy policy(settings);
  policy.started(kT0);
  EXPECT_EQ(policy.exited(kT0 + 1s, kKilled, false).kind, Kind::StopAll);
  EXPECT_EQ(policy.exited(kT0 + 1s, kConfig, false).kind, Kind::ConfigError);
  EXPECT_EQ(policy.exited(kT0 + 1s, kKilled, true).kind, Kind::Stopped);
}

TEST(DaemonRespawnPolicy, DescribesWaitStatuses) {
  EXPECT_EQ(describeWaitStatus(W_EXITCODE(78, 0)), "exited with status 78");
  EXPECT_EQ(describeWaitStatus(SIGKILL).rfind("killed by signal 9", 0), 0u);
}

}  // namespace
}  // namespace tandem::daemon
