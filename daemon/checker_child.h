#pragma once
// The health-checker child process (virtual_server / real_server checks, IPVS).
//
// PLACEHOLDER: the checker runtime does not exist yet. runCheckerChild logs once that health checking is not
// running, answers status on its control socket with no virtual server, and idles until SIGTERM/SIGINT; SIGHUP
// is acknowledged in the log. The real runtime replaces the body of runCheckerChild.
#include "daemon/logging.h"
#include "daemon/options.h"
#include "parser/model.h"

namespace tandem::daemon {

// The child's exit status: 0 after SIGTERM/SIGINT.
int runCheckerChild(const config::Config& config, const Options& options, Logger& log);

}  // namespace tandem::daemon
