#include "ipvs/wanted.h"

namespace tandem::ipvs {
namespace {

Destination withWeight(Destination destination, std::uint32_t weight) {
  destination.weight = weight;
  return destination;
}

void addVirtualServer(Table& table, const VirtualServerState& state) {
  table.addService(state.service);
  const ServiceKey& key = state.service.key;
  const bool sorryActive = state.sorryServer.has_value() && !state.quorumUp;

  for (const RealServerState& real : state.realServers) {
    if (real.up && !sorryActive) {
      table.addDestination(key, withWeight(real.destination, real.effectiveWeight()));
    } else if (real.inhibitOnFailure) {
      table.addDestination(key, withWeight(real.destination, 0));
    }
  }

  if (!state.sorryServer) {
    return;
  }
  const SorryServer& sorry = *state.sorryServer;
  // A sorry server may share its address with a real server (keepalived's s_svr_duplicates_rs): when active it
  // wins, when idle the real server's entry stands.
  if (sorryActive) {
    table.addDestination(key, sorry.destination);
  } else if (sorry.inhibit && !table.find(key)->destinations.contains(sorry.destination.key)) {
    table.addDestination(key, withWeight(sorry.destination, 0));
  }
}

}  // namespace

std::uint64_t liveWeight(const VirtualServerState& state) {
  std::uint64_t sum = 0;
  for (const RealServerState& real : state.realServers) {
    if (real.up) {
      sum += real.effectiveWeight();
    }
  }
  return sum;
}

Table wantedTable(const std::vector<VirtualServerState>& states) {
  Table table;
  for (const VirtualServerState& state : states) {
    addVirtualServer(table, state);
  }
  return table;
}

std::int64_t QuorumTracker::threshold() const {
  const auto quorum = static_cast<std::int64_t>(settings_.quorum);
  const auto hysteresis = static_cast<std::int64_t>(settings_.hysteresis);
  return up_ ? quorum - hysteresis : quorum + hysteresis;
}

std::optional<QuorumEvent> QuorumTracker::start(std::uint64_t liveWeight, bool hasSorryServer) {
  up_ = false;
  up_ = static_cast<std::int64_t>(liveWeight) >= threshold();
  if (!up_ && hasSorryServer) {
    return QuorumEvent::Lost;
  }
  return std::nullopt;
}

std::optional<QuorumEvent> QuorumTracker::update(std::uint64_t liveWeight) {
  const auto sum = static_cast<std::int64_t>(liveWeight);
  if (!up_ && sum >= threshold()) {
    up_ = true;
    return QuorumEvent::Gained;
  }
  // A sum of 0 loses the quorum even when quorum - hysteresis <= 0: no live server cannot be a quorum.
  if (up_ && (sum == 0 || sum < threshold())) {
    up_ = false;
    return QuorumEvent::Lost;
  }
  return std::nullopt;
}

std::vector<ShutdownEvent> shutdownEvents(const std::vector<VirtualServerState>& states) {
  std::vector<ShutdownEvent> events;
  for (const VirtualServerState& state : states) {
    if (!state.omega) {
      continue;
    }
    // Real servers displaced by an active sorry server are out of the pool already; keepalived does not notify them.
    const bool sorryActive = state.sorryServer.has_value() && !state.quorumUp;
    for (const RealServerState& real : state.realServers) {
      if (real.up && !sorryActive) {
        events.push_back({ShutdownEvent::Kind::RealServerDown, state.service.key, real.destination.key});
      }
    }
    events.push_back({ShutdownEvent::Kind::QuorumDown, state.service.key, std::nullopt});
  }
  return events;
}

}  // namespace tandem::ipvs
