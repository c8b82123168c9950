#pragma once
// What an Instance asks the world to do. The daemon's adapters carry these out; tests read them.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vrrp/instance_params.h"

namespace tandem::vrrp {

enum class TimerId : std::uint8_t { MasterDown, Advert, PreemptDelay, GarpDelay };
inline constexpr std::size_t kTimerCount = 4;
std::string_view toString(TimerId timer);

enum class TransitionReason : std::uint8_t {
  Startup,
  MasterDownTimer,       // no advert from a master for Master_Down_Interval (or Skew_Time after priority 0)
  HigherPriorityAdvert,  // as Master: a higher priority, or equal priority from a higher address
  FaultSet,              // interface down or fault reported
  FaultCleared,
  Shutdown,
  SyncGroup,             // another member of the vrrp_sync_group moved the group
  Resumed,               // started as the MASTER a crashed predecessor process was (see resume.h)
};
std::string_view toString(TransitionReason reason);

namespace action {
struct SendAdvert {
  std::uint8_t priority;  // 0 = "I am leaving": backups take over after Skew_Time
  bool operator==(const SendAdvert&) const = default;
};
struct AddVips {
  bool operator==(const AddVips&) const = default;
};
struct RemoveVips {
  bool operator==(const RemoveVips&) const = default;
};
// Gratuitous ARP (IPv4) or unsolicited neighbour advertisement (IPv6) for every VIP, `repeat` times.
struct SendGratuitous {
  unsigned repeat;
  bool operator==(const SendGratuitous&) const = default;
};
struct ArmTimer {
  TimerId timer;
  TimePoint at;
  bool operator==(const ArmTimer&) const = default;
};
struct CancelTimer {
  TimerId timer;
  bool operator==(const CancelTimer&) const = default;
};
// Run notify_master / notify_backup / notify_fault; Initialize after Shutdown is keepalived's notify_stop.
struct Notify {
  State state;
  bool operator==(const Notify&) const = default;
};
struct LogTransition {
  State from;
  State to;
  TransitionReason reason;
  bool operator==(const LogTransition&) const = default;
};
// While Master, another router kept advertising for this VRID for longer than Master_Down_Interval without
// yielding to us: both act as master (it does not hear us, or a tie keeps flapping).
struct SplitBrainAlarm {
  IpAddress peer;
  std::uint8_t peerPriority;
  bool operator==(const SplitBrainAlarm&) const = default;
};
struct SplitBrainCleared {
  IpAddress peer;
  bool operator==(const SplitBrainCleared&) const = default;
};
// A BACKUP-configured instance has been Master without hearing any peer for N Master_Down_Intervals:
// the usual master is gone, or we are cut off from it.
struct NoPeerHeardAlarm {
  Duration silence;
  bool operator==(const NoPeerHeardAlarm&) const = default;
};
struct NoPeerHeardCleared {
  bool operator==(const NoPeerHeardCleared&) const = default;
};
}  // namespace action

using Action = std::variant<action::SendAdvert, action::AddVips, action::RemoveVips, action::SendGratuitous,
                            action::ArmTimer, action::CancelTimer, action::Notify, action::LogTransition,
                            action::SplitBrainAlarm, action::SplitBrainCleared, action::NoPeerHeardAlarm,
                            action::NoPeerHeardCleared>;
using Actions = std::vector<Action>;

// One line per action for logs and test expectations. Times print as microseconds since the clock's epoch.
std::string toString(const Action& action);

}  // namespace tandem::vrrp
