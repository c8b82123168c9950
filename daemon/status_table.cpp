#include "daemon/status_table.h"

#include <algorithm>
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

}  // namespace

nlohmann::json mergeStatus(const nlohmann::json& parent, const nlohmann::json& vrrp, const nlohmann::json& checker,
                           std::vector<std::string> errors) {
  nlohmann::json merged{{"daemon", field(parent, "daemon")},
                        {"vrrp", field(vrrp, "vrrp")},
                        {"virtual_servers", field(checker, "virtual_servers")},
                        {"errors", std::move(errors)}};
  if (checker.is_object() && checker.contains("health_checking")) merged["health_checking"] = checker["health_checking"];
  return merged;
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
    const std::string why = text(merged, "health_checking");
    out << "  (none" << (why.empty() ? "" : ": health checking " + why) << ")\n";
  } else {
    std::vector<std::vector<std::string>> rows{{"VIRTUAL SERVER", "REAL SERVER", "HEALTH", "WEIGHT"}};
    for (const auto& vs : servers)
      for (const auto& rs : field(vs, "real_servers"))
        rows.push_back({text(vs, "name"), text(rs, "name"), text(rs, "health"), text(rs, "weight")});
    out << formatTable(rows);
  }
  for (const auto& e : field(merged, "errors"))
    out << "\nwarning: " << (e.is_string() ? e.get<std::string>() : e.dump()) << "\n";
  return out.str();
}

}  // namespace tandem::daemon
