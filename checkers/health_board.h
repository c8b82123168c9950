#pragma once
// The health of every real server of every virtual server, and what follows from it: the wanted IPVS table
// (ipvs::wantedTable), the quorum of each virtual server, the events the runtime logs and runs scripts for
// (notify_up/notify_down, quorum_up/quorum_down), and the operator's drains. Pure: fed the checkers' verdicts with
// the time they concluded; the runtime starts the probes at the times it is given and carries the events out.
//
// Continuity, which keepalived's users ask for:
//   - configure() on a reload keeps, for every real server that is still configured (same virtual server name,
//     same address and port), its health, its drain and every checker whose probe and timing did not change
//     (with its retries and its next check time); a changed checker starts from the server's current health;
//   - on a fresh start, a virtual server whose service is already in the kernel (left by -I or by a checker child
//     that died) starts each real server in the state the table shows: in the pool with its weight = up, absent or
//     at weight 0 = down until a check succeeds. Adopting the table then changes nothing in it.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "checkers/checker_config.h"
#include "checkers/real_server_health.h"
#include "ipvs/table.h"
#include "ipvs/wanted.h"

namespace tandem::check {

struct CheckerId {
  std::size_t vs = 0, rs = 0, checker = 0;
  auto operator<=>(const CheckerId&) const = default;
};

struct ScheduledCheck {
  CheckerId id;
  TimePoint at;
};

struct HealthEvent {
  enum class Kind : std::uint8_t { RealServerUp, RealServerDown, QuorumGained, QuorumLost };
  Kind kind = Kind::RealServerUp;
  std::size_t vs = 0;
  std::size_t rs = 0;  // the real-server kinds only
  std::string reason;  // the checker and its verdict that caused it; empty for quorum events
};

// What one checker has done, for status reports and metrics.
struct CheckerStats {
  std::uint64_t attempts = 0;
  std::uint64_t failures = 0;
  std::string lastFailure;  // the last failed attempt's reason
  bool lastSucceeded = false;
  Duration lastLatency{0};   // from the start of the last attempt to its verdict
  Duration totalLatency{0};  // over every attempt: with `attempts`, the mean
  std::optional<TimePoint> lastResultAt;
};

struct RealServerRecord {
  RealServerHealth health;
  std::vector<CheckerStats> stats;  // per checker
  bool drained = false;
  std::optional<TimePoint> lastChange;  // when it last went up or down
  std::string lastReason;               // why it last went down (or up)
};

struct VirtualServerRecord {
  VirtualServerSpec spec;
  std::vector<RealServerRecord> realServers;
  ipvs::QuorumTracker quorum;
};

class HealthBoard {
 public:
  explicit HealthBoard(HealthTracker::Random random) : random_(std::move(random)) {}

  // Takes `config` in force, keeping the state of what a previous configuration shares with it (see above).
  // `adopted`: the kernel's table as found on a fresh start (nullptr on a reload, or when IPVS cannot be read).
  // Returns when each checker of the new configuration must run next; quorum events go to `events`.
  std::vector<ScheduledCheck> configure(CheckerConfig config, TimePoint now, const ipvs::Table* adopted,
                                        std::vector<HealthEvent>& events);

  struct Step {
    Outcome checker;                  // its next check and the checker's own transition
    std::vector<HealthEvent> events;  // in the order they happened
    bool tableChanged = false;        // wantedTable() differs from before this result
  };
  // `now` is when the verdict came (the checker's last result, the server's last change); the checker's next attempt
  // is counted from `scheduleFrom` when given, else from `now` (keepalived counts a MISC_CHECK's delay_loop from the
  // script's launch).
  Step onResult(const CheckerId& id, const Verdict& verdict, TimePoint now, Duration latency = Duration{0},
                std::optional<TimePoint> scheduleFrom = std::nullopt);

  // tandemctl drain / undrain. `virtualServer` names one as status shows it ("TCP 192.0.2.1:80", "FWM 7",
  // "group web"; "192.0.2.1:80" and "fwmark 7" too) or is empty for every virtual server that has the real
  // server; `realServer` is "ADDRESS:PORT" or an address alone. Returns how many real servers changed; sets
  // `error` and returns 0 when nothing matches or an address alone matches several ports.
  struct DrainOutcome {
    std::size_t matched = 0, changed = 0;
    bool tableChanged = false;
    std::vector<HealthEvent> events;  // quorum moves caused by the drain
    std::string error;
  };
  DrainOutcome setDrained(std::string_view virtualServer, std::string_view realServer, bool drained);

  ipvs::Table wantedTable() const;
  // omega: for each virtual server with omega set, its live real servers going down, then its quorum.
  std::vector<HealthEvent> shutdownEvents() const;
  // The drained real servers as "VIRTUAL SERVER|REAL SERVER" lines (what a successor process restores), and their
  // restoration: the next configure() starts those real servers drained.
  std::vector<std::string> drainedList() const;
  void restoreDrained(const std::vector<std::string>& lines);

  const std::vector<VirtualServerRecord>& virtualServers() const { return virtualServers_; }
  const CheckerSpec& checker(const CheckerId& id) const;
  // The effective weight a real server has in the pool now; nullopt when it is out of the pool.
  std::optional<std::uint32_t> weightInPool(std::size_t vs, std::size_t rs) const;
  bool sorryServerActive(std::size_t vs) const;
  std::uint64_t liveWeight(std::size_t vs) const;

 private:
  std::vector<ipvs::VirtualServerState> poolStates(std::size_t vs) const;
  std::vector<HealthEvent> updateQuorum(std::size_t vs);

  HealthTracker::Random random_;
  std::vector<VirtualServerRecord> virtualServers_;
  std::set<std::string> pendingDrains_;
};

// Names a virtual server may be given by on the command line: its status name, and for an address service the
// same without the protocol ("192.0.2.1:80"), for a fwmark "fwmark 7".
bool namesVirtualServer(const VirtualServerSpec& spec, std::string_view name);

}  // namespace tandem::check
