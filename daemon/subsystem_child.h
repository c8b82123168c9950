#pragma once
// Entry of a subsystem child (tandemd re-executed by the parent with --subsystem-child): its own log identity
// and pid file, the configuration read again, then the subsystem's runtime.
#include "daemon/options.h"

namespace tandem::daemon {

// kExitConfigError when the configuration cannot be used (the parent does not respawn it), else the runtime's.
int runSubsystemChild(const Options& options);

}  // namespace tandem::daemon
