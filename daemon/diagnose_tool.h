#pragma once
// tandemd --diagnose: the configuration's checklist against the live system (see diagnose/).
#include <ostream>

#include "daemon/options.h"

namespace tandem::daemon {

// Exit status: 0 when nothing FAILs, 1 otherwise (and when the configuration has errors).
int runDiagnose(const Options& options, std::ostream& out, std::ostream& err);

}  // namespace tandem::daemon
