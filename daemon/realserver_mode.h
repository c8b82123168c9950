#pragma once
// `tandemd --realserver`: the real-server helper of a DR/TUN real server. Binds the VIPs on lo (/32, /128), sets
// arp_ignore=1/arp_announce=2 on lo, all and the outward interfaces, puts back within the same netlink event what a
// network restart or a hand removes, and undoes on SIGTERM/SIGINT exactly what it did (see realserver/reconciler.h).
// SIGHUP rereads the real_server_setup block when the VIPs came from it. One process: no children, no control socket.
#include <optional>
#include <string>

#include "daemon/options.h"
#include "parser/model.h"
#include "realserver/reconciler.h"

namespace tandem::daemon {

inline constexpr const char* kRealServerPidFile = "/run/tandem-realserver.pid";

// What the helper must hold, from the command line's VIPs or, without any, from the configuration's
// real_server_setup block (`config`: nullptr when it was not read). nullopt with the reason in `error`.
std::optional<realserver::Desired> realServerDesired(const Options& options, const config::Config* config,
                                                     std::string& error);

// The exit status of the process.
int runRealServer(const Options& options);

}  // namespace tandem::daemon
