#pragma once
// tandemd's run mode: the supervising parent (validate the configuration, detach unless -n, pid file, children;
// see Supervisor, which forks them).

#include "daemon/options.h"
#include "daemon/pid_file.h"  // livePidIn

namespace tandem::daemon {

// fork, new session, cwd /, stdio on /dev/null; the calling parent exits at once, as keepalived's does.
bool daemonize();

// The exit status of the process.
int runDaemon(const Options& options);

}  // namespace tandem::daemon
