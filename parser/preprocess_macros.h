#pragma once
// keepalived's $NAME / ${NAME} parameter substitution, done so that it always terminates.
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/diagnostics.h"

namespace tandem::config::preproc {

// The macros a piece of text was produced by, innermost last. A reference to a macro already on
// the chain of the text it sits in can only recurse forever.
struct ChainNode {
  std::string name;
  std::shared_ptr<const ChainNode> parent;
};
using Chain = std::shared_ptr<const ChainNode>;

bool chainContains(const Chain& chain, std::string_view name);
Chain extendChain(const Chain& chain, std::string name);
// Adds name unless present; used when a whole re-scanned line inherits every macro it came from.
Chain mergeIntoChain(const Chain& chain, const std::string& name);
std::string describeCycle(const Chain& chain, std::string_view name);  // "A -> B -> A"

enum class Builtin { None, Pwd, Instance, Random, Hash, Bang, Env };

struct Macro {
  std::vector<std::string> lines;  // a multi-line macro has more than one
  Builtin builtin = Builtin::None;
  Location where;  // first line of the definition
  bool multiline() const { return lines.size() > 1; }
};

class MacroTable {
 public:
  MacroTable();  // with keepalived's predefined _PWD, _INSTANCE, _RANDOM, _HASH, _BANG, _ENV
  // Redefining a name, predefined ones included, replaces it.
  void define(const std::string& name, std::vector<std::string> lines, Location where = {});
  const Macro* find(std::string_view name) const;

 private:
  std::map<std::string, Macro, std::less<>> macros_;
};

struct Definition {
  std::string name;
  std::string value;  // leading blanks removed
};
// "$NAME=VALUE" at the start of a line; no blank is allowed before '='.
std::optional<Definition> parseDefinition(std::string_view line);

struct ExpansionEnv {
  std::string pwd;
  std::string instance;
  std::function<std::optional<std::string>(const std::string&)> getenv;
  std::function<unsigned()> random;
  std::size_t maxLineLength = 1u << 20;
  std::size_t maxReplacements = 100'000;
};

struct PendingLines {  // the rest of a multi-line macro, to be processed after the current line
  std::vector<std::string> lines;
  Chain chain;
  Location where;  // of the macro definition
};

struct Expansion {
  std::string text;
  bool changed = false;
  std::vector<std::size_t> commentCandidates;  // '#'/'!' positions in text that came from macros
  std::vector<PendingLines> pending;            // in discovery order; the last found comes first
  Chain chain;                                  // the input chain plus every macro used
  std::optional<std::string> error;             // the line must be dropped
  std::vector<std::string> warnings;
};

// Replaces $NAME (followed by blank, ',', ')' or the end) and ${NAME} (also ${_RANDOM 1 9},
// ${_ENV VAR}) from left to right, re-scanning each replacement in place as keepalived does.
// Undefined names stay as written. A multi-line macro only expands at the end of the line: its
// first line replaces the reference and the others become pending. After a macro whose value
// starts with '~' nothing more is replaced, so that a ~SEQ/~LST it produced sees its raw body.
Expansion expandMacros(std::string_view text, const Chain& base, const MacroTable& macros, const ExpansionEnv& env);

}  // namespace tandem::config::preproc
