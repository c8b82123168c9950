#include "vrrp/engine.h"
#include "vrrp/timing.h"

#include <algorithm>
#include <map>

#include "vrrp/engine_members.h"

namespace tandem::vrrp {
namespace {

bool sameChannel(const ChannelSpec& a, const ChannelSpec& b) {
  return a.interface == b.interface && a.family == b.family && a.multicastGroup == b.multicastGroup &&
         a.unicastPeers == b.unicastPeers && a.sourceAddress == b.sourceAddress && a.unicastTtl == b.unicastTtl;
}

// The VRID, read before decoding because the decode options (authentication) belong to the instance.
std::optional<std::uint8_t> vridOf(const ReceivedPacket& p) {
  const auto b = p.bytes;
  std::size_t at = 0;
  if (p.family == Family::Ipv4) {
    if (b.size() < kIpv4HeaderSize) return std::nullopt;
    at = std::size_t{b[0] & 0x0fu} * 4;
    if (b[9] == kIpProtoAh) at += kAhHeaderSize;
  }
  if (b.size() < at + 2) return std::nullopt;
  return b[at + 1];
}

std::optional<IpAddress> sourceFor(const InstanceConfig& c, const std::optional<InterfaceInfo>& link) {
  if (c.channel.sourceAddress) return c.channel.sourceAddress;
  if (!link) return std::nullopt;
  return c.channel.family == Family::Ipv4 ? link->primaryIpv4 : link->linkLocalIpv6;
}

}  // namespace

std::string instanceTag(const std::string& name) { return "VRRP_Instance(" + name + ")"; }

Engine::Engine(EngineConfig config, EnginePorts ports, EngineOptions options)
    : ports_(ports), options_(options), alive_(std::make_shared<bool>(true)) {
  for (auto& s : config.scripts) {
    const int rise = s.rise;
    const int fall = s.fall;
    const bool initFail = s.initFail;
    scripts_.push_back(Script{std::move(s), ScriptHealth(rise, fall, initFail), {}, {}, false});
  }
  for (auto& c : config.instances) {
    auto member = std::make_unique<Member>();
    member->config = std::move(c);
    member->interfaceStates.assign(member->config.trackInterfaces.size(), TrackState::Unknown);
    members_.push_back(std::move(member));
  }
  for (std::size_t m = 0; m < members_.size(); ++m) {
    for (const auto& ref : members_[m]->config.trackScripts)
      for (auto& s : scripts_)
        if (s.config.name == ref.name && std::find(s.users.begin(), s.users.end(), m) == s.users.end())
          s.users.push_back(m);
  }
  for (auto& g : config.syncGroups) {
    Group group{std::move(g), {}, State::Initialize};
    for (const auto& name : group.config.members)
      for (std::size_t m = 0; m < members_.size(); ++m)
        if (members_[m]->config.params.name == name) group.members.push_back(m);
    // keepalived drops a sync group of fewer than two instances.
    if (group.members.size() < 2) continue;
    for (std::size_t m : group.members) members_[m]->group = groups_.size();
    groups_.push_back(std::move(group));
  }
}

Engine::~Engine() {
  for (std::size_t m = 0; m < members_.size(); ++m)
    for (std::size_t t = 0; t < kMemberTimers; ++t) cancelTimer(m, t);
  for (auto& s : scripts_)
    if (s.timer) ports_.timers.cancel(*s.timer);
  if (resumeSaveTimer_) ports_.timers.cancel(*resumeSaveTimer_);
}

void Engine::start() {
  if (started_) return;
  started_ = true;
  ports_.interfaces.watch(guarded([this](const InterfaceInfo& info) { onInterfaceChange(info); }));

  // Each interface looked up once, however many instances use it: a lookup is a netlink request and a dump of every
  // address, and a reload of a thousand instances would otherwise make a thousand of them.
  std::map<std::string, std::optional<InterfaceInfo>> links;
  auto find = [&](const std::string& name) -> const std::optional<InterfaceInfo>& {
    auto it = links.find(name);
    if (it == links.end()) it = links.emplace(name, ports_.interfaces.find(name)).first;
    return it->second;
  };
  for (std::size_t m = 0; m < members_.size(); ++m) {
    Member& member = *members_[m];
    member.link = find(member.config.interface);
    if (!member.link) log(EngineLog::Level::Error, instanceTag(member.config.params.name) + " interface " +
                                                    member.config.interface + " not found");
    member.primaryUp = member.link && member.link->up;
    for (std::size_t i = 0; i < member.config.trackInterfaces.size(); ++i) {
      const auto& link = find(member.config.trackInterfaces[i].name);
      member.interfaceStates[i] = link && link->up ? TrackState::Ok : TrackState::Failed;
    }
    if (!member.adopted) {
      InstanceParams params = member.config.params;
      const auto source = sourceFor(member.config, member.link);
      member.noAddress = !source;
      if (source) params.ownAddress = *source;
      else log(EngineLog::Level::Error, instanceTag(params.name) + " no IPv" +
                                          (params.family == Family::Ipv4 ? "4" : "6") + " address on " +
                                          member.config.interface + ": FAULT until one appears");
      member.instance.emplace(std::move(params));
      member.toldPriority = member.config.params.priority;
      if (member.config.params.authType == AuthType::Ah)
        member.ahSequenceReserved = member.ahSequence + kAhSequenceReservation;
    }
    openChannel(m);
  }
  decideResumes();

  for (std::size_t m = 0; m < members_.size(); ++m) {
    Member& member = *members_[m];
    if (!member.adopted) continue;
    member.started = true;
    for (std::size_t t = 0; t < kTimerCount; ++t)
      if (auto at = member.instance->deadline(static_cast<TimerId>(t))) armTimer(m, t, *at);
    if (member.instance->state() == State::Master && member.config.garpMasterRefresh.count() > 0)
      armTimer(m, static_cast<std::size_t>(MemberTimer::GarpRefresh),
               ports_.timers.now() + member.config.garpMasterRefresh);
    log(EngineLog::Level::Info, instanceTag(member.config.params.name) + " kept running in " +
                                  std::string(toString(member.instance->state())) + " across the reload");
    if (!member.addedByReload.empty()) addReloadedVips(m);
  }
  updateAllInputs();
  for (auto& g : groups_) {
    const auto views = groupViews(static_cast<std::size_t>(&g - groups_.data()));
    if (auto st = groupStateOf(views)) g.state = *st;
  }

  const TimePoint now = ports_.timers.now();
  for (std::size_t s = 0; s < scripts_.size(); ++s)
    if (!scripts_[s].users.empty()) scheduleScript(s, now);
  startWaitingMembers();
  saveResumeRecords();
}

void Engine::decideResumes() {
  if (options_.resumeFrom.empty()) return;
  for (auto& member : members_) {
    if (member->adopted) continue;
    const InstanceConfig& c = member->config;
    const ResumeRecord* record = findRecord(options_.resumeFrom, c.params.name);
    if (record && record->interface == c.interface && record->family == c.params.family &&
        record->vrid == c.params.vrid && c.params.authType == AuthType::Ah) {
      member->ahSequence = record->ahSequenceReserved;
      member->ahSequenceReserved = member->ahSequence + kAhSequenceReservation;
    }
    const ResumeDecision decision = decideResume(c, record);
    member->resumeMaster = decision.resumeMaster;
    log(EngineLog::Level::Info, instanceTag(c.params.name) + (decision.resumeMaster ? " resumes as MASTER: "
                                                                                    : " starts afresh: ") +
                                  decision.why);
  }
  // Members of a vrrp_sync_group change state together: one that cannot resume holds the others to a fresh start.
  for (const auto& g : groups_) {
    const bool all = std::all_of(g.members.begin(), g.members.end(),
                                 [this](std::size_t m) { return members_[m]->resumeMaster; });
    if (all) continue;
    for (std::size_t m : g.members) {
      if (!members_[m]->resumeMaster) continue;
      members_[m]->resumeMaster = false;
      log(EngineLog::Level::Info, instanceTag(members_[m]->config.params.name) + " starts afresh with VRRP_Group(" +
                                    g.config.name + "), which cannot resume as a whole");
    }
  }
}

std::vector<ResumeRecord> Engine::resumeRecords() const {
  std::vector<ResumeRecord> out;
  for (const auto& member : members_) {
    if (!member->instance) continue;
    const InstanceConfig& c = member->config;
    out.push_back(ResumeRecord{c.params.name, c.interface, c.params.family, c.params.vrid,
                               member->instance->state(), vipsFingerprint(c), member->ahSequenceReserved});
  }
  return out;
}

void Engine::saveResumeRecords() {
  if (!ports_.resume) return;
  if (resumeSaveTimer_) ports_.timers.cancel(*resumeSaveTimer_), resumeSaveTimer_.reset();
  ports_.resume->save(resumeRecords());
}

// Transitions come in bursts (a thousand instances time out together): one write after the burst, on the loop's
// next turn, is enough. A crash inside that turn leaves the previous record, which the RFC rules then correct.
void Engine::scheduleResumeSave() {
  if (!ports_.resume || resumeSaveTimer_) return;
  resumeSaveTimer_ = ports_.timers.arm(ports_.timers.now(), guarded([this] {
                                         resumeSaveTimer_.reset();
                                         saveResumeRecords();
                                       }));
}

void Engine::openChannel(std::size_t m) {
  Member& member = *members_[m];
  for (std::size_t c = 0; c < channels_.size(); ++c) {
    if (!sameChannel(channels_[c].spec, member.config.channel)) continue;
    member.channel = c;
    channels_[c].members.push_back(m);
    member.channelFailed = !channels_[c].channel;
    return;
  }
  const std::size_t c = channels_.size();
  channels_.push_back(Channel{member.config.channel, nullptr, {m}, 0, 0});
  member.channel = c;
  std::string error;
  auto channel = ports_.channels.open(
      member.config.channel, guarded([this, c](const ReceivedPacket& p) { onPacket(c, p); }), error);
  if (!channel) {
    log(EngineLog::Level::Error, instanceTag(member.config.params.name) + " cannot open the VRRP socket on " +
                                   member.config.interface + ": " + error);
    member.channelFailed = true;
  }
  channels_[c].channel = std::move(channel);
}

bool Engine::startHeld(std::size_t m) const {
  auto held = [this](const Member& member) {
    for (const auto& ref : member.config.trackScripts)
      if (auto st = scriptState(ref.name); st && holdsStartup(ref, *st)) return true;
    return false;
  };
  const Member& member = *members_[m];
  // A resumed master answers for its VIPs at once; the scripts' verdicts follow as priority or FAULT.
  if (member.resumeMaster) return false;
  if (!member.group) return held(member);
  for (std::size_t other : groups_[*member.group].members)
    if (held(*members_[other])) return true;
  return false;
}

void Engine::startWaitingMembers() {
  if (stopping_) return;
  for (std::size_t m = 0; m < members_.size(); ++m)
    if (!members_[m]->started && !startHeld(m)) startMember(m);
}

void Engine::startMember(std::size_t m) {
  Member& member = *members_[m];
  member.started = true;
  const State from = member.instance->state();
  const Actions actions = member.resumeMaster ? member.instance->onEvent(event::Resume{}, ports_.timers.now())
                                             : member.instance->onEvent(event::Startup{}, ports_.timers.now());
  if (member.instance->state() != State::Master) removeLeftoverVips(m);
  execute(m, actions);
  afterTransition(m, from, member.instance->state());
}

// keepalived removes the addresses of an instance that does not start as MASTER, in case an earlier run (killed,
// or stopped with -V) left them: two masters' worth of VIPs on the link is worse than a brief gap.
void Engine::removeLeftoverVips(std::size_t m) {
  const Member& member = *members_[m];
  for (const auto* list : {&member.config.vips, &member.config.excludedVips}) {
    for (const auto& vip : *list) {
      if (!ports_.addresses.present(vip, member.config.interface)) continue;
      std::string error;
      if (ports_.addresses.remove(vip, member.config.interface, error))
        log(EngineLog::Level::Info, instanceTag(member.config.params.name) + " removed leftover VIP " + describeVip(vip));
      else
        log(EngineLog::Level::Error, instanceTag(member.config.params.name) + " cannot remove leftover VIP " +
                                       describeVip(vip) + ": " + error);
    }
  }
}

void Engine::shutdown() {
  if (stopping_) return;
  stopping_ = true;
  for (auto& s : scripts_)
    if (s.timer) ports_.timers.cancel(*s.timer), s.timer.reset();
  for (std::size_t m = 0; m < members_.size(); ++m) {
    Member& member = *members_[m];
    if (!member.instance || !member.started) continue;
    if (!options_.dontReleaseVrrp) {
      deliver(m, event::Shutdown{});
      continue;
    }
    for (std::size_t t = 0; t < kMemberTimers; ++t) cancelTimer(m, t);
    log(EngineLog::Level::Info, instanceTag(member.config.params.name) + " stopping in " +
                                  std::string(toString(member.instance->state())) + ", VIPs left in place (-V)");
    notifyInstance(m, State::Initialize);
  }
  if (options_.dontReleaseVrrp)
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      groups_[g].state = State::Initialize;
      notifyGroup(g, State::Initialize);
    }
  saveResumeRecords();
}

void Engine::onPacket(std::size_t c, const ReceivedPacket& packet) {
  if (stopping_) return;
  Channel& channel = channels_[c];
  const auto vrid = vridOf(packet);
  if (!vrid) {
    ++channel.unroutable;
    return;
  }
  bool known = false;
  for (std::size_t m : channel.members) {
    Member& member = *members_[m];
    if (!member.instance || !member.started || member.config.params.vrid != *vrid) continue;
    known = true;
    const InstanceParams& p = member.config.params;
    const DecodeOptions options{p.authType, p.authData, member.config.v3ChecksumAsV2,
                                !member.config.channel.unicastPeers.empty()};
    const DecodeResult r = packet.family == Family::Ipv4
                               ? decodeIpv4Packet(packet.bytes, packet.meta.ifindex, options)
                               : decodeAdvert(packet.bytes, packet.meta, options);
    if (r.ok()) {
      const auto accepted = member.instance->counters().advertsReceived;
      deliver(m, event::AdvertReceived{r.decoded});
      // keepalived keeps one AH sequence for what it sends and what it accepts, so a restarted
      // node continues past its peer's numbers instead of starting at 1 and being dropped as replay.
      if (r.decoded.ahSequence && member.instance && member.instance->counters().advertsReceived > accepted)
        member.ahSequence = std::max(member.ahSequence, *r.decoded.ahSequence);
    } else {
      log(EngineLog::Level::Debug, instanceTag(p.name) + " dropped a packet from " + packet.meta.source.toString() +
                                     ": " + std::string(toString(r.error)));
      deliver(m, event::DecodeFailed{r.error});
    }
  }
  if (!known) ++channel.unknownVrid;
}

void Engine::deliver(std::size_t m, const Event& event) {
  Member& member = *members_[m];
  if (!member.instance) return;
  const State from = member.instance->state();
  const Actions actions = member.instance->onEvent(event, ports_.timers.now());
  execute(m, actions);
  if (member.instance->state() != from) afterTransition(m, from, member.instance->state());
}

void Engine::armTimer(std::size_t m, std::size_t slot, TimePoint at) {
  cancelTimer(m, slot);
  auto fire = guarded([this, m, slot] {
    members_[m]->timers[slot].reset();
    if (slot < kTimerCount) onInstanceTimer(m, static_cast<TimerId>(slot));
    else if (slot == static_cast<std::size_t>(MemberTimer::Garp)) sendNextGratuitous(m);
    else onGarpRefresh(m);
  });
  // The adverts of many instances due about the same time go out together: one wake-up and one batch.
  if (slot == static_cast<std::size_t>(TimerId::Advert)) {
    const auto early = advertEarlyAllowance(members_[m]->config.params.advertInterval);
    members_[m]->timers[slot] = ports_.timers.armRoutine(at, early, std::move(fire));
  } else {
    members_[m]->timers[slot] = ports_.timers.arm(at, std::move(fire));
  }
}

void Engine::cancelTimer(std::size_t m, std::size_t slot) {
  auto& handle = members_[m]->timers[slot];
  if (!handle) return;
  ports_.timers.cancel(*handle);
  handle.reset();
}

void Engine::onInstanceTimer(std::size_t m, TimerId timer) {
  Member& member = *members_[m];
  if (timer == TimerId::MasterDown && member.group) {
    const auto& group = groups_[*member.group];
    const auto self = static_cast<std::size_t>(
        std::find(group.members.begin(), group.members.end(), m) - group.members.begin());
    if (!othersReadyForMaster(groupViews(*member.group), self, ports_.timers.now())) {
      if (!member.waitingForGroup)
        log(EngineLog::Level::Info, instanceTag(member.config.params.name) + " master-down timer expired; waiting for "
                                      "the rest of VRRP_Group(" + group.config.name + ") before taking over");
      member.waitingForGroup = true;
      return;
    }
  }
  deliver(m, event::TimerExpired{timer});
}

const Instance* Engine::instance(std::string_view name) const {
  for (const auto& m : members_)
    if (m->config.params.name == name && m->instance) return &*m->instance;
  return nullptr;
}

const InstanceConfig* Engine::instanceConfig(std::string_view name) const {
  for (const auto& m : members_)
    if (m->config.params.name == name) return &m->config;
  return nullptr;
}

std::optional<State> Engine::groupState(std::string_view group) const {
  for (const auto& g : groups_)
    if (g.config.name == group) return g.state;
  return std::nullopt;
}

std::optional<TrackState> Engine::scriptState(std::string_view script) const {
  for (const auto& s : scripts_)
    if (s.config.name == script) return s.health.state();
  return std::nullopt;
}

std::uint64_t Engine::unknownVrid(const std::string& interface, Family family) const {
  std::uint64_t n = 0;
  for (const auto& c : channels_)
    if (c.spec.interface == interface && c.spec.family == family) n += c.unknownVrid;
  return n;
}

std::uint64_t Engine::unroutable(const std::string& interface, Family family) const {
  std::uint64_t n = 0;
  for (const auto& c : channels_)
    if (c.spec.interface == interface && c.spec.family == family) n += c.unroutable;
  return n;
}

std::vector<std::string> Engine::instanceNames() const {
  std::vector<std::string> names;
  for (const auto& m : members_) names.push_back(m->config.params.name);
  return names;
}

std::optional<TransitionRecord> Engine::lastTransition(std::string_view name) const {
  for (const auto& m : members_)
    if (m->config.params.name == name) return m->lastTransition;
  return std::nullopt;
}

std::vector<ChannelCounters> Engine::channelCounters() const {
  std::vector<ChannelCounters> out;
  for (const auto& c : channels_) out.push_back({c.spec.interface, c.spec.family, c.unknownVrid, c.unroutable});
  return out;
}

bool Engine::handOver(std::string_view name, Engine& to) {
  auto find = [name](std::vector<std::unique_ptr<Member>>& v) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < v.size(); ++i)
      if (v[i]->config.params.name == name) return i;
    return std::nullopt;
  };
  const auto from = find(members_);
  const auto target = find(to.members_);
  if (!from || !target || to.started_ || stopping_) return false;
  Member& src = *members_[*from];
  Member& dst = *to.members_[*target];
  const bool same = src.config.interface == dst.config.interface &&
                    src.config.params.family == dst.config.params.family &&
                    src.config.params.vrid == dst.config.params.vrid;
  if (!same || !src.instance || !src.started) return false;
  for (std::size_t t = 0; t < kMemberTimers; ++t) cancelTimer(*from, t);
  dst.instance = std::move(src.instance);
  src.instance.reset();
  dst.ipId = src.ipId;
  dst.ahSequence = src.ahSequence;
  dst.ahSequenceReserved = src.ahSequenceReserved;
  dst.noAddress = src.noAddress;
  dst.lastTransition = src.lastTransition;
  dst.adopted = true;
  // What the Instance already knows: the new engine delivers only what differs under the new configuration.
  dst.toldPrimaryUp = src.toldPrimaryUp;
  dst.toldFault = src.toldFault;
  dst.toldPriority = src.toldPriority;
  reconcileReloadedVips(src, dst);
  return true;
}

// The VIPs of an instance kept across a reload follow the new configuration: while it is MASTER those it no longer
// has are removed now (before the new instances start: another may claim them), those it gained are added once the
// new engine starts (after the old one has released what it gives up). VIPs in both lists are not touched.
void Engine::reconcileReloadedVips(const Member& src, Member& dst) {
  auto all = [](const InstanceConfig& c) {
    std::vector<VirtualAddress> vips = c.vips;
    vips.insert(vips.end(), c.excludedVips.begin(), c.excludedVips.end());
    return vips;
  };
  auto missingFrom = [](const std::vector<VirtualAddress>& from, const std::vector<VirtualAddress>& in) {
    std::vector<VirtualAddress> out;
    for (const VirtualAddress& v : from)
      if (std::find(in.begin(), in.end(), v) == in.end()) out.push_back(v);
    return out;
  };
  const std::vector<VirtualAddress> before = all(src.config), after = all(dst.config);
  InstanceParams params = dst.config.params;
  dst.instance->reconfigure(std::move(params));
  if (dst.instance->state() != State::Master) return;
  const std::string tag = instanceTag(dst.config.params.name);
  for (const VirtualAddress& vip : missingFrom(before, after)) {
    std::string error;
    if (ports_.addresses.remove(vip, src.config.interface, error))
      log(EngineLog::Level::Info, tag + " reload: removed VIP " + describeVip(vip));
    else
      log(EngineLog::Level::Error, tag + " reload: cannot remove VIP " + describeVip(vip) + ": " + error);
  }
  dst.addedByReload = missingFrom(after, before);
}

}  // namespace tandem::vrrp
