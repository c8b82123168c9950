#pragma once
// The configuration tools of tandemd: -t (lint), -d (dump) and --check-pair.
#include <ostream>

#include "daemon/options.h"
#include "parser/config_loader.h"

namespace tandem::daemon {

// keepalived's default config id: the host name up to its first dot.
std::string defaultConfigId();

config::PreprocessOptions preprocessOptionsFor(const Options& options);

config::LoadedConfig loadConfiguration(const std::string& file, const Options& options);

// Frees a configuration model that is no longer needed and gives the memory back to the system: a running process
// keeps only what its runtime made of it.
void releaseConfiguration(config::Config& config);

// Prints every problem once, gcc style, then a one-line summary. Returns the exit status:
// 0 without errors, 1 with errors.
int runConfigTest(const Options& options, std::ostream& out, std::ostream& err);

int runCheckPair(const Options& options, std::ostream& out, std::ostream& err);

}  // namespace tandem::daemon
