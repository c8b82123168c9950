#pragma once
// ~SEQ(var, start, step, end), ~SEQx(...) and ~LST(var, v1, v2) / ~LST({a,b}, {1,2}, {3,4}):
// the rest of the line is processed once per value, with the variable(s) defined as macros.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::config::preproc {

struct LoopSpec {
  bool sequence = false;                            // ~SEQ/~SEQx, else ~LST
  bool hex = false;                                 // ~SEQx: values in lower-case hex without 0x
  long long start = 0, step = 1, end = 0;           // ~SEQ: start, start+step, ... while not past end
  std::vector<std::string> vars;                    // one for ~SEQ
  std::vector<std::vector<std::string>> valueSets;  // ~LST: one value per variable, missing ones blank
  std::string body;
};

struct LoopParse {
  std::optional<LoopSpec> spec;
  std::string error;
};

bool isLoopLine(std::string_view line);
// expandParams turns the text of ~SEQ's numbers into plain text (macros allowed there), or
// returns nullopt after setting its error argument.
using ParamExpander = std::function<std::optional<std::string>(std::string_view text, std::string& error)>;
LoopParse parseLoop(std::string_view line, const ParamExpander& expandParams);

std::string formatSequenceValue(long long value, bool hex);

}  // namespace tandem::config::preproc
