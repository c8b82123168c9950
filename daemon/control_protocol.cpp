#include "daemon/control_protocol.h"

#include <array>
#include <utility>

namespace tandem::daemon {
namespace {

constexpr std::array<std::pair<std::string_view, ControlCommand>, 5> kCommands{{
    {"status", ControlCommand::Status},
    {"reload", ControlCommand::Reload},
    {"ping", ControlCommand::Ping},
    {"drain", ControlCommand::Drain},
    {"undrain", ControlCommand::Undrain},
}};

// An optional string member; false (with `error`) when it is there with another type.
bool stringMember(const nlohmann::json& object, const char* key, std::string& value, std::string& error) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return true;
  if (!it->is_string()) {
    error = std::string("\"") + key + "\" must be a string";
    return false;
  }
  value = it->get<std::string>();
  return true;
}

std::string knownCommands() {
  std::string out;
  for (const auto& [name, command] : kCommands) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

}  // namespace

ParsedRequest parseControlRequest(std::string_view line) {
  ParsedRequest out;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.size() > kMaxRequestBytes) {
    out.error = "request longer than " + std::to_string(kMaxRequestBytes) + " bytes";
    return out;
  }
  const nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    out.error = "request is not valid JSON";
    return out;
  }
  if (!parsed.is_object()) {
    out.error = "request must be a JSON object";
    return out;
  }
  const auto command = parsed.find("command");
  if (command == parsed.end()) {
    out.error = "request has no \"command\"";
    return out;
  }
  if (!command->is_string()) {
    out.error = "\"command\" must be a string";
    return out;
  }
  const auto& name = command->get_ref<const std::string&>();
  for (const auto& [known, value] : kCommands)
    if (name == known) {
      ControlRequest request{value, {}, {}};
      if (value == ControlCommand::Drain || value == ControlCommand::Undrain) {
        if (!stringMember(parsed, "virtual_server", request.virtualServer, out.error) ||
            !stringMember(parsed, "real_server", request.realServer, out.error))
          return out;
        if (request.realServer.empty()) {
          out.error = std::string(known) + " needs \"real_server\"";
          return out;
        }
      }
      out.request = std::move(request);
      return out;
    }
  out.error = "unknown command " + encodeLine(name);
  out.error.pop_back();  // encodeLine's newline
  out.error += " (known: " + knownCommands() + ")";
  return out;
}

std::string_view commandName(ControlCommand command) {
  for (const auto& [name, value] : kCommands)
    if (value == command) return name;
  return "?";
}

nlohmann::json errorReply(std::string_view message) {
  return nlohmann::json{{"ok", false}, {"error", std::string(message)}};
}

std::string encodeLine(const nlohmann::json& message) {
  return message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string encodeRequest(ControlCommand command) { return encodeRequest(ControlRequest{command, {}, {}}); }

std::string encodeRequest(const ControlRequest& request) {
  nlohmann::json message{{"command", std::string(commandName(request.command))}};
  if (!request.virtualServer.empty()) message["virtual_server"] = request.virtualServer;
  if (!request.realServer.empty()) message["real_server"] = request.realServer;
  return encodeLine(message);
}

std::string childSocketPath(const std::string& mainSocket, std::string_view subsystem) {
  constexpr std::string_view kSuffix = ".sock";
  const std::string tag = "-" + std::string(subsystem);
  if (mainSocket.size() > kSuffix.size() && mainSocket.ends_with(kSuffix))
    return mainSocket.substr(0, mainSocket.size() - kSuffix.size()) + tag + std::string(kSuffix);
  return mainSocket + tag;
}

}  // namespace tandem::daemon
