#include "daemon/vrrp_status.h"

#include <ctime>
#include <sstream>

namespace tandem::daemon {
namespace {

std::string describeVip(const vrrp::VirtualAddress& vip, const std::string& interface) {
  std::string text = vip.address.toString();
  if (vip.prefixLength >= 0) text += "/" + std::to_string(vip.prefixLength);
  if (!vip.device.empty() && vip.device != interface) text += " dev " + vip.device;
  return text;
}

std::string familyName(vrrp::Family family) { return family == vrrp::Family::Ipv4 ? "inet" : "inet6"; }

// Every reason a packet addressed to the instance was dropped, with keepalived-like snake_case names.
std::vector<std::pair<std::string, std::uint64_t>> drops(const vrrp::Counters& c) {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (std::size_t i = 1; i < vrrp::kDecodeErrorCount; ++i)
    out.emplace_back(vrrp::toString(static_cast<vrrp::DecodeError>(i)), c.decodeErrors[i]);
  for (std::size_t i = 1; i < vrrp::kAcceptReasonCount; ++i)
    out.emplace_back(vrrp::toString(static_cast<vrrp::AcceptReason>(i)), c.rejected[i]);
  return out;
}

nlohmann::json dropsJson(const vrrp::Counters& c) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [reason, count] : drops(c)) out[reason] = count;
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out.empty() ? "(none)" : out;
}

}  // namespace

std::string formatUtc(WallClock::time_point at) {
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03dZ", static_cast<int>(millis % 1000));
  return std::string(buffer, n) + fraction;
}

VrrpStatus vrrpStatusOf(const vrrp::Engine& engine, vrrp::TimePoint steadyNow, WallClock::time_point wallNow) {
  VrrpStatus out;
  for (const auto& name : engine.instanceNames()) {
    const vrrp::InstanceConfig* config = engine.instanceConfig(name);
    if (!config) continue;
    VrrpInstanceStatus s;
    s.name = name;
    s.interface = config->interface;
    s.family = familyName(config->params.family);
    s.version = static_cast<int>(config->params.version);
    s.vrid = config->params.vrid;
    s.priority = config->params.priority;
    s.syncGroup = config->syncGroup;
    for (const auto& v : config->vips) s.vips.push_back(describeVip(v, config->interface));
    for (const auto& v : config->excludedVips) s.excludedVips.push_back(describeVip(v, config->interface));
    if (const vrrp::Instance* instance = engine.instance(name)) {
      s.state = std::string(vrrp::toString(instance->state()));
      s.effectivePriority = instance->effectivePriority();
      if (instance->state() == vrrp::State::Master) s.master = instance->params().ownAddress.toString();
      else if (instance->currentMaster()) s.master = instance->currentMaster()->toString();
      s.counters = instance->counters();
      s.splitBrain = instance->splitBrainAlarmed();
      s.noPeer = instance->noPeerAlarmed();
    } else {
      s.state = std::string(vrrp::toString(vrrp::State::Initialize));
      s.effectivePriority = s.priority;
    }
    if (const auto t = engine.lastTransition(name)) {
      const auto age = std::chrono::duration_cast<WallClock::duration>(steadyNow - t->at);
      s.lastTransition = VrrpTransitionStatus{std::string(vrrp::toString(t->from)), std::string(vrrp::toString(t->to)),
                                              std::string(vrrp::toString(t->reason)), wallNow - age};
    }
    out.instances.push_back(std::move(s));
  }
  for (const auto& c : engine.channelCounters())
    out.channels.push_back({c.interface, familyName(c.family), c.unknownVrid, c.unroutable});
  return out;
}

nlohmann::json toJson(const VrrpStatus& status) {
  nlohmann::json instances = nlohmann::json::array();
  for (const auto& s : status.instances) {
    const auto& c = s.counters;
    nlohmann::json i{{"name", s.name},
                     {"interface", s.interface},
                     {"family", s.family},
                     {"version", s.version},
                     {"vrid", s.vrid},
                     {"state", s.state},
                     {"priority", s.priority},
                     {"effective_priority", s.effectivePriority},
                     {"vips", s.vips},
                     {"excluded_vips", s.excludedVips},
                     {"master", s.master},
                     {"sync_group", s.syncGroup},
                     {"counters",
                      {{"adverts_received", c.advertsReceived},
                       {"adverts_sent", c.advertsSent},
                       {"priority_zero_received", c.priorityZeroReceived},
                       {"priority_zero_sent", c.priorityZeroSent},
                       {"transitions", c.transitions},
                       {"became_master", c.becameMaster},
                       {"released_master", c.releasedMaster},
                       {"split_brain_alarms", c.splitBrainAlarms},
                       {"no_peer_alarms", c.noPeerAlarms},
                       {"dropped", dropsJson(c)}}},
                     {"alarms", {{"split_brain", s.splitBrain}, {"no_peer", s.noPeer}}}};
    if (s.lastTransition)
      i["last_transition"] = {{"from", s.lastTransition->from},
                              {"to", s.lastTransition->to},
                              {"reason", s.lastTransition->reason},
                              {"at", formatUtc(s.lastTransition->at)}};
    else
      i["last_transition"] = nullptr;
    instances.push_back(std::move(i));
  }
  nlohmann::json channels = nlohmann::json::array();
  for (const auto& c : status.channels)
    channels.push_back({{"interface", c.interface},
                        {"family", c.family},
                        {"unknown_vrid", c.unknownVrid},
                        {"unroutable", c.unroutable}});
  return {{"instances", std::move(instances)}, {"channels", std::move(channels)}};
}

std::string formatDataDump(const VrrpStatus& status, WallClock::time_point now) {
  std::ostringstream out;
  out << "------< VRRP Topology >------ (" << formatUtc(now) << ")\n";
  out << " Number of instances = " << status.instances.size() << "\n";
  for (const auto& s : status.instances) {
    out << " VRRP Instance = " << s.name << "\n"
        << "   State = " << s.state << "\n"
        << "   Interface = " << s.interface << " (" << s.family << ")\n"
        << "   Virtual Router ID = " << s.vrid << ", VRRP version " << s.version << "\n"
        << "   Priority = " << s.priority << ", effective priority = " << s.effectivePriority << "\n"
        << "   Master = " << (s.master.empty() ? "(unknown)" : s.master) << "\n"
        << "   Virtual IP addresses = " << joined(s.vips) << "\n";
    if (!s.excludedVips.empty()) out << "   Excluded virtual IP addresses = " << joined(s.excludedVips) << "\n";
    if (!s.syncGroup.empty()) out << "   Sync group = " << s.syncGroup << "\n";
    if (s.lastTransition)
      out << "   Last transition = " << s.lastTransition->from << " -> " << s.lastTransition->to << " ("
          << s.lastTransition->reason << ") at " << formatUtc(s.lastTransition->at) << "\n";
    else
      out << "   Last transition = (none)\n";
  }
  return out.str();
}

std::string formatStatsDump(const VrrpStatus& status, WallClock::time_point now) {
  std::ostringstream out;
  out << "------< VRRP Statistics >------ (" << formatUtc(now) << ")\n";
  for (const auto& s : status.instances) {
    const auto& c = s.counters;
    out << "VRRP Instance: " << s.name << "\n"
        << "  Advertisements:\n"
        << "    Received: " << c.advertsReceived << "\n"
        << "    Sent: " << c.advertsSent << "\n"
        << "  Became master: " << c.becameMaster << "\n"
        << "  Released master: " << c.releasedMaster << "\n"
        << "  Transitions: " << c.transitions << "\n"
        << "  Split-brain alarms: " << c.splitBrainAlarms << (s.splitBrain ? " (standing)" : "") << "\n"
        << "  No-peer alarms: " << c.noPeerAlarms << (s.noPeer ? " (standing)" : "") << "\n"
        << "  Priority zero:\n"
        << "    Received: " << c.priorityZeroReceived << "\n"
        << "    Sent: " << c.priorityZeroSent << "\n"
        << "  Dropped packets:\n";
    for (const auto& [reason, count] : drops(c)) out << "    " << reason << ": " << count << "\n";
  }
  for (const auto& c : status.channels)
    out << "Channel " << c.interface << " " << c.family << ": unknown VRID " << c.unknownVrid << ", unroutable "
        << c.unroutable << "\n";
  return out.str();
}

}  // namespace tandem::daemon
