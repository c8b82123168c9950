#include "daemon/respawn_policy.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstring>

namespace tandem::daemon {

RespawnPolicy::RespawnPolicy(RespawnSettings settings) : settings_(settings) {}

void RespawnPolicy::started(TimePoint now) { startedAt_ = now; }

RespawnDecision RespawnPolicy::exited(TimePoint now, int waitStatus, bool stopRequested) {
  if (stopRequested) return {RespawnDecision::Kind::Stopped, {}};
  if (WIFEXITED(waitStatus) && WEXITSTATUS(waitStatus) == kExitConfigError)
    return {RespawnDecision::Kind::ConfigError, {}};
  if (!settings_.respawn) return {RespawnDecision::Kind::StopAll, {}};
  if (now - startedAt_ >= settings_.healthyAfter) failures_ = 0;
  std::chrono::milliseconds delay{0};
  if (failures_ > 0) {
    delay = settings_.firstDelay;
    for (unsigned i = 1; i < failures_ && delay < settings_.maxDelay; ++i) delay *= 2;
    delay = std::min(delay, settings_.maxDelay);
  }
  ++failures_;
  ++respawns_;
  return {RespawnDecision::Kind::Respawn, delay};
}

std::string describeWaitStatus(int waitStatus) {
  if (WIFEXITED(waitStatus)) return "exited with status " + std::to_string(WEXITSTATUS(waitStatus));
  if (WIFSIGNALED(waitStatus)) {
    const int signal = WTERMSIG(waitStatus);
    const char* name = strsignal(signal);
    return "killed by signal " + std::to_string(signal) + (name ? std::string(" (") + name + ")" : "");
  }
  return "stopped (status " + std::to_string(waitStatus) + ")";
}

}  // namespace tandem::daemon
