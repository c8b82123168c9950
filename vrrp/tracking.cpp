#include "vrrp/tracking.h"

namespace tandem::vrrp {

std::string_view toString(TrackState state) {
  switch (state) {
    case TrackState::Unknown: return "unknown";
    case TrackState::Ok: return "OK";
    case TrackState::Failed: return "FAILED";
  }
  return "unknown";
}

ScriptHealth::ScriptHealth(int rise, int fall, bool initFail)
    : rise_(rise < 1 ? 1 : rise),
      fall_(fall < 1 ? 1 : fall),
      state_(initFail ? TrackState::Failed : TrackState::Unknown) {}

bool ScriptHealth::onResult(bool success) {
  const TrackState before = state_;
  const int top = rise_ + fall_ - 1;
  if (state_ == TrackState::Unknown) {
    count_ = success ? top : 0;
    state_ = success ? TrackState::Ok : TrackState::Failed;
  } else if (success) {
    count_ = count_ + 1 >= rise_ ? top : count_ + 1;
    if (count_ >= rise_) state_ = TrackState::Ok;
  } else {
    count_ = count_ > rise_ ? count_ - 1 : 0;
    if (count_ < rise_) state_ = TrackState::Failed;
  }
  return state_ != before;
}

bool causesFault(const TrackRef& ref, TrackState state) {
  if (ref.weight != 0 || state == TrackState::Unknown) return false;
  return (state == TrackState::Failed) != ref.reverse;
}

int priorityContribution(const TrackRef& ref, TrackState state) {
  const int multiplier = ref.reverse ? -1 : 1;
  if (state == TrackState::Ok && ref.weight > 0) return ref.weight * multiplier;
  if (state == TrackState::Failed && ref.weight < 0) return ref.weight * multiplier;
  return 0;
}

bool holdsStartup(const TrackRef& ref, TrackState state) { return ref.weight == 0 && state == TrackState::Unknown; }

}  // namespace tandem::vrrp
