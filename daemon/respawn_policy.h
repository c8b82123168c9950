#pragma once
// When the supervising parent restarts a child that died: keepalived's respawn, with a backoff so that a child
// that cannot start does not spin. Pure: exit statuses and times in, a decision out.
#include <chrono>
#include <string>

namespace tandem::daemon {

// A child's exit status that means "the configuration cannot be used": respawning would fail the same way.
inline constexpr int kExitConfigError = 78;  // EX_CONFIG
// A child that could not start (no root, netlink refused): respawned with backoff.
inline constexpr int kExitCannotStart = 1;

// The first death after a healthy run is respawned at once (keepalived's behaviour, and what keeps a checker
// outage short); a child that keeps dying waits firstDelay, then twice as long each time, up to maxDelay.
struct RespawnSettings {
  std::chrono::milliseconds firstDelay{1000};
  std::chrono::milliseconds maxDelay{30'000};
  // A child that ran this long was healthy: its next failure starts the backoff over.
  std::chrono::milliseconds healthyAfter{60'000};
  bool respawn = true;  // false: -R / --dont-respawn
};

struct RespawnDecision {
  enum class Kind {
    Respawn,      // start it again after `delay`
    Stopped,      // we asked it to stop: nothing to do
    ConfigError,  // exited with kExitConfigError: not respawned
    StopAll,      // -R: the daemon stops every child and exits non-zero
  };
  Kind kind = Kind::Respawn;
  std::chrono::milliseconds delay{0};
};

class RespawnPolicy {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  explicit RespawnPolicy(RespawnSettings settings = {});

  void started(TimePoint now);
  // `waitStatus` as waitpid reports it; `stopRequested`: we sent the child SIGTERM ourselves.
  RespawnDecision exited(TimePoint now, int waitStatus, bool stopRequested);
  unsigned respawns() const { return respawns_; }

 private:
  RespawnSettings settings_;
  unsigned failures_ = 0;  // deaths since the last healthy run
  TimePoint startedAt_{};
  unsigned respawns_ = 0;
};

// "exited with status 3", "killed by signal 9 (Killed)".
std::string describeWaitStatus(int waitStatus);

}  // namespace tandem::daemon
