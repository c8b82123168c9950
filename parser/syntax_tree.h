#pragma once
// The block structure of a configuration: statements and the brace-delimited blocks they own.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/diagnostics.h"
#include "parser/lexer.h"
#include "parser/source.h"

namespace tandem::config {

struct Node {
  std::string keyword;
  Location where;
  int column = 0;
  std::vector<Token> args;  // the words after the keyword in its statement
  bool hasBlock = false;
  Location blockOpen;       // where its '{' stands, which may be the next line
  std::vector<Node> children;

  std::string describe() const;  // "vrrp_instance VI_1", for messages
};

struct SyntaxTree {
  std::vector<Node> topLevel;
};

// Tells the brace checker which keywords can only start a top-level block; meeting one nested
// means a '}' was forgotten above it, which lets one missing brace cost one error, not a cascade.
using TopLevelPredicate = std::function<bool(std::string_view keyword)>;

SyntaxTree buildTree(const std::vector<SourceLine>& lines, Diagnostics& diags,
                     const TopLevelPredicate& isTopLevelOnly = {});

}  // namespace tandem::config
