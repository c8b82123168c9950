#pragma once
#include <string>

#include "parser/diagnostics.h"

namespace tandem::config {

// One logical line after preprocessing: comments removed, macros expanded, conditionals
// applied, includes inlined. Never holds a newline.
struct SourceLine {
  Location where;
  std::string text;
};

}  // namespace tandem::config
