#pragma once
// The normalized model that --dump-conf and pair lint show: every value keepalived would derive
// (inherited timers, defaults that depend on other keywords or on global_defs) written out.
#include "parser/model.h"

namespace tandem::config {

// Returns a copy of `config` where each derived value is set explicitly, so that writing it out
// shows what Tandem runs with. Reading the result back gives the same effective configuration.
Config withDefaultsResolved(const Config& config);

}  // namespace tandem::config
