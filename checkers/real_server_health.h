#pragma once
// The health of one real server from all its checkers, as keepalived's update_svr_checker_state(): the server is
// down while ANY checker is down and up when all are up (a server without checkers is always up). With alpha
// checkers the server starts down. Transitions of the server are what drive notify_up / notify_down and the
// ipvs::RealServerState.up flag.
#include <cstddef>
#include <optional>
#include <vector>

#include "checkers/health_tracker.h"

namespace tandem::check {

enum class ServerTransition : std::uint8_t {
  None,
  WentUp,         // notify_up
  WentDown,       // notify_down
  ConfirmedDown,  // an alpha checker's first check failed while the server was already down: keepalived runs
                  // notify_down once more to report the initial state
};

struct ServerOutcome {
  ServerTransition server = ServerTransition::None;
  Outcome checker;  // the checker's own transition and its next check time
};

class RealServerHealth {
 public:
  RealServerHealth(const std::vector<CheckTiming>& checkers, const HealthTracker::Random& random);

  // Schedules every checker's first check; returns their times, in checker order.
  std::vector<TimePoint> onStart(TimePoint now);
  ServerOutcome onResult(std::size_t checker, const Verdict& verdict, TimePoint now);
  // Every checker takes `up` as established (HealthTracker::assume).
  void assume(bool up);
  HealthTracker& checker(std::size_t index) { return trackers_.at(index); }

  bool up() const { return failedCheckers() == 0; }
  std::size_t failedCheckers() const;
  std::size_t checkerCount() const { return trackers_.size(); }
  const HealthTracker& checker(std::size_t index) const { return trackers_.at(index); }
  // The first dynamic weight any checker holds (keepalived warns that more than one misc_dynamic checker per real
  // server "will cause problems"; we simply let the first one win).
  std::optional<std::uint32_t> dynamicWeight() const;
  // The earliest next check over all checkers: what the adapter arms a timer for.
  std::optional<TimePoint> nextCheckAt() const;

 private:
  std::vector<HealthTracker> trackers_;
};

}  // namespace tandem::check
