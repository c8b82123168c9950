#include "checkers/real_server_health.h"

#include <algorithm>

namespace tandem::check {

RealServerHealth::RealServerHealth(const std::vector<CheckTiming>& checkers, const HealthTracker::Random& random) {
  trackers_.reserve(checkers.size());
  for (const CheckTiming& timing : checkers) {
    trackers_.emplace_back(timing, random);
  }
}

std::vector<TimePoint> RealServerHealth::onStart(TimePoint now) {
  std::vector<TimePoint> times;
  times.reserve(trackers_.size());
  for (HealthTracker& tracker : trackers_) {
    times.push_back(tracker.onStart(now));
  }
  return times;
}

void RealServerHealth::assume(bool up) {
  for (HealthTracker& tracker : trackers_) tracker.assume(up);
}

std::size_t RealServerHealth::failedCheckers() const {
  return static_cast<std::size_t>(
      std::count_if(trackers_.begin(), trackers_.end(), [](const HealthTracker& tracker) { return !tracker.up(); }));
}

ServerOutcome RealServerHealth::onResult(std::size_t checker, const Verdict& verdict, TimePoint now) {
  const bool wasUp = up();
  ServerOutcome outcome;
  outcome.checker = trackers_.at(checker).onResult(verdict, now);
  const bool isUp = up();
  if (wasUp != isUp) {
    outcome.server = isUp ? ServerTransition::WentUp : ServerTransition::WentDown;
  } else if (outcome.checker.transition == Transition::ConfirmedDown) {
    outcome.server = ServerTransition::ConfirmedDown;
  }
  return outcome;
}

std::optional<std::uint32_t> RealServerHealth::dynamicWeight() const {
  for (const HealthTracker& tracker : trackers_) {
    if (tracker.dynamicWeight()) {
      return tracker.dynamicWeight();
    }
  }
  return std::nullopt;
}

std::optional<TimePoint> RealServerHealth::nextCheckAt() const {
  if (trackers_.empty()) {
    return std::nullopt;
  }
  return std::min_element(trackers_.begin(), trackers_.end(),
                          [](const HealthTracker& a, const HealthTracker& b) {
                            return a.nextCheckAt() < b.nextCheckAt();
                          })
      ->nextCheckAt();
}

}  // namespace tandem::check
