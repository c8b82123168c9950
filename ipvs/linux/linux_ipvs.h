#pragma once
// The IPVS adapter: the kernel's generic netlink family "IPVS" through libnl-genl. It dumps the current table
// (with statistics), applies a Plan computed by the pure planner, sets the connection timeouts and drives the
// connection-sync daemon. Nothing here throws or decides: every failure comes back as a value naming the
// operation, the service and the destination involved, and the errno text.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ipvs/address.h"
#include "ipvs/linux/genl_channel.h"
#include "ipvs/plan.h"
#include "ipvs/sync_daemons.h"
#include "ipvs/table.h"

namespace tandem::ipvs::linux_ {

// ip_vs_stats as the kernel reports it (IPVS_STATS_ATTR_*): totals since the entry was made, and rates.
struct Counters {
  std::uint64_t connections = 0;
  std::uint64_t inPackets = 0;
  std::uint64_t outPackets = 0;
  std::uint64_t inBytes = 0;
  std::uint64_t outBytes = 0;
  std::uint64_t connectionsPerSecond = 0;
  std::uint64_t inPacketsPerSecond = 0;
  std::uint64_t outPacketsPerSecond = 0;
  std::uint64_t inBytesPerSecond = 0;
  std::uint64_t outBytesPerSecond = 0;
};

struct DestinationStats {
  std::uint32_t activeConnections = 0;
  std::uint32_t inactiveConnections = 0;
  std::uint32_t persistentConnections = 0;
  Counters counters;
};

struct ServiceStats {
  Counters counters;
  std::map<DestinationKey, DestinationStats> destinations;
};

using Statistics = std::map<ServiceKey, ServiceStats>;

struct Snapshot {
  Table table;
  Statistics statistics;
};

// How one operation went. AlreadyExists (an add met EEXIST) and NotFound (an edit or delete met ENOENT/ESRCH, or
// a destination's service was gone) mean the kernel's table was not what the plan assumed: dump and re-plan.
enum class Outcome : std::uint8_t { Done, AlreadyExists, NotFound, Failed };

struct OperationOutcome {
  Operation operation;
  Outcome outcome = Outcome::Done;
  int error = 0;        // errno; 0 when done
  std::string message;  // e.g. "adding destination 10.0.0.2:80 to TCP 192.0.2.1:80: File exists"; empty when done
};

struct ApplyResult {
  std::vector<OperationOutcome> outcomes;  // one per operation of the plan, in plan order

  bool ok() const;
  std::size_t failures() const;
  bool needsResync() const;                 // some outcome is AlreadyExists or NotFound
  std::vector<std::string> errors() const;  // the messages of the operations that were not done
};

// Connection timeouts in seconds (ipvsadm --set). Setting 0 leaves that value as it is.
struct Timeouts {
  std::uint32_t tcp = 0;
  std::uint32_t tcpFin = 0;
  std::uint32_t udp = 0;
  bool operator==(const Timeouts&) const = default;
};

// lvs_sync_daemon (ipvs/sync_daemons.h).
using ipvs::SyncDaemon;
using SyncState = ipvs::SyncDaemonState;

struct Status {
  int error = 0;
  std::string message;
  bool ok() const { return error == 0; }
};

class LinuxIpvs {
 public:
  // Connects on first use, and again after a failure to connect: the module may be loaded later.
  LinuxIpvs() = default;

  // True when the kernel has IPVS and this process may drive it; otherwise `why` says what is missing, e.g.
  // "IPVS is not available: the kernel has no ip_vs module loaded (modprobe ip_vs)".
  bool available(std::string& why);

  // Every virtual service with its destinations and their statistics; nullopt with `error` set on failure.
  std::optional<Snapshot> dump(std::string& error);

  // Runs every operation in order, whatever happened to the previous ones, and reports each.
  ApplyResult apply(const Plan& plan);

  Status setTimeouts(const Timeouts& timeouts);
  std::optional<Timeouts> timeouts(std::string& error);

  Status startSyncDaemon(const SyncDaemon& daemon);
  Status stopSyncDaemon(SyncState state);
  std::optional<std::vector<SyncDaemon>> syncDaemons(std::string& error);

 private:
  bool connect(std::string& why);
  // One request built by `fill`, acked; `what` names it in the error message.
  Status runOne(std::uint8_t command, const std::function<bool(nl_msg*)>& fill, const std::string& what);

  GenlChannel channel_;
};

// The sentence for an operation, e.g. "deleting destination 10.0.0.2:80 from TCP 192.0.2.1:80".
std::string actionText(const Operation& operation);

}  // namespace tandem::ipvs::linux_
