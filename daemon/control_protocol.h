#pragma once
// tandemctl's protocol: one JSON object per line each way over a Unix stream socket.
//   request:  {"command": "status" | "reload" | "ping"}
//             {"command": "drain" | "undrain", "real_server": "ADDRESS[:PORT]"[, "virtual_server": "NAME"]}
//   reply:    {"ok": true, ...} or {"ok": false, "error": "why"[, "errors": ["FILE:LINE: error: ..."]]}
// The parent answers on the main socket; each child answers on its own socket, named after the main one
// (childSocketPath), which the parent's status reply lists. Pure: no sockets here.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace tandem::daemon {

enum class ControlCommand { Status, Reload, Ping, Drain, Undrain };

struct ControlRequest {
  ControlCommand command = ControlCommand::Ping;
  std::string virtualServer;  // drain/undrain: empty means every virtual server that has the real server
  std::string realServer;     // drain/undrain
};

struct ParsedRequest {
  std::optional<ControlRequest> request;
  std::string error;  // set when `request` is empty
};

// A request line longer than this is refused (and the connection closed): a client cannot make us buffer forever.
inline constexpr std::size_t kMaxRequestBytes = 64 * 1024;

// Never throws: garbage yields an error message for the reply.
ParsedRequest parseControlRequest(std::string_view line);
std::string_view commandName(ControlCommand command);

nlohmann::json errorReply(std::string_view message);
// One line, '\n'-terminated. Bytes that are not UTF-8 are replaced rather than thrown on.
std::string encodeLine(const nlohmann::json& message);
std::string encodeRequest(ControlCommand command);
std::string encodeRequest(const ControlRequest& request);

// "/run/tandem.sock" + "vrrp" -> "/run/tandem-vrrp.sock"; without a ".sock" suffix, "-vrrp" is appended.
std::string childSocketPath(const std::string& mainSocket, std::string_view subsystem);

}  // namespace tandem::daemon
