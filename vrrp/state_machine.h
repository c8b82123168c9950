#pragma once
// One VRRP instance (RFC 5798 section 6, keepalived behaviour where the RFC leaves room), as a pure state machine:
// events and an injected `now` in, Actions out. It owns no timer: it asks for ArmTimer/CancelTimer and expects a
// TimerExpired event back; a stale expiry (cancelled, re-armed later, or early) is ignored, so adapters need not
// race-proof their timer wheels.
//
// Beyond keepalived it reports two conditions (alarms only, the election is unchanged):
//  - SplitBrainAlarm: while Master, a router we do not yield to keeps advertising for the VRID for longer than
//    Master_Down_Interval. A real master would have yielded to our adverts, so it does not hear us (one-way
//    link, filtering) or is misconfigured. Cleared when its adverts stop for Master_Down_Interval or we leave
//    Master.
//  - NoPeerHeard: an instance configured "state BACKUP" has been Master for noPeerAlarmIntervals
//    Master_Down_Intervals without hearing any advert. Cleared by any advert or by leaving Master.
#include <array>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "vrrp/accept.h"
#include "vrrp/actions.h"
#include "vrrp/instance_params.h"
#include "vrrp/packet.h"

namespace tandem::vrrp {

namespace event {
struct Startup {};
// Startup of an instance a crashed predecessor process held as MASTER (see resume.h): straight to Master, with
// its advert sent at once, unless a fault already holds it.
struct Resume {};
struct AdvertReceived {
  DecodedAdvert advert;
};
// The adapter could not decode a packet addressed to this instance: counted, nothing else.
struct DecodeFailed {
  DecodeError error;
};
struct TimerExpired {
  TimerId timer;
};
struct Shutdown {};
struct InterfaceChanged {
  bool up;
};
// Aggregate of the fault sources (track_interface/track_script without weight, ...): true while any is failed.
struct FaultChanged {
  bool faulted;
};
// New effective priority from weighted trackers. Ignored for the address owner, clamped to 1..254 otherwise.
struct PriorityChanged {
  int priority;
};
// vrrp_sync_group: another member moved the group. Master: a Backup takes over now, since the members are masters
// together; Backup: a Master steps down (with a priority 0 advert, so that the peer group takes over quickly).
// Ignored in any other state: a FAULT is shared through FaultChanged instead.
struct SyncGroupRequest {
  State to;
};
}  // namespace event

using Event = std::variant<event::Startup, event::Resume, event::AdvertReceived, event::DecodeFailed, event::TimerExpired,
                           event::Shutdown, event::InterfaceChanged, event::FaultChanged, event::PriorityChanged,
                           event::SyncGroupRequest>;

struct Counters {
  std::uint64_t advertsReceived = 0;
  std::uint64_t advertsSent = 0;
  std::uint64_t priorityZeroReceived = 0;
  std::uint64_t priorityZeroSent = 0;
  std::uint64_t transitions = 0;
  std::uint64_t becameMaster = 0;
  std::uint64_t releasedMaster = 0;
  std::uint64_t splitBrainAlarms = 0;  // SplitBrainAlarm raised (once per peer and episode)
  std::uint64_t noPeerAlarms = 0;      // NoPeerHeard raised
  std::array<std::uint64_t, kDecodeErrorCount> decodeErrors{};
  std::array<std::uint64_t, kAcceptReasonCount> rejected{};

  std::uint64_t dropped(DecodeError e) const { return decodeErrors[static_cast<std::size_t>(e)]; }
  std::uint64_t dropped(AcceptReason r) const { return rejected[static_cast<std::size_t>(r)]; }
};

class Instance {
 public:
  explicit Instance(InstanceParams params);

  Actions onEvent(const Event& event, TimePoint now);
  // A reload that kept this instance running: the new configuration's settings (VIPs the adverts list,
  // authentication, preemption, advert interval for the next adverts, alarms) take effect without a state change.
  // The identity (VRID, family, version) is the caller's to keep; the advert source address stays as it is, and
  // the priority follows through the engine's tracking inputs.
  void reconfigure(InstanceParams params);

  State state() const { return state_; }
  std::uint8_t effectivePriority() const { return effectivePriority_; }
  Centiseconds masterAdverInterval() const { return masterAdverInterval_; }
  Duration masterDownInterval() const;
  Duration skewTime() const;
  std::optional<TimePoint> deadline(TimerId timer) const { return timers_[index(timer)]; }
  const std::optional<IpAddress>& currentMaster() const { return currentMaster_; }
  const Counters& counters() const { return counters_; }
  // The alarms standing now (see the top of this file).
  bool splitBrainAlarmed() const;
  bool noPeerAlarmed() const { return noPeerAlarmed_; }
  const InstanceParams& params() const { return params_; }

 private:
  enum class PreemptDelay : std::uint8_t { NotStarted, Running, Elapsed };
  struct Conflict {
    IpAddress peer;
    std::uint8_t priority = 0;
    TimePoint firstSeen;
    TimePoint lastSeen;
    bool alarmed = false;
  };
  struct AhSender {
    IpAddress source;
    std::uint32_t sequence = 0;
    TimePoint lastSeen;
  };

  static std::size_t index(TimerId t) { return static_cast<std::size_t>(t); }
  bool faulty() const { return !interfaceUp_ || faulted_; }

  void startup(TimePoint now, Actions& out);
  void resume(TimePoint now, Actions& out);
  void advertReceived(const DecodedAdvert& d, TimePoint now, Actions& out);
  void backupReceived(const DecodedAdvert& d, TimePoint now, Actions& out);
  void masterReceived(const DecodedAdvert& d, TimePoint now, Actions& out);
  void timerExpired(TimerId timer, TimePoint now, Actions& out);
  void shutdown(TimePoint now, Actions& out);
  void faultInputsChanged(bool wasFaulty, TimePoint now, Actions& out);
  void priorityChanged(int priority);
  void syncGroupRequest(State to, TimePoint now, Actions& out);
  AcceptReason checkReplay(const DecodedAdvert& d, TimePoint now);

  // The one place states change: logs "from -> to", counts, then runs the entry handler and notifies.
  void changeState(State to, TransitionReason reason, TimePoint now, Actions& out);
  void enterMaster(TimePoint now, Actions& out);
  void enterBackup(TimePoint now, Actions& out);
  void leaveMaster(TransitionReason reason, Actions& out);
  void sendAdvert(std::uint8_t priority, Actions& out);

  void arm(TimerId timer, TimePoint at, Actions& out);
  void cancel(TimerId timer, Actions& out);
  void cancelAll(Actions& out);

  void trackConflict(const DecodedAdvert& d, TimePoint now, Actions& out);
  void expireConflicts(TimePoint now, Actions& out);
  void checkNoPeer(TimePoint now, Actions& out);
  void clearAlarms(Actions& out);

  InstanceParams params_;
  State state_ = State::Initialize;
  std::uint8_t effectivePriority_;
  Centiseconds masterAdverInterval_;
  // Set by changeState for enterBackup: how long Backup waits before its first takeover attempt.
  Duration backupWait_{};
  // Set while a "state MASTER" instance is in its shortened first wait (see startup()).
  std::optional<TimePoint> fastStartFrom_;
  std::array<std::optional<TimePoint>, kTimerCount> timers_{};
  PreemptDelay preemptDelay_ = PreemptDelay::NotStarted;
  bool interfaceUp_ = true;
  bool faulted_ = false;
  std::optional<IpAddress> currentMaster_;
  TimePoint becameMasterAt_{};
  std::optional<TimePoint> lastPeerHeard_;
  bool noPeerAlarmed_ = false;
  std::vector<Conflict> conflicts_;
  std::vector<AhSender> ahSenders_;
  Counters counters_;
};

}  // namespace tandem::vrrp
