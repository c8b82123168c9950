// Engine: carrying out what the instances ask (adverts, addresses, gratuitous ARP/NA, notify scripts, logs).
#include <algorithm>
#include <limits>
#include <stdexcept>

#include "vrrp/engine_members.h"
#include "vrrp/overloaded.h"

namespace tandem::vrrp {
namespace {

using Level = EngineLog::Level;

// keepalived runs notify scripts without a time limit; a hung one then piles up a process per
// transition. Tandem kills its process group after a minute: long enough for a service restart.
constexpr std::chrono::milliseconds kNotifyTimeout{60'000};

std::string_view notifyWord(State state) { return state == State::Initialize ? "STOP" : toString(state); }

const ScriptCommand& scriptFor(const NotifyScripts& scripts, State state) {
  switch (state) {
    case State::Master: return scripts.master;
    case State::Backup: return scripts.backup;
    case State::Fault: return scripts.fault;
    case State::Initialize: return scripts.stop;
  }
  return scripts.stop;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

}  // namespace

std::string describeVip(const VirtualAddress& vip) {
  std::string s = vip.address.toString();
  if (vip.prefixLength >= 0) s += "/" + std::to_string(vip.prefixLength);
  if (!vip.device.empty()) s += " dev " + vip.device;
  return s;
}

std::string_view describe(TransitionReason reason) {
  switch (reason) {
    case TransitionReason::Startup: return "startup";
    case TransitionReason::MasterDownTimer: return "master-down timer";
    case TransitionReason::HigherPriorityAdvert: return "higher priority advert";
    case TransitionReason::FaultSet: return "fault";
    case TransitionReason::FaultCleared: return "fault cleared";
    case TransitionReason::Shutdown: return "shutdown";
    case TransitionReason::SyncGroup: return "sync group";
    case TransitionReason::Resumed: return "resumed after a VRRP child restart";
  }
  return "unknown";
}

// A takeover's log lines (the transition, the VIPs added) are written after its advert and gratuitous ARP have
// left: a line costs a syslog round trip, more than either packet, and the failover clock runs until the ARP.
// Their order among themselves is kept; nested executions (sync group members) flush with the outermost one.
void Engine::execute(std::size_t m, const Actions& actions) {
  struct HoldLog {
    Engine& engine;
    explicit HoldLog(Engine& e) : engine(e) { ++engine.executing_; }
    ~HoldLog() {
      if (--engine.executing_ > 0) return;
      auto lines = std::move(engine.heldLog_);
      engine.heldLog_.clear();
      for (auto& [level, line] : lines) engine.ports_.log.log(level, line);
    }
  } hold(*this);
  Member& member = *members_[m];
  const std::string tag = instanceTag(member.config.params.name);
  for (const Action& action : actions) {
    std::visit(Overloaded{
                   [&](const action::SendAdvert& a) { sendAdvert(m, a.priority); },
                   [&](const action::AddVips&) { setVips(m, true); },
                   [&](const action::RemoveVips&) { setVips(m, false); },
                   [&](const action::SendGratuitous& a) { queueGratuitous(m, a.repeat); },
                   [&](const action::ArmTimer& a) {
                     if (a.timer == TimerId::MasterDown) member.waitingForGroup = false;
                     armTimer(m, static_cast<std::size_t>(a.timer), a.at);
                   },
                   [&](const action::CancelTimer& a) { cancelTimer(m, static_cast<std::size_t>(a.timer)); },
                   [&](const action::Notify& a) { notifyInstance(m, a.state); },
                   [&](const action::LogTransition& a) {
                     member.lastTransition = TransitionRecord{a.from, a.to, a.reason, ports_.timers.now()};
                     log(Level::Info, tag + " " + std::string(toString(a.from)) + " -> " +
                                          std::string(toString(a.to)) + " (" + std::string(describe(a.reason)) + ")");
                   },
                   [&](const action::SplitBrainAlarm& a) {
                     log(Level::Error, tag + " SPLIT BRAIN: " + a.peer.toString() + " (priority " +
                                           std::to_string(a.peerPriority) + ") keeps advertising as master for VRID " +
                                           std::to_string(member.config.params.vrid) +
                                           " while we are master: it does not hear us");
                   },
                   [&](const action::SplitBrainCleared& a) {
                     log(Level::Warning, tag + " split brain with " + a.peer.toString() + " cleared");
                   },
                   [&](const action::NoPeerHeardAlarm& a) {
                     log(Level::Warning, tag + " master without hearing any peer for " +
                                             std::to_string(a.silence.count() / 1000) + " ms");
                   },
                   [&](const action::NoPeerHeardCleared&) { log(Level::Info, tag + " hears a peer again"); },
               },
               action);
  }
}

// The recorded reservation stays at least half a block ahead of what was sent, so a successor never reuses a
// number even when this process dies before the new reservation reaches the record.
void Engine::reserveAhSequence(Member& member) {
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint32_t>::max();
  const std::uint64_t sent = member.ahSequence;
  if (sent + kAhSequenceReservation / 2 <= member.ahSequenceReserved) return;
  member.ahSequenceReserved = static_cast<std::uint32_t>(std::min(kMax, sent + kAhSequenceReservation));
  scheduleResumeSave();
}

void Engine::sendAdvert(std::size_t m, std::uint8_t priority) {
  Member& member = *members_[m];
  if (!member.channel || !channels_[*member.channel].channel || !member.instance) return;
  const InstanceParams& p = member.instance->params();
  Advert advert;
  advert.version = p.version;
  advert.vrid = p.vrid;
  advert.priority = priority;
  const auto centis = p.advertInterval.count();
  advert.advertInterval = static_cast<std::uint16_t>(p.version == Version::V3 ? centis : centis / 100);
  advert.family = p.family;
  advert.addresses = p.virtualAddresses;
  advert.authType = p.authType;
  advert.authData = p.authData;

  const ChannelSpec& spec = member.config.channel;
  std::vector<IpAddress> destinations = spec.unicastPeers;
  if (destinations.empty()) destinations.push_back(spec.multicastGroup);
  AdvertChannel& channel = *channels_[*member.channel].channel;
  for (const auto& destination : destinations) {
    try {
      std::vector<std::uint8_t> bytes;
      if (p.family == Family::Ipv4) {
        Ipv4PacketParams ip;
        ip.source = p.ownAddress;
        ip.destination = destination;
        if (++member.ipId == 0) member.ipId = 1;  // 0 would let the kernel choose
        ip.id = member.ipId;
        if (p.authType == AuthType::Ah) {
          ip.ahSequence = ++member.ahSequence;
          reserveAhSequence(member);
        }
        ip.unicast = !spec.unicastPeers.empty();
        ip.checksum.v3ChecksumAsV2 = member.config.v3ChecksumAsV2;
        bytes = encodeIpv4Packet(advert, ip);
      } else {
        bytes = encodeAdvert(advert, p.ownAddress, destination, {member.config.v3ChecksumAsV2});
      }
      channel.send(bytes, destination);
    } catch (const std::invalid_argument& e) {
      log(Level::Error, instanceTag(p.name) + " cannot encode an advert: " + e.what());
    }
  }
}

void Engine::setVips(std::size_t m, bool add) {
  Member& member = *members_[m];
  const std::string tag = instanceTag(member.config.params.name);
  if (!add) {
    cancelTimer(m, static_cast<std::size_t>(MemberTimer::Garp));
    cancelTimer(m, static_cast<std::size_t>(MemberTimer::GarpRefresh));
    member.garpQueue.clear();
  }
  std::string done;
  for (const auto* list : {&member.config.vips, &member.config.excludedVips}) {
    for (const auto& vip : *list) {
      std::string error;
      const bool ok = add ? ports_.addresses.add(vip, member.config.interface, error)
                          : ports_.addresses.remove(vip, member.config.interface, error);
      if (ok) done += (done.empty() ? "" : ", ") + describeVip(vip);
      else log(Level::Error, tag + " cannot " + (add ? "add" : "remove") + " VIP " + describeVip(vip) + ": " + error);
    }
  }
  if (!done.empty()) log(Level::Info, tag + (add ? " added VIPs " : " removed VIPs ") + done);
  if (add && member.config.garpMasterRefresh.count() > 0)
    armTimer(m, static_cast<std::size_t>(MemberTimer::GarpRefresh),
             ports_.timers.now() + member.config.garpMasterRefresh);
}

// keepalived sends `repeat` rounds of one packet per address, garp_interval / gna_interval apart.
void Engine::queueGratuitous(std::size_t m, unsigned repeat) {
  Member& member = *members_[m];
  std::vector<VirtualAddress> all = member.config.vips;
  all.insert(all.end(), member.config.excludedVips.begin(), member.config.excludedVips.end());
  queueGratuitous(m, repeat, all);
}

void Engine::queueGratuitous(std::size_t m, unsigned repeat, const std::vector<VirtualAddress>& vips) {
  Member& member = *members_[m];
  for (unsigned r = 0; r < repeat; ++r) member.garpQueue.append(vips);
  if (!member.timers[static_cast<std::size_t>(MemberTimer::Garp)]) sendNextGratuitous(m);
}

// A MASTER kept across a reload that gained VIPs: they are bound and announced like a new master's.
void Engine::addReloadedVips(std::size_t m) {
  Member& member = *members_[m];
  const std::string tag = instanceTag(member.config.params.name);
  std::vector<VirtualAddress> added;
  for (const VirtualAddress& vip : member.addedByReload) {
    std::string error;
    if (ports_.addresses.add(vip, member.config.interface, error)) {
      log(Level::Info, tag + " reload: added VIP " + describeVip(vip));
      added.push_back(vip);
    } else {
      log(Level::Error, tag + " reload: cannot add VIP " + describeVip(vip) + ": " + error);
    }
  }
  member.addedByReload.clear();
  queueGratuitous(m, member.config.params.garpMasterRepeat, added);
}

void Engine::sendNextGratuitous(std::size_t m) {
  Member& member = *members_[m];
  const bool paced = member.config.garpInterval.count() > 0;
  while (!member.garpQueue.empty()) {
    const VirtualAddress vip = member.garpQueue.pop();
    const std::string& device = vip.device.empty() ? member.config.interface : vip.device;
    std::string error;
    // The instance's own link is kept current by the interface events: no lookup (a netlink request and an address
    // dump) per packet of a burst that may announce a thousand VIPs.
    const auto link = device == member.config.interface && member.link ? member.link : ports_.interfaces.find(device);
    if (!link) error = "interface " + device + " not found";
    if (!link || !ports_.gratuitous.announce(*link, vip.address, error))
      log(Level::Warning, instanceTag(member.config.params.name) + " gratuitous " +
                              (vip.address.family() == Family::Ipv4 ? "ARP" : "NA") + " for " +
                              vip.address.toString() + " failed: " + error);
    if (paced) break;
  }
  if (paced && !member.garpQueue.empty())
    armTimer(m, static_cast<std::size_t>(MemberTimer::Garp), ports_.timers.now() + member.config.garpInterval);
}

void Engine::onGarpRefresh(std::size_t m) {
  Member& member = *members_[m];
  if (!member.instance || member.instance->state() != State::Master) return;
  queueGratuitous(m, member.config.garpMasterRefreshRepeat);
  armTimer(m, static_cast<std::size_t>(MemberTimer::GarpRefresh),
           ports_.timers.now() + member.config.garpMasterRefresh);
}

void Engine::notifyInstance(std::size_t m, State state) {
  const Member& member = *members_[m];
  const int priority = member.instance ? member.instance->effectivePriority() : member.config.params.priority;
  if (member.config.notify) runNotify(*member.config.notify, state, "INSTANCE", member.config.params.name, priority);
}

void Engine::notifyGroup(std::size_t g, State state) {
  log(Level::Info, "VRRP_Group(" + groups_[g].config.name + ") -> " + std::string(notifyWord(state)));
  // keepalived gives a group's generic notify script priority 0.
  runNotify(groups_[g].config.notify, state, "GROUP", groups_[g].config.name, 0);
}

void Engine::runNotify(const NotifyScripts& scripts, State state, const char* type, const std::string& name,
                       int priority) {
  const ScriptCommand& specific = scriptFor(scripts, state);
  if (specific.set()) runScript(specific, kNotifyTimeout, "notify");
  if (scripts.generic.set()) {
    ScriptCommand generic = scripts.generic;
    generic.argv.insert(generic.argv.end(),
                        {type, name, std::string(notifyWord(state)), std::to_string(priority)});
    runScript(generic, kNotifyTimeout, "notify");
  }
}

void Engine::runScript(const ScriptCommand& command, std::chrono::milliseconds timeout, std::string what) {
  const std::string line = joined(command.argv);
  log(Level::Debug, "running " + what + " script: " + line);
  ports_.scripts.run(command.argv, timeout, command.user, guarded([this, line, what](int status) {
                       if (status != 0)
                         log(Level::Warning, what + " script '" + line + "' " +
                                                 (status < 0 ? std::string("was killed or could not start")
                                                             : "exited with status " + std::to_string(status)));
                     }));
}

void Engine::log(EngineLog::Level level, const std::string& line) {
  if (executing_ > 0) heldLog_.emplace_back(level, line);
  else ports_.log.log(level, line);
}

}  // namespace tandem::vrrp
