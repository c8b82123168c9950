#include "checkers/health_tracker.h"

#include <algorithm>
#include <utility>

namespace tandem::check {

HealthTracker::HealthTracker(CheckTiming timing, Random random)
    : timing_(timing), random_(std::move(random)), up_(!timing.alpha), retryCount_(timing.retry) {}

TimePoint HealthTracker::onStart(TimePoint now) {
  double fraction = random_ ? random_() : 0.0;
  fraction = std::clamp(fraction, 0.0, 1.0);
  const auto spread = std::chrono::duration_cast<Duration>(timing_.warmup * fraction);
  nextCheckAt_ = now + kBootstrapDelay + spread;
  return nextCheckAt_;
}

Outcome HealthTracker::schedule(Transition transition, Duration delay, TimePoint now, bool retrying) {
  nextCheckAt_ = now + delay;
  return Outcome{transition, nextCheckAt_, retrying};
}

void HealthTracker::assume(bool up) {
  up_ = up;
  hasRun_ = true;
  retryCount_ = 0;
}

Outcome HealthTracker::onResult(const Verdict& verdict, TimePoint now) {
  const bool firstResult = !hasRun_;
  hasRun_ = true;

  if (verdict.success) {
    // keepalived's misc_dynamic: an exit of 2..255 sets the weight, exit 0 leaves it as it is.
    if (verdict.dynamicWeight) dynamicWeight_ = verdict.dynamicWeight;
    retryCount_ = 0;
    const bool wasUp = std::exchange(up_, true);
    return schedule(wasUp ? Transition::None : Transition::WentUp, timing_.delayLoop, now, false);
  }

  // A checker that is down (and has been reported down) just keeps polling at delay_loop.
  if (!up_ && !firstResult) {
    retryCount_ = 0;
    return schedule(Transition::None, timing_.delayLoop, now, false);
  }
  if (retryCount_ < timing_.retry) {
    ++retryCount_;
    return schedule(Transition::None, timing_.delayBeforeRetry, now, true);
  }
  retryCount_ = 0;
  const bool wasUp = std::exchange(up_, false);
  return schedule(wasUp ? Transition::WentDown : Transition::ConfirmedDown, timing_.delayLoop, now, false);
}

}  // namespace tandem::check
