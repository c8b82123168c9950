#pragma once
// Builds a model from configuration text in tests (no preprocessing) and reads its messages.
#include <string>
#include <vector>

#include "parser/config_builder.h"

namespace tandem::config::testing {

inline LoadedConfig parse(const std::string& text) { return buildConfig(splitLines("t.conf", text)); }

// Every diagnostic formatted "t.conf:LINE: error: ...".
inline std::vector<std::string> messages(const LoadedConfig& c) {
  std::vector<std::string> out;
  for (const auto& d : c.diagnostics.all()) out.push_back(d.format());
  return out;
}

inline std::vector<std::string> errors(const LoadedConfig& c) {
  std::vector<std::string> out;
  for (const auto& d : c.diagnostics.all())
    if (d.severity == Severity::Error) out.push_back(d.format());
  return out;
}

}  // namespace tandem::config::testing
