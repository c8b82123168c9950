#include "ipvs/sync_daemons.h"

#include <algorithm>

namespace tandem::ipvs {
namespace {

// The kernel's defaults (net/netfilter/ipvs/ip_vs_sync.c): what it lists for a daemon started without them.
constexpr std::uint16_t kDefaultPort = 8848;
constexpr std::uint8_t kDefaultTtl = 1;

// Without a group the kernel uses IPv4 (IP_VS_SYNC_GROUP); an IPv6 group is only ever configured.
Address defaultGroup() { return address("224.0.0.81"); }

const SyncDaemon* find(const std::vector<SyncDaemon>& daemons, SyncDaemonState state) {
  const auto it = std::find_if(daemons.begin(), daemons.end(), [state](const SyncDaemon& d) { return d.state == state; });
  return it == daemons.end() ? nullptr : &*it;
}

std::string describe(const SyncDaemon& d) {
  std::string text = std::string(toString(d.state)) + " on " + d.interface + ", syncid " + std::to_string(d.syncId);
  if (d.group) text += ", group " + d.group->toString();
  if (d.port != 0) text += ", port " + std::to_string(d.port);
  if (d.ttl != 0) text += ", ttl " + std::to_string(d.ttl);
  if (d.maxLength != 0) text += ", maxlen " + std::to_string(d.maxLength);
  return text;
}

}  // namespace

std::string_view toString(SyncDaemonState state) { return state == SyncDaemonState::Master ? "master" : "backup"; }

std::string_view toString(SyncRole role) {
  switch (role) {
    case SyncRole::Master: return "master";
    case SyncRole::Backup: return "backup";
    case SyncRole::Stopped: break;
  }
  return "stopped";
}

std::vector<SyncDaemon> wantedSyncDaemons(const SyncDaemon& configured, SyncRole role) {
  if (role == SyncRole::Stopped) return {};
  SyncDaemon daemon = configured;
  daemon.state = role == SyncRole::Master ? SyncDaemonState::Master : SyncDaemonState::Backup;
  return {daemon};
}

bool satisfies(const SyncDaemon& listed, const SyncDaemon& wanted) {
  return listed.state == wanted.state && listed.interface == wanted.interface && listed.syncId == wanted.syncId &&
         listed.port == (wanted.port != 0 ? wanted.port : kDefaultPort) &&
         listed.ttl == (wanted.ttl != 0 ? wanted.ttl : kDefaultTtl) &&
         listed.group.value_or(defaultGroup()) == wanted.group.value_or(defaultGroup()) &&
         (wanted.maxLength == 0 || listed.maxLength == wanted.maxLength);
}

std::vector<SyncStep> syncSteps(const std::vector<SyncDaemon>& listed, const std::vector<SyncDaemon>& wanted) {
  std::vector<SyncStep> stops, starts;
  for (const SyncDaemonState state : {SyncDaemonState::Master, SyncDaemonState::Backup}) {
    const SyncDaemon* running = find(listed, state);
    const SyncDaemon* want = find(wanted, state);
    const bool keep = running && want && satisfies(*running, *want);
    if (running && !keep) stops.push_back({SyncStep::Kind::Stop, *running});
    if (want && !keep) starts.push_back({SyncStep::Kind::Start, *want});
  }
  stops.insert(stops.end(), starts.begin(), starts.end());
  return stops;
}

SyncDaemonDriver::SyncDaemonDriver(SyncDaemonPort& port, Log log) : port_(port), log_(std::move(log)) {}

void SyncDaemonDriver::configure(std::optional<std::string> instance, const SyncDaemon& settings) {
  if (!instance) {
    if (status_.configured && ownsDaemons_) release();
    status_ = SyncDaemonStatus{};
    return;
  }
  status_.configured = true;
  status_.instance = *instance;
  status_.settings = settings;
}

bool SyncDaemonDriver::follow(const std::string& instance, SyncRole role) {
  if (!status_.configured || instance != status_.instance) return false;
  status_.role = role;
  apply(role);
  ownsDaemons_ = role != SyncRole::Stopped;
  return true;
}

void SyncDaemonDriver::release() {
  if (!status_.configured) return;
  status_.role = SyncRole::Stopped;
  apply(SyncRole::Stopped);
  ownsDaemons_ = false;
}

SyncDaemonStatus SyncDaemonDriver::refreshedStatus() {
  if (status_.configured) {
    std::string error;
    if (auto listed = port_.list(error)) status_.listed = std::move(*listed);
  }
  return status_;
}

void SyncDaemonDriver::apply(SyncRole role) {
  std::string error;
  const auto listed = port_.list(error);
  if (!listed) {
    status_.listed.clear();
    failed(error);
    return;
  }
  std::string errors;
  for (const SyncStep& step : syncSteps(*listed, wantedSyncDaemons(status_.settings, role))) {
    std::string stepError;
    const bool started = step.kind == SyncStep::Kind::Start;
    const bool ok = started ? port_.start(step.daemon, stepError) : port_.stop(step.daemon.state, stepError);
    if (ok)
      log_(Level::Info, std::string("IPVS sync daemon: ") + (started ? "started " : "stopped ") + describe(step.daemon) +
                            " (" + status_.instance + " is " + std::string(toString(role)) + ")");
    else
      errors += (errors.empty() ? "" : "; ") + stepError;
  }
  std::string listError;
  if (auto now = port_.list(listError)) status_.listed = std::move(*now);
  if (!errors.empty()) {
    failed(errors);
    return;
  }
  if (!status_.lastError.empty())
    log_(Level::Info, "IPVS sync daemon: " + status_.instance + " " + std::string(toString(role)) +
                          " applied after the earlier failure");
  status_.lastError.clear();
  status_.converged = true;
}

void SyncDaemonDriver::failed(const std::string& error) {
  status_.converged = false;
  ++status_.failures;
  const bool repeated = error == status_.lastError;
  status_.lastError = error;
  log_(repeated ? Level::Debug : Level::Error,
       "IPVS sync daemon: cannot make it " + std::string(toString(status_.role)) + " for " + status_.instance + ": " +
           error + (repeated ? "" : " (retried at the next VRRP state change; VRRP goes on)"));
}

}  // namespace tandem::ipvs
