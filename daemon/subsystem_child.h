#pragma once
// Entry of a subsystem child (forked by the parent, see child_spawn.h): its own log identity and pid file, the
// configuration the parent validated (or, for a respawned child, the file read again), then the subsystem's runtime.
#include "daemon/options.h"
#include "parser/model.h"

namespace tandem::daemon {

// kExitConfigError when the configuration cannot be used (the parent does not respawn it), else the runtime's.
// `validated`: the parent's configuration in this child's copy of its memory, moved from; null: read the file.
int runSubsystemChild(const Options& options, config::Config* validated);

}  // namespace tandem::daemon
