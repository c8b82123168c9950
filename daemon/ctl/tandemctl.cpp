// tandemctl: talks to a running tandemd over its control socket.
//   tandemctl [--socket PATH] status [--json]   processes, VRRP instances, virtual/real servers
//   tandemctl [--socket PATH] reload            like SIGHUP; prints the errors when the new configuration is refused
// The parent answers for the processes and lists each child's own socket; the children answer for their
// subsystem. drain/undrain need the IPVS side and do not exist yet.
#include <CLI/CLI.hpp>

#include <iostream>

#include "daemon/control_client.h"
#include "daemon/status_table.h"

namespace {

using namespace tandem::daemon;

constexpr int kExitRefused = 1;   // the daemon answered with an error
constexpr int kExitNoDaemon = 3;  // nobody answered on the socket

nlohmann::json askChild(const nlohmann::json& parent, const std::string& subsystem, std::vector<std::string>& errors) {
  const auto& children = parent.value("daemon", nlohmann::json::object()).value("children", nlohmann::json::array());
  for (const auto& child : children) {
    if (!child.is_object() || child.value("subsystem", "") != subsystem || !child.value("running", false)) continue;
    const std::string socket = child.value("socket", "");
    std::string error;
    if (auto reply = askControlSocket(socket, ControlCommand::Status, error)) return *reply;
    errors.push_back("the " + subsystem + " child did not answer: " + error);
  }
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (statusCommand->parsed()) return status(socket, json);
  return reload(socket);
}
