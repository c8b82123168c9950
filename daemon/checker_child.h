#pragma once
// The health-checker child process: CheckerRuntime on its own io_context, plus its control socket (status, drain,
// undrain) and the data dump of SIGUSR1 (keepalived_check.data), which the parent forwards. SIGUSR2 and
// SIGRTMIN+2 are the VRRP child's; this one only acknowledges them.
#include "daemon/logging.h"
#include "daemon/options.h"
#include "parser/model.h"

namespace tandem::daemon {

// The child's exit status: 0 after SIGTERM/SIGINT, kExitCannotStart when the event loop cannot be set up.
// The configuration is handed to the runtime, which drops it once it has what it runs.
int runCheckerChild(config::Config config, const Options& options, Logger& log);

}  // namespace tandem::daemon
