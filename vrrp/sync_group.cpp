#include "vrrp/sync_group.h"

#include <algorithm>

namespace tandem::vrrp {

std::optional<State> groupStateOf(std::span<const MemberView> members) {
  if (members.empty()) return std::nullopt;
  if (std::any_of(members.begin(), members.end(), [](const MemberView& m) { return m.state == State::Fault; }))
    return State::Fault;
  const State first = members.front().state;
  if (std::all_of(members.begin(), members.end(), [&](const MemberView& m) { return m.state == first; })) return first;
  return std::nullopt;
}

bool othersReadyForMaster(std::span<const MemberView> members, std::size_t self, TimePoint now) {
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i == self) continue;
    const MemberView& m = members[i];
    if (m.state == State::Master) continue;
    if (m.state == State::Backup && m.masterDownDeadline && *m.masterDownDeadline <= now) continue;
    return false;
  }
  return true;
}

std::vector<std::pair<std::size_t, State>> followTransition(std::span<const MemberView> members, std::size_t self,
                                                            State from, State to) {
  std::vector<std::pair<std::size_t, State>> out;
  State pulled;
  State wanted;
  if (to == State::Master) {
    pulled = State::Backup;
    wanted = State::Master;
  } else if (to == State::Backup && from == State::Master) {
    pulled = State::Master;
    wanted = State::Backup;
  } else {
    return out;
  }
  for (std::size_t i = 0; i < members.size(); ++i)
    if (i != self && members[i].state == pulled) out.emplace_back(i, wanted);
  return out;
}

}  // namespace tandem::vrrp
