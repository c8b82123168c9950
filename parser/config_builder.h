#pragma once
// From preprocessed lines to a validated model: block tree, keyword tables, semantic checks.
#include <vector>

#include "parser/diagnostics.h"
#include "parser/model.h"
#include "parser/source.h"

namespace tandem::config {

struct LoadedConfig {
  Config config;
  Diagnostics diagnostics;
};

LoadedConfig buildConfig(const std::vector<SourceLine>& lines, Diagnostics diagnostics = {});

// Splits plain text into lines of a named file, without preprocessing (tests, tools).
std::vector<SourceLine> splitLines(const std::string& fileName, const std::string& text);

}  // namespace tandem::config
