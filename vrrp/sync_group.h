#pragma once
// vrrp_sync_group decisions (keepalived semantics), pure: the members move together.
//  - A member whose Master_Down timer expires takes the group to MASTER only when every other member is ready to
//    (already Master, or a Backup whose own Master_Down deadline has passed): keepalived prefers BACKUP to
//    thrashing when only some of the peer's instances died.
//  - A member that becomes Master pulls the other Backups along; one that leaves Master for Backup pushes the
//    other Masters back to Backup.
//  - FAULT is shared: the engine feeds every member's fault inputs with the other members' faults.
#include <cstddef>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "vrrp/instance_params.h"

namespace tandem::vrrp {

struct MemberView {
  State state = State::Initialize;
  std::optional<TimePoint> masterDownDeadline;
};

// Fault if any member is in FAULT; Master/Backup/Initialize when all members agree; nullopt while mixed.
std::optional<State> groupStateOf(std::span<const MemberView> members);

bool othersReadyForMaster(std::span<const MemberView> members, std::size_t self, TimePoint now);

// Member `self` has just moved from `from` to `to`: the states the other members are asked to take.
std::vector<std::pair<std::size_t, State>> followTransition(std::span<const MemberView> members, std::size_t self,
                                                            State from, State to);

}  // namespace tandem::vrrp
