#include "parser/preprocess_loops.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "parser/preprocess_text.h"

namespace tandem::config::preproc {

namespace {

void skipBlanks(std::string_view& p) {
  while (!p.empty() && isBlank(p.front())) p.remove_prefix(1);
}

// Text up to the first blank or one of stops.
std::string takeUntil(std::string_view& p, std::string_view stops) {
  std::size_t n = 0;
  while (n < p.size() && !isBlank(p[n]) && stops.find(p[n]) == std::string_view::npos) ++n;
  std::string out(p.substr(0, n));
  p.remove_prefix(n);
  return out;
}

bool validName(const std::string& s) {
  if (s.empty() || !isNameStart(s.front())) return false;
  for (char c : s) {
    if (!isNameChar(c)) return false;
  }
  return true;
}

std::optional<long long> parseNumber(std::string_view text) {
  const std::string s(trimBlanks(text));
  if (s.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 0);
  if (errno == ERANGE || end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

LoopParse fail(std::string message) { return LoopParse{std::nullopt, std::move(message)}; }

LoopParse parseSequence(std::string_view line, const ParamExpander& expandParams) {
  LoopSpec spec;
  spec.sequence = true;
  std::string_view p = line.substr(4);
  if (!p.empty() && p.front() == 'x') {
    spec.hex = true;
    p.remove_prefix(1);
  }
  const std::string bad = "invalid ~SEQ specification '" + std::string(line) + "'";
  skipBlanks(p);
  if (p.empty() || p.front() != '(') return fail(bad + ": expected '('");
  p.remove_prefix(1);
  skipBlanks(p);
  std::string var = takeUntil(p, ",)");
  if (!validName(var)) return fail(bad + ": expected a variable name");
  skipBlanks(p);
  if (p.empty() || p.front() != ',') return fail(bad + ": expected ',' after the variable");
  p.remove_prefix(1);
  const std::size_t close = p.find(')');
  if (close == std::string_view::npos) return fail(bad + ": missing ')'");
  std::string error;
  const std::optional<std::string> params = expandParams(p.substr(0, close), error);
  if (!params) return fail(bad + ": " + error);
  std::vector<long long> numbers;
  std::string_view rest = *params;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::optional<long long> n = parseNumber(rest.substr(0, comma));
    if (!n) return fail(bad + ": '" + std::string(trimBlanks(rest.substr(0, comma))) + "' is not a number");
    numbers.push_back(*n);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (numbers.size() > 3) return fail(bad + ": too many numbers");
  if (numbers.size() == 1) {
    spec.end = numbers[0];
    spec.step = spec.end < 1 ? -1 : 1;
    spec.start = spec.end < 0 ? -1 : 1;
  } else if (numbers.size() == 2) {
    spec.start = numbers[0];
    spec.end = numbers[1];
    spec.step = spec.start <= spec.end ? 1 : -1;
  } else {
    spec.start = numbers[0];
    spec.step = numbers[1];
    spec.end = numbers[2];
    if (spec.step == 0 || (spec.start < spec.end && spec.step < 0) || (spec.start > spec.end && spec.step > 0)) {
      return fail(bad + ": the step does not lead from start to end");
    }
  }
  if (spec.hex && (spec.start < 0 || spec.end < 0)) return fail(bad + ": ~SEQx needs non-negative numbers");
  spec.vars.push_back(std::move(var));
  std::string_view body = p.substr(close + 1);
  skipBlanks(body);
  spec.body = std::string(body);
  return LoopParse{std::move(spec), {}};
}

LoopParse parseList(std::string_view line) {
  LoopSpec spec;
  const std::string bad = "invalid ~LST specification '" + std::string(line) + "'";
  std::string_view p = line.substr(4);
  skipBlanks(p);
  if (p.empty() || p.front() != '(') return fail(bad + ": expected '('");
  p.remove_prefix(1);
  skipBlanks(p);
  const bool grouped = !p.empty() && p.front() == '{';
  if (grouped) p.remove_prefix(1);
  while (true) {
    skipBlanks(p);
    std::string var = takeUntil(p, grouped ? ",}" : ",");
    if (!validName(var)) return fail(bad + ": expected a variable name");
    spec.vars.push_back(std::move(var));
    skipBlanks(p);
    if (!grouped || (!p.empty() && p.front() == '}')) break;
    if (p.empty() || p.front() != ',') return fail(bad + ": expected ',' between variables");
    p.remove_prefix(1);
  }
  if (grouped) {
    p.remove_prefix(1);
    skipBlanks(p);
  }
  if (p.empty() || p.front() != ',') return fail(bad + ": expected ',' before the values");
  p.remove_prefix(1);
  while (true) {
    skipBlanks(p);
    const bool set = !p.empty() && p.front() == '{';
    if (set) p.remove_prefix(1);
    std::vector<std::string> values;
    while (true) {
      skipBlanks(p);
      values.push_back(takeUntil(p, ",})"));
      skipBlanks(p);
      if (values.size() > spec.vars.size()) return fail(bad + ": too many values in a set");
      if (!set || p.empty() || p.front() != ',') break;
      p.remove_prefix(1);
    }
    if (set) {
      if (p.empty() || p.front() != '}') return fail(bad + ": missing '}'");
      p.remove_prefix(1);
      skipBlanks(p);
    }
    values.resize(spec.vars.size());
    spec.valueSets.push_back(std::move(values));
    if (!p.empty() && p.front() == ')') break;
    if (p.empty() || p.front() != ',') return fail(bad + ": expected ',' or ')' after a value");
    p.remove_prefix(1);
  }
  p.remove_prefix(1);
  skipBlanks(p);
  spec.body = std::string(p);
  return LoopParse{std::move(spec), {}};
}

}  // namespace

bool isLoopLine(std::string_view line) { return line.substr(0, 4) == "~SEQ" || line.substr(0, 4) == "~LST"; }

LoopParse parseLoop(std::string_view line, const ParamExpander& expandParams) {
  if (line.substr(0, 4) == "~SEQ") return parseSequence(line, expandParams);
  if (line.substr(0, 4) == "~LST") return parseList(line);
  return fail("not a ~SEQ or ~LST line");
}

std::string formatSequenceValue(long long value, bool hex) {
  if (!hex) return std::to_string(value);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(value));
  return buf;
}

}  // namespace tandem::config::preproc
