// Engine: track scripts, interface changes, what each Instance is told about faults and priority, sync groups.
#include <algorithm>

#include "vrrp/engine_members.h"

namespace tandem::vrrp {
namespace {

using Level = EngineLog::Level;

std::size_t indexIn(const std::vector<std::size_t>& v, std::size_t x) {
  return static_cast<std::size_t>(std::find(v.begin(), v.end(), x) - v.begin());
}

}  // namespace

void Engine::scheduleScript(std::size_t s, TimePoint at) {
  Script& script = scripts_[s];
  if (script.timer) ports_.timers.cancel(*script.timer);
  script.timer = ports_.timers.arm(at, guarded([this, s] {
    scripts_[s].timer.reset();
    runTrackScript(s);
  }));
}

// keepalived starts a run every `interval`; a run still going at the next tick is left alone, not doubled.
void Engine::runTrackScript(std::size_t s) {
  if (stopping_) return;
  Script& script = scripts_[s];
  if (script.running) {
    log(Level::Debug, "VRRP_Script(" + script.config.name + ") still running, this run skipped");
  } else if (script.config.command.set()) {
    script.running = true;
    const auto& c = script.config.command;
    ports_.scripts.run(c.argv, script.config.timeout, c.user,
                       guarded([this, s](int status) { onScriptResult(s, status); }));
  }
  scheduleScript(s, ports_.timers.now() + scripts_[s].config.interval);
}

void Engine::onScriptResult(std::size_t s, int status) {
  Script& script = scripts_[s];
  script.running = false;
  if (stopping_) return;
  if (!script.health.onResult(status == 0)) return;
  const std::string outcome = script.health.state() == TrackState::Ok
                                  ? "succeeded"
                                  : (status < 0 ? "failed (timed out or could not run)"
                                                : "failed (exited with status " + std::to_string(status) + ")");
  log(Level::Info, "VRRP_Script(" + script.config.name + ") " + outcome);
  updateAllInputs();
  startWaitingMembers();
}

void Engine::onInterfaceChange(const InterfaceInfo& info) {
  if (stopping_) return;
  for (std::size_t m = 0; m < members_.size(); ++m) {
    Member& member = *members_[m];
    for (std::size_t i = 0; i < member.config.trackInterfaces.size(); ++i)
      if (member.config.trackInterfaces[i].name == info.name)
        member.interfaceStates[i] = info.up ? TrackState::Ok : TrackState::Failed;
    if (member.config.interface != info.name) continue;
    member.link = info;
    if (member.primaryUp != info.up)
      log(Level::Info, instanceTag(member.config.params.name) + " interface " + info.name + (info.up ? " up" : " down"));
    member.primaryUp = info.up;

    // An instance that could not start for want of a source address gets a fresh Instance once one appears.
    const auto source = member.config.channel.family == Family::Ipv4 ? info.primaryIpv4 : info.linkLocalIpv6;
    const bool idle = !member.instance || member.instance->state() == State::Fault ||
                      member.instance->state() == State::Initialize;
    if (member.noAddress && source && idle && !member.config.channel.sourceAddress) {
      for (std::size_t t = 0; t < kMemberTimers; ++t) cancelTimer(m, t);
      InstanceParams params = member.config.params;
      params.ownAddress = *source;
      member.instance.emplace(std::move(params));
      member.noAddress = false;
      member.started = false;
      member.toldPrimaryUp = true;
      member.toldFault = false;
      member.toldPriority = member.config.params.priority;
      log(Level::Info, instanceTag(member.config.params.name) + " source address " + source->toString() + " on " +
                           info.name + ": starting");
    }
  }
  updateAllInputs();
  startWaitingMembers();
}

bool Engine::ownFault(const Member& member, bool withPrimary) const {
  if (member.channelFailed || member.noAddress) return true;
  if (withPrimary && member.config.trackPrimaryInterface && !member.primaryUp) return true;
  for (std::size_t i = 0; i < member.config.trackInterfaces.size(); ++i)
    if (causesFault(member.config.trackInterfaces[i], member.interfaceStates[i])) return true;
  for (const auto& ref : member.config.trackScripts)
    if (auto st = scriptState(ref.name); st && causesFault(ref, *st)) return true;
  return false;
}

int Engine::trackedPriority(const Member& member) const {
  int priority = member.config.params.priority;
  for (std::size_t i = 0; i < member.config.trackInterfaces.size(); ++i)
    priority += priorityContribution(member.config.trackInterfaces[i], member.interfaceStates[i]);
  for (const auto& ref : member.config.trackScripts)
    if (auto st = scriptState(ref.name)) priority += priorityContribution(ref, *st);
  return priority;
}

// The Instance hears about its own interface through InterfaceChanged and about everything else (trackers, a
// socket that would not open, a missing address, another sync group member's fault) through FaultChanged.
void Engine::updateInputs(std::size_t m) {
  Member& member = *members_[m];
  if (!member.instance || stopping_) return;
  const bool primaryUp = !member.config.trackPrimaryInterface || member.primaryUp;
  bool fault = ownFault(member, false);
  if (member.group)
    for (std::size_t other : groups_[*member.group].members)
      if (other != m && ownFault(*members_[other], true)) fault = true;

  const int priority = trackedPriority(member);
  if (priority != member.toldPriority) {
    member.toldPriority = priority;
    const int before = member.instance->effectivePriority();
    deliver(m, event::PriorityChanged{priority});
    if (member.instance->effectivePriority() != before)
      log(Level::Info, instanceTag(member.config.params.name) + " effective priority " + std::to_string(before) +
                           " -> " + std::to_string(member.instance->effectivePriority()));
  }
  if (primaryUp != member.toldPrimaryUp) {
    member.toldPrimaryUp = primaryUp;
    deliver(m, event::InterfaceChanged{primaryUp});
  }
  if (fault != member.toldFault) {
    member.toldFault = fault;
    deliver(m, event::FaultChanged{fault});
  }
}

void Engine::updateAllInputs() {
  for (std::size_t m = 0; m < members_.size(); ++m) updateInputs(m);
}

std::vector<MemberView> Engine::groupViews(std::size_t g) const {
  std::vector<MemberView> views;
  for (std::size_t m : groups_[g].members) {
    const Member& member = *members_[m];
    if (member.instance) views.push_back({member.instance->state(), member.instance->deadline(TimerId::MasterDown)});
    else views.push_back({});
  }
  return views;
}

void Engine::afterTransition(std::size_t m, State from, State to) {
  if (from != to && options_.onStateChange) options_.onStateChange(members_[m]->config.params.name, from, to);
  scheduleResumeSave();
  const auto g = members_[m]->group;
  if (!g) return;
  const auto& members = groups_[*g].members;
  if (!stopping_) {
    for (const auto& [i, state] : followTransition(groupViews(*g), indexIn(members, m), from, to)) {
      members_[members[i]]->waitingForGroup = false;
      deliver(members[i], event::SyncGroupRequest{state});
    }
  }
  updateGroupState(*g);
}

void Engine::updateGroupState(std::size_t g) {
  const auto state = groupStateOf(groupViews(g));
  if (!state || *state == groups_[g].state) return;
  groups_[g].state = *state;
  notifyGroup(g, *state);
}

}  // namespace tandem::vrrp
