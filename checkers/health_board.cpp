#include "checkers/health_board.h"

#include <algorithm>

namespace tandem::check {
namespace {

const VirtualServerRecord* findVirtualServer(const std::vector<VirtualServerRecord>& list, const std::string& name) {
  for (const VirtualServerRecord& v : list)
    if (v.spec.name == name) return &v;
  return nullptr;
}

std::optional<std::size_t> findRealServer(const VirtualServerSpec& spec, const ipvs::DestinationKey& key) {
  for (std::size_t r = 0; r < spec.realServers.size(); ++r)
    if (spec.realServers[r].destination.key == key) return r;
  return std::nullopt;
}

// In the adopted table, is this real server in the pool of the virtual server's first service found there?
// nullopt when none of its services is in the table (nothing to adopt).
std::optional<bool> adoptedInPool(const ipvs::Table& adopted, const VirtualServerSpec& spec, const RealServerSpec& rs,
                                  bool drained) {
  for (const ipvs::Service& service : spec.services) {
    const ipvs::VirtualService* found = adopted.find(service.key);
    if (!found) continue;
    const auto dest = found->destinations.find(destinationIn(service.key, rs.destination).key);
    if (dest == found->destinations.end()) return false;
    return dest->second.weight > 0 || drained;
  }
  return std::nullopt;
}

std::string drainKey(const std::string& virtualServer, const std::string& realServer) {
  return virtualServer + "|" + realServer;
}

// "ADDRESS:PORT", "[V6]:PORT" or an address alone; the port is nullopt for an address alone.
struct RealServerName {
  ipvs::Address address;
  std::optional<std::uint16_t> port;
};

std::optional<RealServerName> parseRealServerName(std::string_view text) {
  if (auto alone = ipvs::Address::parse(text)) return RealServerName{*alone, std::nullopt};
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  const auto address = ipvs::Address::parse(host);
  if (!address || port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  const int value = std::stoi(std::string(port));
  if (value > 65535) return std::nullopt;
  return RealServerName{*address, static_cast<std::uint16_t>(value)};
}

}  // namespace

bool namesVirtualServer(const VirtualServerSpec& spec, std::string_view name) {
  if (spec.name == name || spec.services.empty()) return spec.name == name;
  const ipvs::ServiceKey& key = spec.services.front().key;
  if (spec.name.starts_with("group ")) return std::string_view(spec.name).substr(6) == name;
  if (key.isFwmark()) return name == "fwmark " + std::to_string(key.mark()) || name == std::to_string(key.mark());
  return name == ipvs::endpointText(key.address(), key.port());
}

std::vector<ScheduledCheck> HealthBoard::configure(CheckerConfig config, TimePoint now, const ipvs::Table* adopted,
                                                   std::vector<HealthEvent>& events) {
  const std::vector<VirtualServerRecord> previous = std::move(virtualServers_);
  virtualServers_.clear();
  virtualServers_.reserve(config.virtualServers.size());
  std::vector<ScheduledCheck> schedule;

  for (std::size_t v = 0; v < config.virtualServers.size(); ++v) {
    const ipvs::QuorumSettings quorum = config.virtualServers[v].quorum;
    // The specs move into the records: with tens of thousands of real servers a second copy would be megabytes.
    VirtualServerRecord record{std::move(config.virtualServers[v]), {}, ipvs::QuorumTracker(quorum)};
    const VirtualServerSpec& spec = record.spec;
    const VirtualServerRecord* old = findVirtualServer(previous, spec.name);

    for (std::size_t r = 0; r < spec.realServers.size(); ++r) {
      const RealServerSpec& rs = spec.realServers[r];
      std::vector<CheckTiming> timings;
      for (const CheckerSpec& c : rs.checkers) timings.push_back(c.timing);
      RealServerRecord server{RealServerHealth(timings, random_), std::vector<CheckerStats>(rs.checkers.size()), false,
                              std::nullopt, {}};
      const auto oldIndex = old ? findRealServer(old->spec, rs.destination.key) : std::nullopt;
      auto scheduleAt = [&](std::size_t c, TimePoint at) { schedule.push_back({CheckerId{v, r, c}, at}); };

      if (oldIndex) {
        const RealServerRecord& before = old->realServers[*oldIndex];
        const RealServerSpec& beforeSpec = old->spec.realServers[*oldIndex];
        server.drained = before.drained;
        server.lastChange = before.lastChange;
        server.lastReason = before.lastReason;
        std::vector<bool> taken(beforeSpec.checkers.size(), false);
        for (std::size_t c = 0; c < rs.checkers.size(); ++c) {
          std::size_t k = 0;
          while (k < taken.size() && (taken[k] || !beforeSpec.checkers[k].sameCheck(rs.checkers[c]))) ++k;
          if (k < taken.size()) {
            taken[k] = true;
            server.health.checker(c) = before.health.checker(k);
            server.stats[c] = before.stats[k];
            scheduleAt(c, std::max(now, server.health.checker(c).nextCheckAt()));
          } else {
            server.health.checker(c).assume(before.health.up());
            scheduleAt(c, server.health.checker(c).onStart(now));
          }
        }
      } else {
        server.drained = pendingDrains_.erase(drainKey(spec.name, rs.name())) > 0;
        const std::optional<bool> inPool =
            adopted && !rs.checkers.empty() ? adoptedInPool(*adopted, spec, rs, server.drained) : std::nullopt;
        if (inPool) server.health.assume(*inPool);
        const std::vector<TimePoint> times = server.health.onStart(now);
        for (std::size_t c = 0; c < times.size(); ++c) scheduleAt(c, times[c]);
      }
      record.realServers.push_back(std::move(server));
    }

    virtualServers_.push_back(std::move(record));  // `spec` moved with it: `placed.spec` from here on
    VirtualServerRecord& placed = virtualServers_.back();
    if (old) {
      placed.quorum = ipvs::QuorumTracker(placed.spec.quorum, old->quorum.up());
      for (HealthEvent& e : updateQuorum(v)) events.push_back(std::move(e));
    } else if (placed.quorum.start(liveWeight(v), placed.spec.sorryServer.has_value())) {
      events.push_back({HealthEvent::Kind::QuorumLost, v, 0, {}});
    }
  }
  return schedule;
}

std::vector<ipvs::VirtualServerState> HealthBoard::poolStates(std::size_t v) const {
  const VirtualServerRecord& record = virtualServers_.at(v);
  std::vector<ipvs::VirtualServerState> states;
  for (const ipvs::Service& service : record.spec.services) {
    ipvs::VirtualServerState state;
    state.service = service;
    for (std::size_t r = 0; r < record.realServers.size(); ++r) {
      const RealServerSpec& rs = record.spec.realServers[r];
      const RealServerRecord& server = record.realServers[r];
      state.realServers.push_back({destinationIn(service.key, rs.destination), server.health.up(),
                                   server.health.dynamicWeight(), rs.inhibitOnFailure, server.drained});
    }
    if (record.spec.sorryServer) {
      ipvs::SorryServer sorry = *record.spec.sorryServer;
      sorry.destination = destinationIn(service.key, sorry.destination);
      state.sorryServer = sorry;
    }
    state.quorumUp = record.quorum.up();
    state.omega = record.spec.omega;
    states.push_back(std::move(state));
  }
  return states;
}

std::uint64_t HealthBoard::liveWeight(std::size_t v) const {
  const auto states = poolStates(v);
  return states.empty() ? 0 : ipvs::liveWeight(states.front());
}

bool HealthBoard::sorryServerActive(std::size_t v) const {
  const VirtualServerRecord& record = virtualServers_.at(v);
  return record.spec.sorryServer.has_value() && !record.quorum.up();
}

std::optional<std::uint32_t> HealthBoard::weightInPool(std::size_t v, std::size_t r) const {
  const VirtualServerRecord& record = virtualServers_.at(v);
  const RealServerRecord& server = record.realServers.at(r);
  const RealServerSpec& spec = record.spec.realServers.at(r);
  if (server.health.up() && !sorryServerActive(v))
    return ipvs::RealServerState{spec.destination, true, server.health.dynamicWeight(), spec.inhibitOnFailure,
                                 server.drained}
        .effectiveWeight();
  if (spec.inhibitOnFailure) return 0;
  return std::nullopt;
}

std::vector<HealthEvent> HealthBoard::updateQuorum(std::size_t v) {
  std::vector<HealthEvent> events;
  if (const auto change = virtualServers_.at(v).quorum.update(liveWeight(v)))
    events.push_back({*change == ipvs::QuorumEvent::Gained ? HealthEvent::Kind::QuorumGained
                                                           : HealthEvent::Kind::QuorumLost,
                      v, 0, {}});
  return events;
}

HealthBoard::Step HealthBoard::onResult(const CheckerId& id, const Verdict& verdict, TimePoint now, Duration latency,
                                        std::optional<TimePoint> scheduleFrom) {
  Step step;
  VirtualServerRecord& record = virtualServers_.at(id.vs);
  RealServerRecord& server = record.realServers.at(id.rs);
  const CheckerSpec& spec = record.spec.realServers.at(id.rs).checkers.at(id.checker);

  CheckerStats& stats = server.stats.at(id.checker);
  ++stats.attempts;
  stats.lastSucceeded = verdict.success;
  stats.lastLatency = latency;
  stats.totalLatency += latency;
  stats.lastResultAt = now;
  if (!verdict.success) {
    ++stats.failures;
    stats.lastFailure = verdict.reason;
  }

  // What shapes the pool: this server's entry in it, and whether the sorry server stands in. Both are O(1) to read,
  // so a result that moves neither (nearly all of them) costs no table.
  const auto weightBefore = server.health.dynamicWeight();
  const auto entryBefore = weightInPool(id.vs, id.rs);
  const bool sorryBefore = sorryServerActive(id.vs);
  const ServerOutcome outcome = server.health.onResult(id.checker, verdict, scheduleFrom.value_or(now));
  step.checker = outcome.checker;

  const std::string reason = spec.label() + (verdict.success ? " succeeded" : ": " + verdict.reason);
  switch (outcome.server) {
    case ServerTransition::None: break;
    case ServerTransition::WentUp:
    case ServerTransition::WentDown:
    case ServerTransition::ConfirmedDown: {
      const bool up = outcome.server == ServerTransition::WentUp;
      server.lastChange = now;
      server.lastReason = reason;
      step.events.push_back({up ? HealthEvent::Kind::RealServerUp : HealthEvent::Kind::RealServerDown, id.vs, id.rs,
                             reason});
      break;
    }
  }
  if (outcome.server != ServerTransition::None || server.health.dynamicWeight() != weightBefore) {
    for (HealthEvent& e : updateQuorum(id.vs)) step.events.push_back(std::move(e));
    step.tableChanged = weightInPool(id.vs, id.rs) != entryBefore || sorryServerActive(id.vs) != sorryBefore;
  }
  return step;
}

HealthBoard::DrainOutcome HealthBoard::setDrained(std::string_view virtualServer, std::string_view realServer,
                                                  bool drained) {
  DrainOutcome out;
  const auto wanted = parseRealServerName(realServer);
  if (!wanted) {
    out.error = "'" + std::string(realServer) + "' is not a real server address (ADDRESS, ADDRESS:PORT or [IPV6]:PORT)";
    return out;
  }
  bool anyVirtualServer = false;
  for (std::size_t v = 0; v < virtualServers_.size(); ++v) {
    VirtualServerRecord& record = virtualServers_[v];
    if (!virtualServer.empty() && !namesVirtualServer(record.spec, virtualServer)) continue;
    anyVirtualServer = true;
    std::vector<std::size_t> matches;
    for (std::size_t r = 0; r < record.spec.realServers.size(); ++r) {
      const ipvs::DestinationKey& key = record.spec.realServers[r].destination.key;
      if (key.address == wanted->address && (!wanted->port || *wanted->port == key.port)) matches.push_back(r);
    }
    if (matches.size() > 1) {
      out = DrainOutcome{};
      out.error = std::string(realServer) + " matches " + std::to_string(matches.size()) + " real servers of " +
                  record.spec.name + ": give the port too";
      return out;
    }
    if (matches.empty()) continue;
    ++out.matched;
    RealServerRecord& server = record.realServers[matches.front()];
    if (server.drained == drained) continue;
    const ipvs::Table before = ipvs::wantedTable(poolStates(v));
    server.drained = drained;
    ++out.changed;
    for (HealthEvent& e : updateQuorum(v)) out.events.push_back(std::move(e));
    if (!(ipvs::wantedTable(poolStates(v)) == before)) out.tableChanged = true;
  }
  if (out.matched == 0) {
    out.error = !anyVirtualServer ? "no virtual server '" + std::string(virtualServer) + "'"
                                  : "no real server " + std::string(realServer) +
                                        (virtualServer.empty() ? "" : " in " + std::string(virtualServer));
  }
  return out;
}

ipvs::Table HealthBoard::wantedTable() const {
  std::vector<ipvs::VirtualServerState> all;
  for (std::size_t v = 0; v < virtualServers_.size(); ++v)
    for (ipvs::VirtualServerState& s : poolStates(v)) all.push_back(std::move(s));
  return ipvs::wantedTable(all);
}

std::vector<HealthEvent> HealthBoard::shutdownEvents() const {
  std::vector<HealthEvent> events;
  for (std::size_t v = 0; v < virtualServers_.size(); ++v) {
    const VirtualServerRecord& record = virtualServers_[v];
    if (!record.spec.omega) continue;
    if (!sorryServerActive(v))
      for (std::size_t r = 0; r < record.realServers.size(); ++r)
        if (record.realServers[r].health.up())
          events.push_back({HealthEvent::Kind::RealServerDown, v, r, "shutting down"});
    events.push_back({HealthEvent::Kind::QuorumLost, v, 0, "shutting down"});
  }
  return events;
}

std::vector<std::string> HealthBoard::drainedList() const {
  std::vector<std::string> lines;
  for (const VirtualServerRecord& record : virtualServers_)
    for (std::size_t r = 0; r < record.realServers.size(); ++r)
      if (record.realServers[r].drained) lines.push_back(drainKey(record.spec.name, record.spec.realServers[r].name()));
  return lines;
}

void HealthBoard::restoreDrained(const std::vector<std::string>& lines) {
  pendingDrains_.insert(lines.begin(), lines.end());
}

const CheckerSpec& HealthBoard::checker(const CheckerId& id) const {
  return virtualServers_.at(id.vs).spec.realServers.at(id.rs).checkers.at(id.checker);
}

}  // namespace tandem::check
