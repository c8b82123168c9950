// tandemctl: talks to a running tandemd over its control socket.
//   tandemctl [--socket PATH] status [--json]   processes, VRRP instances, virtual/real servers
//   tandemctl [--socket PATH] reload            like SIGHUP; prints the errors when the new configuration is refused
//   tandemctl [--socket PATH] drain [VS] RS     weight 0 in IPVS for real server RS (in every virtual server that has
//   tandemctl [--socket PATH] undrain [VS] RS   it, or in VS only), kept until undrain, across reloads and restarts
// The parent answers for the processes and lists each child's own socket; the children answer for their
// subsystem (drain and undrain go to the checker child).
#include <CLI/CLI.hpp>

#include <iostream>

#include "daemon/control_client.h"
#include "daemon/status_table.h"

namespace {

using namespace tandem::daemon;

constexpr int kExitRefused = 1;   // the daemon answered with an error
constexpr int kExitNoDaemon = 3;  // nobody answered on the socket

std::string childSocket(const nlohmann::json& parent, const std::string& subsystem) {
  const auto& children = parent.value("daemon", nlohmann::json::object()).value("children", nlohmann::json::array());
  for (const auto& child : children)
    if (child.is_object() && child.value("subsystem", "") == subsystem && child.value("running", false))
      return child.value("socket", "");
  return {};
}

nlohmann::json askChild(const nlohmann::json& parent, const std::string& subsystem, std::vector<std::string>& errors) {
  const std::string socket = childSocket(parent, subsystem);
  if (socket.empty()) return nullptr;
  std::string error;
  if (auto reply = askControlSocket(socket, ControlCommand::Status, error)) return *reply;
  errors.push_back("the " + subsystem + " child did not answer: " + error);
  return nullptr;
}

int status(const std::string& socket, bool json) {
  std::string error;
  const auto parent = askControlSocket(socket, ControlCommand::Status, error);
  if (!parent) {
    std::cerr << "tandemctl: " << error << "\n";
    return kExitNoDaemon;
  }
  if (!parent->value("ok", false)) {
    std::cerr << "tandemctl: " << parent->value("error", std::string("error")) << "\n";
    return kExitRefused;
  }
  std::vector<std::string> errors;
  const nlohmann::json vrrp = askChild(*parent, "vrrp", errors);
  const nlohmann::json checker = askChild(*parent, "checker", errors);
  const nlohmann::json merged = mergeStatus(*parent, vrrp, checker, std::move(errors));
  if (json) std::cout << merged.dump(2) << "\n";
  else std::cout << formatStatusTable(merged);
  return 0;
}

int drain(const std::string& socket, bool drained, std::vector<std::string> servers) {
  const ControlRequest request{drained ? ControlCommand::Drain : ControlCommand::Undrain,
                               servers.size() == 2 ? servers[0] : std::string(), servers.back()};
  std::string error;
  const auto parent = askControlSocket(socket, ControlCommand::Status, error);
  if (!parent) {
    std::cerr << "tandemctl: " << error << "\n";
    return kExitNoDaemon;
  }
  const std::string checker = childSocket(*parent, "checker");
  if (checker.empty()) {
    std::cerr << "tandemctl: no checker child is running (the configuration has no virtual_server, or -P)\n";
    return kExitRefused;
  }
  const auto reply = askControlSocket(checker, request, error);
  if (!reply) {
    std::cerr << "tandemctl: the checker child did not answer: " << error << "\n";
    return kExitNoDaemon;
  }
  if (!reply->value("ok", false)) {
    std::cerr << "tandemctl: " << reply->value("error", std::string("error")) << "\n";
    return kExitRefused;
  }
  const auto changed = reply->value("changed", 0), matched = reply->value("matched", 0);
  std::cout << (drained ? "drained " : "undrained ") << changed << " of " << matched << " real server(s)"
            << (changed < matched ? " (the others already were)" : "") << "\n";
  if (!reply->value("ipvs_converged", true))
    std::cout << "warning: IPVS does not hold the wanted table yet; see tandemctl status\n";
  return 0;
}

int reload(const std::string& socket) {
  std::string error;
  const auto reply = askControlSocket(socket, ControlCommand::Reload, error);
  if (!reply) {
    std::cerr << "tandemctl: " << error << "\n";
    return kExitNoDaemon;
  }
  if (reply->value("ok", false)) {
    std::cout << "reloaded\n";
    return 0;
  }
  std::cerr << "tandemctl: reload refused: " << reply->value("error", std::string("error")) << "\n";
  if (const auto it = reply->find("errors"); it != reply->end() && it->is_array())
    for (const auto& e : *it) std::cerr << (e.is_string() ? e.get<std::string>() : e.dump()) << "\n";
  return kExitRefused;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tandemctl: query and control a running tandemd", "tandemctl"};
  std::string socket = "/run/tandem.sock";
  app.add_option("-s,--socket", socket, "tandemd's control socket (tandemd --control-socket)")->type_name("PATH");
  app.require_subcommand(1);
  bool json = false;
  auto* statusCommand = app.add_subcommand("status", "Processes, VRRP instances, virtual and real servers");
  statusCommand->add_flag("--json", json, "Print the merged status as JSON");
  app.add_subcommand("reload", "Reload the configuration (as SIGHUP); prints the errors if it is refused");
  std::vector<std::string> drainServers, undrainServers;
  auto* drainCommand = app.add_subcommand("drain", "Weight 0 in IPVS for a real server until undrain");
  drainCommand->add_option("servers", drainServers, "[VIRTUAL_SERVER] REAL_SERVER, e.g. 192.0.2.1:80 10.0.0.2:80")
      ->required()
      ->expected(1, 2);
  auto* undrainCommand = app.add_subcommand("undrain", "Give a drained real server its weight back");
  undrainCommand->add_option("servers", undrainServers, "[VIRTUAL_SERVER] REAL_SERVER")->required()->expected(1, 2);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (statusCommand->parsed()) return status(socket, json);
  if (drainCommand->parsed()) return drain(socket, true, drainServers);
  if (undrainCommand->parsed()) return drain(socket, false, undrainServers);
  return reload(socket);
}
