#include "daemon/metrics.h"

#include <cmath>
#include <cstdio>

namespace tandem::daemon {
namespace {

std::string escapedLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string formatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Counters are integers well below 2^53: print them without an exponent or a fraction.
  if (value == std::floor(value) && std::fabs(value) < 9.007199254740992e15) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
    return buffer;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

double number(const nlohmann::json& j, const char* key, double fallback = 0) {
  if (!j.is_object()) return fallback;
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

std::string text(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return {};
  const auto it = j.find(key);
  if (it == j.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  return {};
}

const nlohmann::json& member(const nlohmann::json& j, const char* key) {
  static const nlohmann::json none;
  if (!j.is_object()) return none;
  const auto it = j.find(key);
  return it == j.end() ? none : *it;
}

using Type = MetricsText::Type;

constexpr const char* kVrrpStates[] = {"INIT", "BACKUP", "MASTER", "FAULT", "STOP"};

void addDaemon(MetricsText& out, const nlohmann::json& daemon) {
  out.add("tandem_up", Type::Gauge, "1 when the supervising process answered its control socket.", {},
          daemon.is_object() ? 1 : 0);
  for (const auto& child : member(daemon, "children")) {
    const MetricLabels labels{{"subsystem", text(child, "subsystem")}};
    out.add("tandem_child_running", Type::Gauge, "1 while the subsystem's child process runs.", labels,
            child.value("running", false) ? 1 : 0);
    out.add("tandem_child_respawns_total", Type::Counter, "Times the supervisor restarted the subsystem's child.",
            labels, number(child, "respawns"));
  }
}

void addVrrpInstance(MetricsText& out, const nlohmann::json& instance) {
  const MetricLabels labels{{"instance", text(instance, "name")},
                            {"interface", text(instance, "interface")},
                            {"vrid", text(instance, "vrid")}};
  const std::string state = text(instance, "state");
  for (const char* s : kVrrpStates) {
    MetricLabels withState = labels;
    withState.emplace_back("state", s);
    out.add("tandem_vrrp_state", Type::Gauge, "1 for the VRRP instance's current state, 0 for the others.",
            withState, state == s ? 1 : 0);
  }
  out.add("tandem_vrrp_priority", Type::Gauge, "Configured priority.", labels, number(instance, "priority"));
  out.add("tandem_vrrp_effective_priority", Type::Gauge, "Priority after tracking adjustments.", labels,
          number(instance, "effective_priority"));
  const auto& vips = member(instance, "vips");
  out.add("tandem_vrrp_vips", Type::Gauge, "Virtual addresses the instance manages.", labels,
          vips.is_array() ? static_cast<double>(vips.size()) : 0);

  const auto& alarms = member(instance, "alarms");
  out.add("tandem_vrrp_split_brain", Type::Gauge, "1 while a split-brain alarm stands for the instance.", labels,
          alarms.is_object() && alarms.value("split_brain", false) ? 1 : 0);
  out.add("tandem_vrrp_no_peer", Type::Gauge, "1 while the no-peer alarm stands for the instance.", labels,
          alarms.is_object() && alarms.value("no_peer", false) ? 1 : 0);

  const auto& counters = member(instance, "counters");
  static constexpr std::pair<const char*, const char*> kCounters[] = {
      {"adverts_received", "Adverts accepted from the other routers."},
      {"adverts_sent", "Adverts sent."},
      {"priority_zero_received", "Priority-0 adverts received (a master resigning)."},
      {"priority_zero_sent", "Priority-0 adverts sent when resigning."},
      {"transitions", "State transitions."},
      {"became_master", "Transitions to MASTER."},
      {"released_master", "Transitions out of MASTER."},
      {"split_brain_alarms", "Split-brain alarms raised: another master kept advertising while we were master."},
      {"no_peer_alarms", "No-peer alarms raised: master without hearing any peer."},
  };
  for (const auto& [key, help] : kCounters)
    out.add(std::string("tandem_vrrp_") + key + "_total", Type::Counter, help, labels, number(counters, key));
  const auto& dropped = member(counters, "dropped");
  if (dropped.is_object())
    for (const auto& [reason, count] : dropped.items()) {
      MetricLabels withReason = labels;
      withReason.emplace_back("reason", reason);
      out.add("tandem_vrrp_adverts_dropped_total", Type::Counter, "Adverts dropped, by reason.", withReason,
              count.is_number() ? count.get<double>() : 0);
    }
}

// lvs_sync_daemon: the role Tandem wants (a state set), what the kernel runs, and the failures to get there. Nothing
// when it is not configured.
void addSyncDaemon(MetricsText& out, const nlohmann::json& sync) {
  if (!sync.is_object()) return;
  const std::string instance = text(sync, "instance");
  const std::string role = text(sync, "role");
  for (const char* r : {"master", "backup", "stopped"})
    out.add("tandem_lvs_sync_daemon_role", Type::Gauge,
            "1 for the IPVS sync daemon role the followed VRRP instance asks for, 0 for the others.",
            {{"instance", instance}, {"role", r}}, role == r ? 1 : 0);
  for (const char* state : {"master", "backup"}) {
    bool running = false;
    for (const auto& d : member(sync, "kernel")) running = running || text(d, "state") == state;
    out.add("tandem_lvs_sync_daemon_kernel_running", Type::Gauge,
            "1 while the kernel runs the IPVS sync daemon of this state.", {{"state", state}}, running ? 1 : 0);
  }
  out.add("tandem_lvs_sync_daemon_converged", Type::Gauge,
          "1 when the last attempt left the kernel's sync daemons as the role asks.", {{"instance", instance}},
          sync.value("converged", false) ? 1 : 0);
  out.add("tandem_lvs_sync_daemon_failures_total", Type::Counter,
          "Attempts to switch the IPVS sync daemons that failed (retried at the next VRRP state change).",
          {{"instance", instance}}, number(sync, "failures"));
}

void addVrrp(MetricsText& out, const nlohmann::json& reply) {
  const auto& vrrp = member(reply, "vrrp");
  addSyncDaemon(out, member(vrrp, "lvs_sync_daemon"));
  for (const auto& instance : member(vrrp, "instances")) addVrrpInstance(out, instance);
  for (const auto& channel : member(vrrp, "channels")) {
    for (const char* reason : {"unknown_vrid", "unroutable"}) {
      const MetricLabels labels{
          {"interface", text(channel, "interface")}, {"family", text(channel, "family")}, {"reason", reason}};
      out.add("tandem_vrrp_channel_dropped_total", Type::Counter,
              "Adverts dropped on a receiving socket before any instance saw them.", labels, number(channel, reason));
    }
  }
}

// The IPVS counters of one service or destination, as the status reply carries them (ipvsadm --stats --rate).
void addIpvsCounters(MetricsText& out, const std::string& prefix, const std::string& what, const MetricLabels& labels,
                     const nlohmann::json& stats) {
  if (!stats.is_object()) return;
  out.add(prefix + "_connections_total", Type::Counter, "Connections IPVS scheduled to the " + what + ".", labels,
          number(stats, "connections"));
  out.add(prefix + "_connections_per_second", Type::Gauge, "IPVS's rate estimate of connections to the " + what + ".",
          labels, number(stats, "connections_per_second"));
  for (const char* direction : {"in", "out"}) {
    MetricLabels withDirection = labels;
    withDirection.emplace_back("direction", direction);
    const std::string d = direction;
    out.add(prefix + "_packets_total", Type::Counter, "Packets through the " + what + ", by direction.",
            withDirection, number(stats, (d + "_packets").c_str()));
    out.add(prefix + "_bytes_total", Type::Counter, "Bytes through the " + what + ", by direction.", withDirection,
            number(stats, (d + "_bytes").c_str()));
    out.add(prefix + "_packets_per_second", Type::Gauge, "IPVS's rate estimate of packets, by direction.",
            withDirection, number(stats, (d + "_packets_per_second").c_str()));
    out.add(prefix + "_bytes_per_second", Type::Gauge, "IPVS's rate estimate of bytes, by direction.", withDirection,
            number(stats, (d + "_bytes_per_second").c_str()));
  }
}

void addRealServer(MetricsText& out, const std::string& virtualServer, const nlohmann::json& rs) {
  const MetricLabels labels{{"virtual_server", virtualServer}, {"real_server", text(rs, "name")}};
  out.add("tandem_real_server_up", Type::Gauge, "1 while every checker of the real server passes.", labels,
          text(rs, "health") == "up" ? 1 : 0);
  out.add("tandem_real_server_drained", Type::Gauge, "1 while an operator drains the real server (tandemctl drain).",
          labels, rs.value("drained", false) ? 1 : 0);
  const auto& weight = member(rs, "pool_weight");
  out.add("tandem_real_server_in_pool", Type::Gauge, "1 while the real server is in the IPVS pool (any weight).",
          labels, weight.is_number() ? 1 : 0);
  out.add("tandem_real_server_weight", Type::Gauge, "The real server's weight in the IPVS pool; 0 when out of it.",
          labels, weight.is_number() ? weight.get<double>() : 0);
  const auto& stats = member(rs, "stats");
  addIpvsCounters(out, "tandem_ipvs_real_server", "real server", labels, stats);
  if (stats.is_object()) {
    out.add("tandem_ipvs_real_server_active_connections", Type::Gauge,
            "ActiveConn: established connections (inferred from the client's side alone under DR and TUN).", labels,
            number(stats, "active_connections"));
    out.add("tandem_ipvs_real_server_inactive_connections", Type::Gauge,
            "InActConn: connections in any other state (inferred under DR and TUN).", labels,
            number(stats, "inactive_connections"));
  }
  for (const auto& c : member(rs, "checkers")) {
    MetricLabels checker = labels;
    checker.emplace_back("checker", text(c, "checker"));
    out.add("tandem_check_attempts_total", Type::Counter, "Check attempts that concluded.", checker,
            number(c, "attempts"));
    out.add("tandem_check_failures_total", Type::Counter, "Check attempts that failed.", checker, number(c, "failures"));
    out.add("tandem_check_up", Type::Gauge, "1 while the checker holds its real server up.", checker,
            text(c, "state").starts_with("up") || text(c, "state") == "retrying" ? 1 : 0);
    out.add("tandem_check_latency_seconds_sum", Type::Counter, "Time from each attempt's start to its verdict.",
            checker, number(c, "latency_sum_ms") / 1000);
    out.add("tandem_check_latency_seconds_count", Type::Counter, "Attempts timed in tandem_check_latency_seconds_sum.",
            checker, number(c, "attempts"));
    out.add("tandem_check_last_latency_seconds", Type::Gauge, "The last attempt's time to its verdict.", checker,
            number(c, "last_latency_ms") / 1000);
  }
}

void addChecker(MetricsText& out, const nlohmann::json& reply) {
  const auto& ipvs = member(reply, "ipvs");
  if (ipvs.is_object()) {
    out.add("tandem_ipvs_reachable", Type::Gauge, "1 when the checker process could read the kernel's IPVS table.", {},
            ipvs.value("reachable", false) ? 1 : 0);
    out.add("tandem_ipvs_converged", Type::Gauge, "1 when the kernel's IPVS table is what the health checks want.", {},
            ipvs.value("converged", false) ? 1 : 0);
    out.add("tandem_ipvs_sync_failures_total", Type::Counter, "Attempts to program IPVS that did not converge.", {},
            number(ipvs, "failures"));
    out.add("tandem_ipvs_operations_total", Type::Counter, "IPVS rule changes the kernel accepted.", {},
            number(ipvs, "operations"));
    out.add("tandem_ipvs_resyncs_total", Type::Counter, "Times the IPVS table was found changed by someone else.", {},
            number(ipvs, "resyncs"));
  }
  for (const auto& vs : member(reply, "virtual_servers")) {
    const std::string name = text(vs, "name");
    const MetricLabels labels{{"virtual_server", name}};
    const auto& quorum = member(vs, "quorum");
    out.add("tandem_virtual_server_quorum_up", Type::Gauge, "1 while the virtual server has its quorum.", labels,
            quorum.is_object() && quorum.value("up", false) ? 1 : 0);
    out.add("tandem_virtual_server_live_weight", Type::Gauge, "Sum of the weights of the live real servers.", labels,
            number(quorum, "live_weight"));
    const auto& sorry = member(vs, "sorry_server");
    if (sorry.is_object())
      out.add("tandem_virtual_server_sorry_server_active", Type::Gauge, "1 while the sorry server stands in.", labels,
              sorry.value("active", false) ? 1 : 0);
    for (const auto& service : member(vs, "services"))
      addIpvsCounters(out, "tandem_ipvs_service", "virtual service", {{"service", text(service, "name")}},
                      member(service, "stats"));
    for (const auto& rs : member(vs, "real_servers")) addRealServer(out, name, rs);
  }
}

}  // namespace

void MetricsText::add(const std::string& name, Type type, const std::string& help, const MetricLabels& labels,
                      double value) {
  Family* family = nullptr;
  for (auto& f : families_)
    if (f.name == name) family = &f;
  if (!family) family = &families_.emplace_back(Family{name, type, help, {}});
  std::string sample = name;
  if (!labels.empty()) {
    sample += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i) sample += ',';
      sample += labels[i].first + "=\"" + escapedLabelValue(labels[i].second) + '"';
    }
    sample += '}';
  }
  sample += ' ' + formatValue(value);
  family->samples.push_back(std::move(sample));
}

std::string MetricsText::str() const {
  std::string out;
  for (const auto& f : families_) {
    out += "# HELP " + f.name + ' ' + f.help + '\n';
    out += "# TYPE " + f.name + (f.type == Type::Counter ? " counter\n" : " gauge\n");
    for (const auto& s : f.samples) out += s + '\n';
  }
  return out;
}

std::string renderMetrics(const MetricsInput& input) {
  MetricsText out;
  addDaemon(out, input.daemon);
  if (!input.vrrp.is_null()) addVrrp(out, input.vrrp);
  if (!input.checker.is_null()) addChecker(out, input.checker);
  return out.str();
}

}  // namespace tandem::daemon
