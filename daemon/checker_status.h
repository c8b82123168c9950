#pragma once
// What the checker child reports, rendered from the HealthBoard, the Reconciler's state and the kernel's IPVS
// statistics: the JSON of `tandemctl status` (and of the Prometheus text, which reads it) and the data dump of
// SIGUSR1 (keepalived_check.data). Pure.
//
// Per virtual server: its services with their counters, the quorum and the sorry server; per real server: health,
// drain, the weight it has in the pool (null when out of it), its checkers (attempts, failures, last latency and
// failure) and its IPVS counters (ipvsadm -Ln --stats --rate, plus active/inactive connections), summed over the
// virtual server's services when it has several (a group).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "checkers/health_board.h"
#include "daemon/vrrp_status.h"
#include "ipvs/linux/linux_ipvs.h"
#include "ipvs/reconciler.h"

namespace tandem::daemon {

struct CheckerStatusInput {
  const check::HealthBoard& board;
  const ipvs::ReconcilerStatus& ipvs;
  const ipvs::linux_::Statistics* statistics = nullptr;  // null when the kernel could not be read
  std::string statisticsError;
  check::TimePoint steadyNow;
  WallClock::time_point wallNow;
};

nlohmann::json checkerStatusJson(const CheckerStatusInput& input);
std::string formatCheckerDataDump(const nlohmann::json& status, WallClock::time_point now);

}  // namespace tandem::daemon
