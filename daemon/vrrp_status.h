#pragma once
// What the VRRP child reports: a plain snapshot of the engine (read-only), and its three renderings: the JSON for
// tandemctl and SIGRTMIN+2, the data dump (SIGUSR1) and the statistics (SIGUSR2). Formatting is pure.
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vrrp/engine.h"

namespace tandem::daemon {

using WallClock = std::chrono::system_clock;

struct VrrpTransitionStatus {
  std::string from, to, reason;
  WallClock::time_point at;
};

struct VrrpInstanceStatus {
  std::string name;
  std::string interface;
  std::string family;  // "inet" / "inet6"
  int version = 3;
  int vrid = 0;
  std::string state;
  int priority = 0;           // configured
  int effectivePriority = 0;  // after trackers
  std::vector<std::string> vips;
  std::vector<std::string> excludedVips;
  std::string master;  // the current master's address when known (ourselves as master)
  std::string syncGroup;
  std::optional<VrrpTransitionStatus> lastTransition;
  vrrp::Counters counters;
  bool splitBrain = false;  // alarms standing now
  bool noPeer = false;
};

struct VrrpChannelStatus {
  std::string interface, family;
  std::uint64_t unknownVrid = 0;
  std::uint64_t unroutable = 0;
};

struct VrrpStatus {
  std::vector<VrrpInstanceStatus> instances;
  std::vector<VrrpChannelStatus> channels;
};

// `steadyNow`/`wallNow`: the same instant on the engine's clock and the wall clock (transition times are
// reported in wall time).
VrrpStatus vrrpStatusOf(const vrrp::Engine& engine, vrrp::TimePoint steadyNow, WallClock::time_point wallNow);

nlohmann::json toJson(const VrrpStatus& status);
std::string formatDataDump(const VrrpStatus& status, WallClock::time_point now);
std::string formatStatsDump(const VrrpStatus& status, WallClock::time_point now);
// "2024-11-21T10:00:00.123Z"
std::string formatUtc(WallClock::time_point at);

}  // namespace tandem::daemon
