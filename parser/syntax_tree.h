#pragma once
// The block structure of a configuration: statements and the brace-delimited blocks they own.
#include <functional>
#include <memory>
#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

#include "parser/diagnostics.h"
#include "parser/lexer.h"
#include "parser/source.h"

namespace tandem::config {

// A statement and the block it owns. Its vectors take an allocator: while a file streams through, a block read whole
// is built in an arena and dropped once read (StatementStream). A copy always allocates from the default heap, so a
// Node kept beyond its statement (BlockMeta::kept) never points into the arena.
struct Node {
  using allocator_type = std::pmr::polymorphic_allocator<>;

  std::string keyword;
  Location where;
  int column = 0;
  std::pmr::vector<Token> args;  // the words after the keyword in its statement
  bool hasBlock = false;
  Location blockOpen;            // where its '{' stands, which may be the next line
  std::pmr::vector<Node> children;

  Node() = default;
  explicit Node(const allocator_type& alloc) : args(alloc), children(alloc) {}
  Node(std::string_view name, const allocator_type& alloc) : keyword(name), args(alloc), children(alloc) {}
  Node(const Node&) = default;
  Node(Node&&) = default;
  Node(const Node& other, const allocator_type& alloc);
  Node(Node&& other, const allocator_type& alloc);
  Node& operator=(const Node&) = default;
  Node& operator=(Node&&) = default;
  ~Node() = default;

  std::string describe() const;  // "vrrp_instance VI_1", for messages
};

struct SyntaxTree {
  std::pmr::vector<Node> topLevel;
};

// Tells the brace checker which keywords can only start a top-level block; meeting one nested
// means a '}' was forgotten above it, which lets one missing brace cost one error, not a cascade.
using TopLevelPredicate = std::function<bool(std::string_view keyword)>;

SyntaxTree buildTree(const std::vector<SourceLine>& lines, Diagnostics& diags,
                     const TopLevelPredicate& isTopLevelOnly = {});

}  // namespace tandem::config
