#pragma once
// tandemd's run mode: the supervising parent (validate the configuration, detach unless -n, pid file, children;
// see Supervisor), or, started by that parent with --subsystem-child, one subsystem child.
#include <string>
#include <vector>

#include "daemon/options.h"
#include "daemon/pid_file.h"  // livePidIn

namespace tandem::daemon {

// fork, new session, cwd /, stdio on /dev/null; the calling parent exits at once, as keepalived's does.
bool daemonize();

// The exit status of the process. `args`: the command line without argv[0] (the parent gives it to its children).
int runDaemon(const Options& options, std::vector<std::string> args);

}  // namespace tandem::daemon
