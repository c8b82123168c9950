#pragma once
// From configuration + health to the wanted IPVS table, with keepalived's checker-process semantics
// (keepalived/check/ipwrapper.c, 2.x):
//   - a real server that is up is in the pool with its effective weight: the misc_dynamic weight when its MISC_CHECK
//     set one, its configured weight otherwise, 0 while an operator drains it (tandemctl drain);
//   - a real server that is down is removed, or kept with weight 0 when inhibit_on_failure is set;
//   - quorum: the sum of the effective weights of live real servers. It is gained when the sum reaches
//     quorum + hysteresis and lost when the sum falls below quorum - hysteresis or to 0 (QuorumTracker);
//   - while the quorum is lost and a sorry_server is configured, the sorry server is in the pool and every real
//     server is out of it (weight 0 if inhibit_on_failure), even those that are up; without a sorry server a lost
//     quorum only produces the quorum_down event;
//   - sorry_server_inhibit keeps the sorry server in the pool at weight 0 while it is not needed;
//   - alpha lives in the health trackers (real servers start down); omega is shutdownEvents().
// Deliberate difference: keepalived applies these rules as a sequence of side effects in event order; here they are
// one function of the current state, so the same state always gives the same table.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ipvs/table.h"

namespace tandem::ipvs {

struct RealServerState {
  Destination destination;                     // key, configured weight, method, thresholds
  bool up = true;                              // from check::RealServerHealth
  std::optional<std::uint32_t> dynamicWeight;  // misc_dynamic
  bool inhibitOnFailure = false;
  bool drained = false;  // tandemctl drain: kept in the pool at weight 0, counted as no weight for the quorum

  std::uint32_t effectiveWeight() const { return drained ? 0 : dynamicWeight.value_or(destination.weight); }
};

struct SorryServer {
  Destination destination;
  bool inhibit = false;  // sorry_server_inhibit
};

struct QuorumSettings {
  std::uint32_t quorum = 1;      // keepalived's default
  std::uint32_t hysteresis = 0;  // keepalived's default
};

struct VirtualServerState {
  Service service;
  std::vector<RealServerState> realServers;
  std::optional<SorryServer> sorryServer;
  bool quorumUp = true;  // QuorumTracker::up() for this virtual server
  bool omega = false;
};

// Sum of the effective weights of the real servers that are up: keepalived's weigh_live_realservers().
std::uint64_t liveWeight(const VirtualServerState& state);

Table wantedTable(const std::vector<VirtualServerState>& states);

enum class QuorumEvent : std::uint8_t { Gained, Lost };  // run quorum_up / quorum_down

// The quorum state of one virtual server. It has memory (hysteresis), so it is a small class, fed the live weight
// after every health change.
class QuorumTracker {
 public:
  explicit QuorumTracker(QuorumSettings settings = {}) : settings_(settings) {}
  // A reload: the state the previous tracker had, under the new settings (update() then applies them).
  QuorumTracker(QuorumSettings settings, bool up) : settings_(settings), up_(up) {}

  // Initial state, as keepalived's set_quorum_states(): up iff liveWeight >= quorum + hysteresis. Starting down
  // reports Lost only when a sorry server is configured (keepalived: "Starting with quorum down", which is when it
  // adds the sorry server); otherwise nothing is reported at start.
  std::optional<QuorumEvent> start(std::uint64_t liveWeight, bool hasSorryServer);
  std::optional<QuorumEvent> update(std::uint64_t liveWeight);

  bool up() const { return up_; }
  // The threshold the next update compares against: quorum + hysteresis while down, quorum - hysteresis while up.
  std::int64_t threshold() const;

 private:
  QuorumSettings settings_;
  bool up_ = false;
};

// omega: what keepalived notifies when it shuts down, besides removing the rules (releasePlan).
struct ShutdownEvent {
  enum class Kind : std::uint8_t { RealServerDown, QuorumDown };
  Kind kind = Kind::RealServerDown;
  ServiceKey service;
  std::optional<DestinationKey> realServer;  // set for RealServerDown
};

// For each virtual server with omega set: RealServerDown for every real server that is up and in the pool, then
// QuorumDown (keepalived runs quorum_down on shutdown whatever the quorum state was). Nothing for the others.
std::vector<ShutdownEvent> shutdownEvents(const std::vector<VirtualServerState>& states);

}  // namespace tandem::ipvs
