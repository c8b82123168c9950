#include "vrrp/state_machine.h"

#include <algorithm>

#include "vrrp/overloaded.h"
#include "vrrp/timing.h"

namespace tandem::vrrp {
namespace {

bool isOwner(const InstanceParams& p) { return p.priority == kPriorityOwner; }

}  // namespace

Instance::Instance(InstanceParams params)
    : params_(std::move(params)),
      effectivePriority_(params_.priority),
      masterAdverInterval_(params_.advertInterval) {}

void Instance::reconfigure(InstanceParams params) {
  params.ownAddress = params_.ownAddress;
  params_ = std::move(params);
}

bool Instance::splitBrainAlarmed() const {
  return std::any_of(conflicts_.begin(), conflicts_.end(), [](const Conflict& c) { return c.alarmed; });
}

Duration Instance::skewTime() const {
  return vrrp::skewTime(params_.version, effectivePriority_, masterAdverInterval_);
}

Duration Instance::masterDownInterval() const {
  return vrrp::masterDownInterval(params_.version, effectivePriority_, masterAdverInterval_,
                                  params_.downTimerAdverts);
}

Actions Instance::onEvent(const Event& event, TimePoint now) {
  Actions out;
  std::visit(Overloaded{
                 [&](const event::Startup&) { startup(now, out); },
                 [&](const event::Resume&) { resume(now, out); },
                 [&](const event::AdvertReceived& e) { advertReceived(e.advert, now, out); },
                 [&](const event::DecodeFailed& e) { ++counters_.decodeErrors[static_cast<std::size_t>(e.error)]; },
                 [&](const event::TimerExpired& e) { timerExpired(e.timer, now, out); },
                 [&](const event::Shutdown&) { shutdown(now, out); },
                 [&](const event::InterfaceChanged& e) {
                   const bool was = faulty();
                   interfaceUp_ = e.up;
                   faultInputsChanged(was, now, out);
                 },
                 [&](const event::FaultChanged& e) {
                   const bool was = faulty();
                   faulted_ = e.faulted;
                   faultInputsChanged(was, now, out);
                 },
                 [&](const event::PriorityChanged& e) { priorityChanged(e.priority); },
                 [&](const event::SyncGroupRequest& e) { syncGroupRequest(e.to, now, out); },
             },
             event);
  return out;
}

void Instance::startup(TimePoint now, Actions& out) {
  if (state_ != State::Initialize) return;
  masterAdverInterval_ = params_.advertInterval;
  if (faulty()) {
    changeState(State::Fault, TransitionReason::Startup, now, out);
  } else if (isOwner(params_)) {
    changeState(State::Master, TransitionReason::Startup, now, out);
  } else {
    // keepalived: "state MASTER" listens for one interval only, so that it wins the race it was configured to win.
    backupWait_ = params_.initialState == State::Master
                      ? std::chrono::duration_cast<Duration>(masterAdverInterval_) +
                            minimalSkewTime(params_.version, masterAdverInterval_)
                      : masterDownInterval();
    fastStartFrom_ = params_.initialState == State::Master ? std::optional<TimePoint>(now) : std::nullopt;
    changeState(State::Backup, TransitionReason::Startup, now, out);
  }
}

void Instance::resume(TimePoint now, Actions& out) {
  if (state_ != State::Initialize) return;
  if (faulty()) return startup(now, out);
  masterAdverInterval_ = params_.advertInterval;
  changeState(State::Master, TransitionReason::Resumed, now, out);
}

void Instance::advertReceived(const DecodedAdvert& d, TimePoint now, Actions& out) {
  // keepalived reads and discards adverts while in FAULT or not yet started.
  if (state_ != State::Backup && state_ != State::Master) return;

  const bool fromKnownMaster = currentMaster_ && *currentMaster_ == d.meta.source;
  AcceptReason reason = acceptAdvert(params_, d, !(params_.skipCheckAdvAddr && fromKnownMaster));
  if (reason == AcceptReason::Accepted) reason = checkReplay(d, now);
  if (reason != AcceptReason::Accepted) {
    ++counters_.rejected[static_cast<std::size_t>(reason)];
    return;
  }

  ++counters_.advertsReceived;
  if (d.advert.priority == kPriorityStop) ++counters_.priorityZeroReceived;
  lastPeerHeard_ = now;
  if (noPeerAlarmed_) {
    noPeerAlarmed_ = false;
    out.emplace_back(action::NoPeerHeardCleared{});
  }

  if (state_ == State::Backup)
    backupReceived(d, now, out);
  else
    masterReceived(d, now, out);
}

// RFC 5798 section 6.4.2, with keepalived's preempt_delay.
void Instance::backupReceived(const DecodedAdvert& d, TimePoint now, Actions& out) {
  const std::uint8_t priority = d.advert.priority;
  if (priority == kPriorityStop) {
    arm(TimerId::MasterDown, now + skewTime(), out);
    return;
  }

  const bool lower = priority < effectivePriority_;
  const bool delayConfigured = params_.preempt && params_.preemptDelay.count() > 0;
  if (lower && delayConfigured && preemptDelay_ == PreemptDelay::NotStarted) {
    preemptDelay_ = PreemptDelay::Running;
    arm(TimerId::PreemptDelay, now + params_.preemptDelay, out);
  } else if (!lower && preemptDelay_ == PreemptDelay::Running) {
    cancel(TimerId::PreemptDelay, out);
  }
  if (!lower) preemptDelay_ = PreemptDelay::NotStarted;

  currentMaster_ = d.meta.source;
  if (fastStartFrom_) {
    // "state MASTER" shortens only a silent start. Once a master is heard, keepalived 2.2.7 waits out
    // the full Master_Down_Interval from start-up before it preempts (measured against it on the wire).
    const TimePoint fullWait = *fastStartFrom_ + masterDownInterval();
    fastStartFrom_.reset();
    if (params_.preempt && lower && preemptDelay_ != PreemptDelay::Running) arm(TimerId::MasterDown, fullWait, out);
  }
  if (!params_.preempt || !lower || preemptDelay_ == PreemptDelay::Running) {
    if (params_.version == Version::V3) masterAdverInterval_ = Centiseconds{d.advert.advertInterval};
    arm(TimerId::MasterDown, now + masterDownInterval(), out);
  }
  // Otherwise a lower-priority master is ignored: the Master_Down timer keeps running and we take over.
}

// RFC 5798 section 6.4.3, plus keepalived's reply to lower priorities.
void Instance::masterReceived(const DecodedAdvert& d, TimePoint now, Actions& out) {
  const std::uint8_t priority = d.advert.priority;
  if (priority == kPriorityStop) {
    sendAdvert(effectivePriority_, out);
    arm(TimerId::Advert, now + params_.advertInterval, out);
    return;
  }
  const bool yield = priority > effectivePriority_ ||
                     (priority == effectivePriority_ && d.meta.source > params_.ownAddress);
  if (!yield) {
    if (!params_.lowerPrioNoAdvert) sendAdvert(effectivePriority_, out);
    trackConflict(d, now, out);
    return;
  }
  if (params_.higherPrioSendAdvert) sendAdvert(effectivePriority_, out);
  currentMaster_ = d.meta.source;
  masterAdverInterval_ =
      params_.version == Version::V3 ? Centiseconds{d.advert.advertInterval} : params_.advertInterval;
  backupWait_ = masterDownInterval();
  changeState(State::Backup, TransitionReason::HigherPriorityAdvert, now, out);
}

void Instance::timerExpired(TimerId timer, TimePoint now, Actions& out) {
  auto& deadline = timers_[index(timer)];
  const Duration early = timer == TimerId::Advert ? advertEarlyAllowance(params_.advertInterval) : Duration::zero();
  if (!deadline || now + early < *deadline) return;  // stale: cancelled or re-armed since
  const TimePoint due = *deadline;
  deadline.reset();

  switch (timer) {
    case TimerId::MasterDown:
      if (state_ == State::Backup) changeState(State::Master, TransitionReason::MasterDownTimer, now, out);
      break;
    case TimerId::Advert:
      if (state_ != State::Master) break;
      sendAdvert(effectivePriority_, out);
      // From when it was due, so that an advert sent early does not shorten the interval for the next ones.
      arm(TimerId::Advert, std::max(due, now) + params_.advertInterval, out);
      expireConflicts(now, out);
      checkNoPeer(now, out);
      break;
    case TimerId::PreemptDelay:
      if (preemptDelay_ == PreemptDelay::Running) preemptDelay_ = PreemptDelay::Elapsed;
      break;
    case TimerId::GarpDelay:
      if (state_ == State::Master) out.emplace_back(action::SendGratuitous{params_.garpMasterRepeat});
      break;
  }
}

void Instance::shutdown(TimePoint now, Actions& out) {
  if (state_ == State::Initialize) return;
  changeState(State::Initialize, TransitionReason::Shutdown, now, out);
}

void Instance::faultInputsChanged(bool wasFaulty, TimePoint now, Actions& out) {
  const bool isFaulty = faulty();
  if (isFaulty == wasFaulty || state_ == State::Initialize) return;
  if (isFaulty) {
    changeState(State::Fault, TransitionReason::FaultSet, now, out);
  } else if (state_ == State::Fault) {
    masterAdverInterval_ = params_.advertInterval;
    backupWait_ = masterDownInterval();
    changeState(isOwner(params_) ? State::Master : State::Backup, TransitionReason::FaultCleared, now, out);
  }
}

void Instance::priorityChanged(int priority) {
  // keepalived never moves an address owner off 255, nor anyone else onto 0 or 255.
  if (isOwner(params_)) return;
  effectivePriority_ = static_cast<std::uint8_t>(std::clamp(priority, 1, kPriorityOwner - 1));
}

void Instance::syncGroupRequest(State to, TimePoint now, Actions& out) {
  if (to == State::Master && state_ == State::Backup) {
    changeState(State::Master, TransitionReason::SyncGroup, now, out);
  } else if (to == State::Backup && state_ == State::Master) {
    backupWait_ = masterDownInterval();
    changeState(State::Backup, TransitionReason::SyncGroup, now, out);
  }
}

AcceptReason Instance::checkReplay(const DecodedAdvert& d, TimePoint now) {
  if (!d.ahSequence) return AcceptReason::Accepted;
  auto it = std::find_if(ahSenders_.begin(), ahSenders_.end(),
                         [&](const AhSender& s) { return s.source == d.meta.source; });
  if (it == ahSenders_.end()) {
    ahSenders_.push_back({d.meta.source, *d.ahSequence, now});
    return AcceptReason::Accepted;
  }
  // A sender silent for a whole Master_Down_Interval may have restarted its counter at 1; keepalived would
  // reject it until it overtook the old value.
  const bool restarted = now - it->lastSeen > masterDownInterval();
  if (!restarted && *d.ahSequence <= it->sequence) return AcceptReason::AhReplay;
  it->sequence = *d.ahSequence;
  it->lastSeen = now;
  return AcceptReason::Accepted;
}

void Instance::changeState(State to, TransitionReason reason, TimePoint now, Actions& out) {
  const State from = state_;
  out.emplace_back(action::LogTransition{from, to, reason});
  ++counters_.transitions;
  if (from == State::Master) leaveMaster(reason, out);
  state_ = to;
  preemptDelay_ = PreemptDelay::NotStarted;

  switch (to) {
    case State::Master:
      enterMaster(now, out);
      break;
    case State::Backup:
      enterBackup(now, out);
      break;
    case State::Fault:
    case State::Initialize:
      cancelAll(out);
      currentMaster_.reset();
      break;
  }
  out.emplace_back(action::Notify{to});
}

void Instance::enterMaster(TimePoint now, Actions& out) {
  ++counters_.becameMaster;
  cancel(TimerId::MasterDown, out);
  cancel(TimerId::PreemptDelay, out);
  currentMaster_ = params_.ownAddress;
  masterAdverInterval_ = params_.advertInterval;
  out.emplace_back(action::AddVips{});
  sendAdvert(effectivePriority_, out);
  if (params_.garpMasterRepeat > 0) {
    out.emplace_back(action::SendGratuitous{params_.garpMasterRepeat});
    if (params_.garpMasterDelay.count() > 0) arm(TimerId::GarpDelay, now + params_.garpMasterDelay, out);
  }
  arm(TimerId::Advert, now + params_.advertInterval, out);
  becameMasterAt_ = now;
}

void Instance::enterBackup(TimePoint now, Actions& out) {
  cancel(TimerId::PreemptDelay, out);
  arm(TimerId::MasterDown, now + backupWait_, out);
}

// Whatever state follows, a master that leaves tells the backups (unless a better master already exists) and
// gives the addresses back.
void Instance::leaveMaster(TransitionReason reason, Actions& out) {
  ++counters_.releasedMaster;
  cancel(TimerId::Advert, out);
  cancel(TimerId::GarpDelay, out);
  clearAlarms(out);
  if (reason != TransitionReason::HigherPriorityAdvert) sendAdvert(kPriorityStop, out);
  out.emplace_back(action::RemoveVips{});
}

void Instance::sendAdvert(std::uint8_t priority, Actions& out) {
  ++counters_.advertsSent;
  if (priority == kPriorityStop) ++counters_.priorityZeroSent;
  out.emplace_back(action::SendAdvert{priority});
}

void Instance::arm(TimerId timer, TimePoint at, Actions& out) {
  timers_[index(timer)] = at;
  out.emplace_back(action::ArmTimer{timer, at});
}

void Instance::cancel(TimerId timer, Actions& out) {
  auto& deadline = timers_[index(timer)];
  if (!deadline) return;
  deadline.reset();
  out.emplace_back(action::CancelTimer{timer});
}

void Instance::cancelAll(Actions& out) {
  for (std::size_t i = 0; i < kTimerCount; ++i) cancel(static_cast<TimerId>(i), out);
}

void Instance::trackConflict(const DecodedAdvert& d, TimePoint now, Actions& out) {
  if (!params_.splitBrainDetection) return;
  auto it = std::find_if(conflicts_.begin(), conflicts_.end(),
                         [&](const Conflict& c) { return c.peer == d.meta.source; });
  if (it == conflicts_.end()) {
    conflicts_.push_back({d.meta.source, d.advert.priority, now, now, false});
    return;
  }
  // A gap longer than Master_Down_Interval means the peer had stopped claiming master: start counting again.
  if (now - it->lastSeen > masterDownInterval()) it->firstSeen = now;
  it->lastSeen = now;
  it->priority = d.advert.priority;
  if (!it->alarmed && now - it->firstSeen > masterDownInterval()) {
    it->alarmed = true;
    ++counters_.splitBrainAlarms;
    out.emplace_back(action::SplitBrainAlarm{it->peer, it->priority});
  }
}

void Instance::expireConflicts(TimePoint now, Actions& out) {
  std::erase_if(conflicts_, [&](const Conflict& c) {
    if (now - c.lastSeen <= masterDownInterval()) return false;
    if (c.alarmed) out.emplace_back(action::SplitBrainCleared{c.peer});
    return true;
  });
}

void Instance::checkNoPeer(TimePoint now, Actions& out) {
  if (params_.noPeerAlarmIntervals == 0 || params_.initialState != State::Backup || noPeerAlarmed_) return;
  const TimePoint silentSince =
      lastPeerHeard_ && *lastPeerHeard_ > becameMasterAt_ ? *lastPeerHeard_ : becameMasterAt_;
  const Duration silence = std::chrono::duration_cast<Duration>(now - silentSince);
  if (silence >= masterDownInterval() * params_.noPeerAlarmIntervals) {
    noPeerAlarmed_ = true;
    ++counters_.noPeerAlarms;
    out.emplace_back(action::NoPeerHeardAlarm{silence});
  }
}

void Instance::clearAlarms(Actions& out) {
  for (const auto& c : conflicts_)
    if (c.alarmed) out.emplace_back(action::SplitBrainCleared{c.peer});
  conflicts_.clear();
  if (noPeerAlarmed_) out.emplace_back(action::NoPeerHeardCleared{});
  noPeerAlarmed_ = false;
}

}  // namespace tandem::vrrp
