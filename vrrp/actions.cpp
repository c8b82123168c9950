#include "vrrp/actions.h"

#include "vrrp/overloaded.h"

namespace tandem::vrrp {
namespace {

std::string micros(TimePoint t) {
  return std::to_string(std::chrono::duration_cast<Duration>(t.time_since_epoch()).count()) + "us";
}

}  // namespace

std::string_view toString(State state) {
  switch (state) {
    case State::Initialize: return "INIT";
    case State::Backup: return "BACKUP";
    case State::Master: return "MASTER";
    case State::Fault: return "FAULT";
  }
  return "UNKNOWN";
}

std::string_view toString(TimerId timer) {
  switch (timer) {
    case TimerId::MasterDown: return "master_down";
    case TimerId::Advert: return "advert";
    case TimerId::PreemptDelay: return "preempt_delay";
    case TimerId::GarpDelay: return "garp_delay";
  }
  return "unknown";
}

std::string_view toString(TransitionReason reason) {
  switch (reason) {
    case TransitionReason::Startup: return "startup";
    case TransitionReason::MasterDownTimer: return "master_down_timer";
    case TransitionReason::HigherPriorityAdvert: return "higher_priority_advert";
    case TransitionReason::FaultSet: return "fault_set";
    case TransitionReason::FaultCleared: return "fault_cleared";
    case TransitionReason::Shutdown: return "shutdown";
    case TransitionReason::SyncGroup: return "sync_group";
    case TransitionReason::Resumed: return "resumed";
  }
  return "unknown";
}

std::string toString(const Action& action) {
  using namespace action;
  return std::visit(
      Overloaded{
          [](const SendAdvert& a) { return "send_advert prio=" + std::to_string(a.priority); },
          [](const AddVips&) { return std::string("add_vips"); },
          [](const RemoveVips&) { return std::string("remove_vips"); },
          [](const SendGratuitous& a) { return "send_gratuitous x" + std::to_string(a.repeat); },
          [](const ArmTimer& a) { return "arm " + std::string(toString(a.timer)) + " at " + micros(a.at); },
          [](const CancelTimer& a) { return "cancel " + std::string(toString(a.timer)); },
          [](const Notify& a) { return "notify " + std::string(toString(a.state)); },
          [](const LogTransition& a) {
            return std::string(toString(a.from)) + " -> " + std::string(toString(a.to)) + " (" +
                   std::string(toString(a.reason)) + ")";
          },
          [](const SplitBrainAlarm& a) {
            return "split_brain_alarm peer=" + a.peer.toString() + " prio=" + std::to_string(a.peerPriority);
          },
          [](const SplitBrainCleared& a) { return "split_brain_cleared peer=" + a.peer.toString(); },
          [](const NoPeerHeardAlarm& a) { return "no_peer_heard_alarm silence=" + std::to_string(a.silence.count()) + "us"; },
          [](const NoPeerHeardCleared&) { return std::string("no_peer_heard_cleared"); },
      },
      action);
}

}  // namespace tandem::vrrp
