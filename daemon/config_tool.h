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

// What a tool does with the models it loaded once it is done. A process that exits right after gives all its memory
// back at once; freeing 10,000 real servers block by block first was a tenth of `-t` on 87k lines.
enum class ModelTeardown { Free, LeaveToProcessExit };

// Prints every problem once, gcc style, then a one-line summary. Returns the exit status:
// 0 without errors, 1 with errors.
int runConfigTest(const Options& options, std::ostream& out, std::ostream& err,
                  ModelTeardown teardown = ModelTeardown::Free);

int runCheckPair(const Options& options, std::ostream& out, std::ostream& err,
                 ModelTeardown teardown = ModelTeardown::Free);

}  // namespace tandem::daemon
