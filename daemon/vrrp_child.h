#pragma once
// The VRRP child process: VrrpRuntime on its own io_context, plus its control socket (status) and the dump
// signals (SIGUSR1 data, SIGUSR2 statistics, SIGRTMIN+2 JSON), which the parent forwards.
#include "daemon/logging.h"
#include "daemon/options.h"
#include "parser/model.h"

namespace tandem::daemon {

// The child's exit status: 0 after SIGTERM, kExitCannotStart when the adapters cannot open.
// The configuration is dropped once the runtime has started: the model of a large file weighs far more than
// what the runtime keeps of it.
int runVrrpChild(config::Config config, const Options& options, Logger& log);

}  // namespace tandem::daemon
