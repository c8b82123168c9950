#pragma once
// tandemd's run mode: load and validate the configuration, detach unless -n, keep the pid file, run VRRP.
#include <optional>
#include <string>
#include <sys/types.h>

#include "daemon/options.h"

namespace tandem::daemon {

// The exit status of the daemon (0 after an orderly shutdown, 1 when it cannot start).
int runDaemon(const Options& options);

// The pid a pid file names when that process is alive, else nullopt (no file, garbage, or a stale pid).
std::optional<pid_t> livePidIn(const std::string& pidFile);

}  // namespace tandem::daemon
