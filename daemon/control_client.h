#pragma once
// tandemctl's side of the control socket: one request, one reply line, with a timeout.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "daemon/control_protocol.h"

namespace tandem::daemon {

// The reply, or nullopt with `error` (no daemon there, timeout, garbage).
std::optional<nlohmann::json> askControlSocket(const std::string& path, const ControlRequest& request,
                                               std::string& error,
                                               std::chrono::milliseconds timeout = std::chrono::seconds{10});
inline std::optional<nlohmann::json> askControlSocket(const std::string& path, ControlCommand command,
                                                      std::string& error,
                                                      std::chrono::milliseconds timeout = std::chrono::seconds{10}) {
  return askControlSocket(path, ControlRequest{command, {}, {}}, error, timeout);
}

}  // namespace tandem::daemon
