#pragma once
// keepalived's tracking rules, pure: a vrrp_script's rise/fall counter, and what a tracked object in a given state
// does to an instance (FAULT, or a priority weight).
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "vrrp/engine_config.h"

namespace tandem::vrrp {

// Unknown: a script that has not finished once yet (keepalived's INIT).
enum class TrackState : std::uint8_t { Unknown, Ok, Failed };
std::string_view toString(TrackState state);

class ScriptHealth {
 public:
  ScriptHealth(int rise, int fall, bool initFail);
  // One run's outcome; returns true when the state changed. While Unknown, the first result decides at once.
  // Then `fall` consecutive failures make an Ok script Failed and `rise` consecutive successes the reverse.
  bool onResult(bool success);
  TrackState state() const { return state_; }

 private:
  int rise_;
  int fall_;
  int count_ = 0;  // keepalived's "result": Ok while >= rise, between 0 and rise + fall - 1
  TrackState state_;
};

// keepalived: weight 0 means FAULT while failing (while OK with reverse); Unknown never faults.
bool causesFault(const TrackRef& ref, TrackState state);
// The weight's contribution to the instance's priority: +weight while OK for a positive weight, +weight (that is,
// minus) while failing for a negative one; reverse negates it. Unknown contributes nothing.
int priorityContribution(const TrackRef& ref, TrackState state);

// A weight 0 script still Unknown: keepalived keeps the instance (and its sync group) in INIT until it reports.
bool holdsStartup(const TrackRef& ref, TrackState state);

}  // namespace tandem::vrrp
