#include "daemon/status_table.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace tandem::daemon {
namespace {

// A cell from any JSON value, without throwing on a field of an unexpected type.
std::string text(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::string joinedList(const nlohmann::json& list) {
  if (!list.is_array() || list.empty()) return "-";
  std::string out;
  for (const auto& item : list) out += (out.empty() ? "" : ",") + (item.is_string() ? item.get<std::string>() : item.dump());
  return out;
}

std::string transition(const nlohmann::json& t) {
  if (!t.is_object()) return "-";
  return text(t, "at") + " " + text(t, "from") + "->" + text(t, "to") + " (" + text(t, "reason") + ")";
}

const nlohmann::json& field(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kNull;
  if (!object.is_object()) return kNull;
  const auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

// "LVS sync daemon: follows VI_1 as master on eth1 (syncid 51); kernel runs: master" and the last failure, if any.
std::string syncDaemonLine(const nlohmann::json& sync) {
  if (!sync.is_object()) return "";
  const nlohmann::json& settings = field(sync, "settings");
  std::string kernel;
  for (const auto& d : field(sync, "kernel"))
    kernel += (kernel.empty() ? "" : ", ") + text(d, "state") + " on " + text(d, "interface") + " syncid " +
              text(d, "sync_id");
  std::string line = "LVS sync daemon: follows " + text(sync, "instance") + " as " + text(sync, "role") + " on " +
                     text(settings, "interface") + " (syncid " + text(settings, "sync_id") + "); kernel runs: " +
                     (kernel.empty() ? "none" : kernel) + "\n";
  if (const std::string error = text(sync, "last_error"); !error.empty())
    line += "  last failure (" + text(sync, "failures") + " so far): " + error + "\n";
  return line;
}

// A cell for a real server's place in the pool: its weight there, "-" when it is out of the pool.
std::string poolCell(const nlohmann::json& rs) {
  const nlohmann::json& weight = field(rs, "pool_weight");
  if (!weight.is_number()) return "-";
  return weight.dump() + (field(rs, "drained") == true ? " (drained)" : "");
}

// "TCP_CHECK 10.0.0.2:80 up 0.4 ms" per checker, or the last failure of a failing one.
std::string checkersCell(const nlohmann::json& rs) {
  std::string out;
  for (const auto& c : field(rs, "checkers")) {
    std::string cell = text(c, "checker") + " " + text(c, "state");
    const nlohmann::json& latency = field(c, "last_latency_ms");
    if (latency.is_number()) {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, " %.1f ms", latency.get<double>());
      cell += buffer;
    }
    if (text(c, "last_result") == "failure") cell += " (" + text(c, "last_failure") + ")";
    out += (out.empty() ? "" : "; ") + cell;
  }
  return out.empty() ? "-" : out;
}

std::string statCell(const nlohmann::json& stats, const char* key) {
  const nlohmann::json& value = field(stats, key);
  return value.is_number() ? value.dump() : "-";
}

std::vector<std::vector<std::string>> realServerRows(const nlohmann::json& servers) {
  std::vector<std::vector<std::string>> rows{
      {"VIRTUAL SERVER", "REAL SERVER", "HEALTH", "WEIGHT", "IN POOL", "ACTIVE", "INACTIVE", "CHECKERS"}};
  for (const auto& vs : servers)
    for (const auto& rs : field(vs, "real_servers")) {
      const nlohmann::json& stats = field(rs, "stats");
      rows.push_back({text(vs, "name"), text(rs, "name"), text(rs, "health"), text(rs, "weight"), poolCell(rs),
                      statCell(stats, "active_connections"), statCell(stats, "inactive_connections"),
                      checkersCell(rs)});
    }
  return rows;
}

// "TCP 192.0.2.1:80: quorum up (live weight 6, quorum 1, hysteresis 0); sorry server 10.0.0.9:80 standing in"
std::string virtualServerLine(const nlohmann::json& vs) {
  const nlohmann::json& quorum = field(vs, "quorum");
  std::string line = "  " + text(vs, "name") + ": quorum " + (field(quorum, "up") == true ? "up" : "lost") +
                     " (live weight " + text(quorum, "live_weight") + ", quorum " + text(quorum, "quorum") +
                     ", hysteresis " + text(quorum, "hysteresis") + ")";
  const nlohmann::json& sorry = field(vs, "sorry_server");
  if (sorry.is_object())
    line += "; sorry server " + text(sorry, "name") + (field(sorry, "active") == true ? " standing in" : " idle");
  return line + "\n";
}

std::string ipvsLine(const nlohmann::json& ipvs) {
  if (!ipvs.is_object()) return "";
  if (field(ipvs, "converged") == true) return "  IPVS: the kernel holds the wanted table\n";
  return "  IPVS: NOT in sync (" + text(ipvs, "failures") + " failed attempt(s)): " + text(ipvs, "last_error") + "\n";
}

// What ipvsadm -Ln --stats --rate shows, per service and real server.
std::vector<std::vector<std::string>> statisticsRows(const nlohmann::json& servers) {
  static constexpr const char* kKeys[] = {"connections",          "in_packets",           "out_packets",
                                          "in_bytes",             "out_bytes",            "connections_per_second",
                                          "in_packets_per_second", "out_packets_per_second", "in_bytes_per_second",
                                          "out_bytes_per_second"};
  std::vector<std::vector<std::string>> rows{{"SERVICE / REAL SERVER", "CONNS", "INPKTS", "OUTPKTS", "INBYTES",
                                              "OUTBYTES", "CPS", "INPPS", "OUTPPS", "INBPS", "OUTBPS"}};
  auto row = [&rows](const std::string& name, const nlohmann::json& stats) {
    if (!stats.is_object()) return;
    std::vector<std::string> cells{name};
    for (const char* key : kKeys) cells.push_back(statCell(stats, key));
    rows.push_back(std::move(cells));
  };
  for (const auto& vs : servers) {
    for (const auto& service : field(vs, "services")) row(text(service, "name"), field(service, "stats"));
    for (const auto& rs : field(vs, "real_servers")) row("  -> " + text(rs, "name"), field(rs, "stats"));
  }
  return rows;
}

}  // namespace

nlohmann::json mergeStatus(const nlohmann::json& parent, const nlohmann::json& vrrp, const nlohmann::json& checker,
                           std::vector<std::string> errors) {
  return {{"daemon", field(parent, "daemon")},
          {"vrrp", field(vrrp, "vrrp")},
          {"virtual_servers", field(checker, "virtual_servers")},
          {"ipvs", field(checker, "ipvs")},
          {"errors", std::move(errors)}};
}

std::string formatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (widths.size() <= i) widths.push_back(0);
      widths[i] = std::max(widths[i], row[i].size());
    }
  std::ostringstream out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out << line << "\n";
  }
  return out.str();
}

std::string formatStatusTable(const nlohmann::json& merged) {
  std::ostringstream out;
  const nlohmann::json& daemon = field(merged, "daemon");
  out << "tandemd pid " << (daemon.is_null() ? "?" : text(daemon, "pid")) << ", configuration "
      << text(daemon, "config_file") << "\n";
  for (const auto& child : field(daemon, "children")) {
    if (field(child, "wanted") != true && field(child, "running") != true) continue;
    out << "  " << text(child, "subsystem") << " child: "
        << (field(child, "running") == true ? "running, pid " + text(child, "pid") : std::string("not running"))
        << ", respawns " << text(child, "respawns") << "\n";
  }

  out << "\nVRRP instances\n";
  const nlohmann::json& instances = field(field(merged, "vrrp"), "instances");
  if (!instances.is_array() || instances.empty()) {
    out << "  (none)\n";
  } else {
    std::vector<std::vector<std::string>> rows{
        {"NAME", "STATE", "PRIORITY", "EFFECTIVE", "INTERFACE", "VRID", "VIPS", "LAST TRANSITION"}};
    for (const auto& i : instances)
      rows.push_back({text(i, "name"), text(i, "state"), text(i, "priority"), text(i, "effective_priority"),
                      text(i, "interface"), text(i, "vrid"), joinedList(field(i, "vips")),
                      transition(field(i, "last_transition"))});
    out << formatTable(rows);
  }
  out << syncDaemonLine(field(field(merged, "vrrp"), "lvs_sync_daemon"));

  out << "\nVirtual servers\n";
  const nlohmann::json& servers = field(merged, "virtual_servers");
  if (!servers.is_array() || servers.empty()) {
    out << "  (none)\n";
  } else {
    out << formatTable(realServerRows(servers));
    for (const auto& vs : servers) out << virtualServerLine(vs);
    out << ipvsLine(field(merged, "ipvs"));
    if (const auto rows = statisticsRows(servers); rows.size() > 1) out << "\nIPVS statistics\n" << formatTable(rows);
  }
  for (const auto& e : field(merged, "errors"))
    out << "\nwarning: " << (e.is_string() ? e.get<std::string>() : e.dump()) << "\n";
  return out.str();
}

}  // namespace tandem::daemon
