#pragma once
// The block structure of a configuration: statements and the brace-delimited blocks they own.
#include <functional>
#include <memory>
#include <memory_resource>
#include <span>
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

// Builds the tree from the tokens: buildTree's for a whole file, StatementStream's for a block it reads whole. Pure
// brace counting is the truth for a well-formed file; `useLayout` switches on the recovery heuristics that run only
// once counting found an error: indentation (a '}' that lines up with an outer block's keyword closes that block, so
// the inner unclosed '{' is the one reported) and top-level-only keywords met while nested. Brace errors go to
// `diags`; the tree's nodes live in `memory`.
class TreeBuilder {
 public:
  TreeBuilder(Diagnostics& diags, const TopLevelPredicate& isTopLevelOnly, bool useLayout,
              std::pmr::memory_resource* memory = std::pmr::get_default_resource());

  void addLine(const Location& where, std::string_view text, Diagnostics& lexerDiags);
  // Token `i` of a line's tokens, then endLine() once the line is done.
  void token(std::span<const LexedToken> line, std::size_t i, const Location& where);
  void endLine();
  // `header`, a statement read elsewhere whose '{' has just been met, becomes a top-level node with its block open.
  void openWith(const Node& header);
  std::size_t openBlocks() const { return stack_.size(); }
  const std::pmr::vector<Node>& topLevel() const { return tree_.topLevel; }
  void clear();  // drops the tree, for the next one in the same memory

  SyntaxTree finish();  // reports the blocks left open
  SyntaxTree build(const std::vector<SourceLine>& lines, Diagnostics& lexerDiags);

 private:
  struct Frame {
    std::pmr::vector<Node>* siblings;
    std::size_t index;
    Node& node() const { return (*siblings)[index]; }
  };

  std::pmr::vector<Node>& currentChildren();
  void startStatement(const LexedToken& t, std::size_t argCount, const Location& where);
  void finishStatement() { statement_ = nullptr; }
  void openBlock(const Location& where);
  void closeBlock(const LexedToken& brace, bool firstOnLine, const Location& where);

  Diagnostics& diags_;
  const TopLevelPredicate& isTopLevelOnly_;
  bool useLayout_;
  SyntaxTree tree_;
  std::vector<Frame> stack_;
  Node* statement_ = nullptr;  // the open statement, the last of currentChildren()
  Lexer lexer_;
  bool lastFinished_ = false;  // the previous line ended a statement that may still own a '{'
};

}  // namespace tandem::config
