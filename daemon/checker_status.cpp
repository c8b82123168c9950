#include "daemon/checker_status.h"

#include <sstream>

namespace tandem::daemon {
namespace {

using check::CheckerStats;
using ipvs::linux_::Counters;
using ipvs::linux_::DestinationStats;

void add(Counters& sum, const Counters& c) {
  sum.connections += c.connections;
  sum.inPackets += c.inPackets;
  sum.outPackets += c.outPackets;
  sum.inBytes += c.inBytes;
  sum.outBytes += c.outBytes;
  sum.connectionsPerSecond += c.connectionsPerSecond;
  sum.inPacketsPerSecond += c.inPacketsPerSecond;
  sum.outPacketsPerSecond += c.outPacketsPerSecond;
  sum.inBytesPerSecond += c.inBytesPerSecond;
  sum.outBytesPerSecond += c.outBytesPerSecond;
}

nlohmann::json toJson(const Counters& c) {
  return {{"connections", c.connections},
          {"in_packets", c.inPackets},
          {"out_packets", c.outPackets},
          {"in_bytes", c.inBytes},
          {"out_bytes", c.outBytes},
          {"connections_per_second", c.connectionsPerSecond},
          {"in_packets_per_second", c.inPacketsPerSecond},
          {"out_packets_per_second", c.outPacketsPerSecond},
          {"in_bytes_per_second", c.inBytesPerSecond},
          {"out_bytes_per_second", c.outBytesPerSecond}};
}

double milliseconds(check::Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

WallClock::time_point wallTime(check::TimePoint at, const CheckerStatusInput& input) {
  return input.wallNow + std::chrono::duration_cast<WallClock::duration>(at - input.steadyNow);
}

std::string checkerState(const check::HealthTracker& tracker) {
  if (!tracker.hasRun()) return tracker.up() ? "up (not run yet)" : "down (not run yet)";
  if (!tracker.up()) return "down";
  return tracker.retriesDone() > 0 ? "retrying" : "up";
}

nlohmann::json checkerJson(const check::CheckerSpec& spec, const check::HealthTracker& tracker,
                           const CheckerStats& stats, const CheckerStatusInput& input) {
  nlohmann::json j{{"checker", spec.label()},
                   {"state", checkerState(tracker)},
                   {"attempts", stats.attempts},
                   {"failures", stats.failures},
                   {"next_check_in_ms", std::max(0.0, milliseconds(std::chrono::duration_cast<check::Duration>(
                                                          tracker.nextCheckAt() - input.steadyNow)))}};
  if (stats.attempts > 0) {
    j["last_latency_ms"] = milliseconds(stats.lastLatency);
    j["latency_sum_ms"] = milliseconds(stats.totalLatency);
    j["last_result"] = stats.lastSucceeded ? "success" : "failure";
  }
  if (stats.lastResultAt) j["last_result_at"] = formatUtc(wallTime(*stats.lastResultAt, input));
  if (!stats.lastFailure.empty()) j["last_failure"] = stats.lastFailure;
  return j;
}

}  // namespace

nlohmann::json checkerStatusJson(const CheckerStatusInput& input) {
  const check::HealthBoard& board = input.board;
  nlohmann::json servers = nlohmann::json::array();
  for (std::size_t v = 0; v < board.virtualServers().size(); ++v) {
    const check::VirtualServerRecord& record = board.virtualServers()[v];
    const check::VirtualServerSpec& spec = record.spec;

    nlohmann::json services = nlohmann::json::array();
    Counters total;
    for (const ipvs::Service& service : spec.services) {
      nlohmann::json s{{"name", ipvs::serviceName(service.key)}, {"scheduler", service.scheduler}};
      if (service.persistent()) s["persistence_timeout"] = service.timeout;
      if (input.statistics) {
        const auto found = input.statistics->find(service.key);
        s["in_kernel"] = found != input.statistics->end();
        if (found != input.statistics->end()) {
          s["stats"] = toJson(found->second.counters);
          add(total, found->second.counters);
        }
      }
      services.push_back(std::move(s));
    }

    nlohmann::json reals = nlohmann::json::array();
    for (std::size_t r = 0; r < record.realServers.size(); ++r) {
      const check::RealServerSpec& rs = spec.realServers[r];
      const check::RealServerRecord& server = record.realServers[r];
      const auto weight = board.weightInPool(v, r);
      nlohmann::json j{{"name", rs.name()},
                       {"health", server.health.up() ? "up" : "down"},
                       {"drained", server.drained},
                       {"weight", rs.destination.weight},
                       {"pool_weight", weight ? nlohmann::json(*weight) : nlohmann::json(nullptr)},
                       {"inhibit_on_failure", rs.inhibitOnFailure}};
      if (server.health.dynamicWeight()) j["dynamic_weight"] = *server.health.dynamicWeight();
      if (server.lastChange)
        j["last_change"] = {{"at", formatUtc(wallTime(*server.lastChange, input))}, {"reason", server.lastReason}};
      nlohmann::json checkers = nlohmann::json::array();
      for (std::size_t c = 0; c < rs.checkers.size(); ++c)
        checkers.push_back(checkerJson(rs.checkers[c], server.health.checker(c), server.stats[c], input));
      j["checkers"] = std::move(checkers);
      if (input.statistics) {
        DestinationStats sum;
        bool found = false;
        for (const ipvs::Service& service : spec.services) {
          const auto s = input.statistics->find(service.key);
          if (s == input.statistics->end()) continue;
          const auto d = s->second.destinations.find(check::destinationIn(service.key, rs.destination).key);
          if (d == s->second.destinations.end()) continue;
          found = true;
          sum.activeConnections += d->second.activeConnections;
          sum.inactiveConnections += d->second.inactiveConnections;
          sum.persistentConnections += d->second.persistentConnections;
          add(sum.counters, d->second.counters);
        }
        if (found) {
          nlohmann::json stats = toJson(sum.counters);
          stats["active_connections"] = sum.activeConnections;
          stats["inactive_connections"] = sum.inactiveConnections;
          stats["persistent_connections"] = sum.persistentConnections;
          j["stats"] = std::move(stats);
        }
      }
      reals.push_back(std::move(j));
    }

    nlohmann::json vs{{"name", spec.name},
                      {"services", std::move(services)},
                      {"quorum",
                       {{"up", record.quorum.up()},
                        {"quorum", spec.quorum.quorum},
                        {"hysteresis", spec.quorum.hysteresis},
                        {"live_weight", board.liveWeight(v)}}},
                      {"real_servers", std::move(reals)}};
    if (spec.sorryServer)
      vs["sorry_server"] = {{"name", ipvs::destinationName(spec.sorryServer->destination.key)},
                            {"active", board.sorryServerActive(v)}};
    if (input.statistics) vs["stats"] = toJson(total);
    servers.push_back(std::move(vs));
  }

  nlohmann::json ipvsJson{{"reachable", input.ipvs.reachable},
                          {"converged", input.ipvs.converged},
                          {"failures", input.ipvs.failures},
                          {"operations", input.ipvs.operations},
                          {"resyncs", input.ipvs.resyncs}};
  if (!input.ipvs.lastError.empty()) ipvsJson["last_error"] = input.ipvs.lastError;
  if (!input.statisticsError.empty()) ipvsJson["statistics_error"] = input.statisticsError;
  return {{"virtual_servers", std::move(servers)}, {"ipvs", std::move(ipvsJson)}};
}

std::string formatCheckerDataDump(const nlohmann::json& status, WallClock::time_point now) {
  std::ostringstream out;
  auto text = [](const nlohmann::json& j, const char* key) -> std::string {
    if (!j.contains(key) || j[key].is_null()) return "-";
    return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
  };
  out << "------< Tandem health checkers, " << formatUtc(now) << " >------\n";
  for (const auto& vs : status.value("virtual_servers", nlohmann::json::array())) {
    out << " Virtual server " << text(vs, "name") << "\n";
    for (const auto& s : vs.value("services", nlohmann::json::array()))
      out << "   Service = " << text(s, "name") << ", scheduler = " << text(s, "scheduler") << "\n";
    const auto& quorum = vs["quorum"];
    out << "   Quorum = " << text(quorum, "quorum") << ", hysteresis = " << text(quorum, "hysteresis")
        << ", live weight = " << text(quorum, "live_weight") << ", up = " << (quorum.value("up", false) ? "yes" : "no")
        << "\n";
    if (vs.contains("sorry_server"))
      out << "   Sorry server = " << text(vs["sorry_server"], "name")
          << ", active = " << (vs["sorry_server"].value("active", false) ? "yes" : "no") << "\n";
    for (const auto& rs : vs.value("real_servers", nlohmann::json::array())) {
      out << "   Real server " << text(rs, "name") << "\n";
      out << "     Alive = " << (rs.value("health", "") == "up" ? "yes" : "no")
          << ", drained = " << (rs.value("drained", false) ? "yes" : "no") << ", weight = " << text(rs, "weight")
          << ", in pool at weight = " << text(rs, "pool_weight") << "\n";
      for (const auto& c : rs.value("checkers", nlohmann::json::array())) {
        out << "     Checker " << text(c, "checker") << "\n";
        out << "       Has run = " << (c.value("attempts", 0) > 0 ? "yes" : "no") << ", state = " << text(c, "state")
            << ", attempts = " << text(c, "attempts") << ", failures = " << text(c, "failures") << "\n";
        if (c.contains("last_failure")) out << "       Last failure = " << text(c, "last_failure") << "\n";
      }
    }
  }
  const auto& ipvs = status["ipvs"];
  out << " IPVS: reachable = " << (ipvs.value("reachable", false) ? "yes" : "no")
      << ", converged = " << (ipvs.value("converged", false) ? "yes" : "no") << ", failures = " << text(ipvs, "failures")
      << "\n";
  if (ipvs.contains("last_error")) out << "   Last error = " << text(ipvs, "last_error") << "\n";
  return out.str();
}

}  // namespace tandem::daemon
