#include "parser/syntax_tree.h"

#include <cstddef>
#include <span>

namespace tandem::config {

Node::Node(const Node& other, const allocator_type& alloc)
    : keyword(other.keyword),
      where(other.where),
      column(other.column),
      args(other.args, alloc),
      hasBlock(other.hasBlock),
      blockOpen(other.blockOpen),
      children(other.children, alloc) {}

Node::Node(Node&& other, const allocator_type& alloc)
    : keyword(std::move(other.keyword)),
      where(std::move(other.where)),
      column(other.column),
      args(std::move(other.args), alloc),
      hasBlock(other.hasBlock),
      blockOpen(std::move(other.blockOpen)),
      children(std::move(other.children), alloc) {}

std::string Node::describe() const {
  std::string out = keyword;
  for (const Token& a : args) {
    if (out.size() > 60) break;
    out += ' ';
    out += a.text;
  }
  return out;
}

TreeBuilder::TreeBuilder(Diagnostics& diags, const TopLevelPredicate& isTopLevelOnly, bool useLayout,
                         std::pmr::memory_resource* memory)
    : diags_(diags), isTopLevelOnly_(isTopLevelOnly), useLayout_(useLayout), tree_{std::pmr::vector<Node>(memory)} {}

void TreeBuilder::addLine(const Location& where, std::string_view text, Diagnostics& lexerDiags) {
  const std::span<const LexedToken> tokens = lexer_.split(where, text, lexerDiags);
  for (std::size_t i = 0; i < tokens.size(); ++i) token(tokens, i, where);
  endLine();
}

// Copies each word once, from the lexer's view into the tree.
void TreeBuilder::token(std::span<const LexedToken> line, std::size_t i, const Location& where) {
  const LexedToken& t = line[i];
  if (t.kind == Token::Kind::OpenBrace) {
    openBlock(where);
  } else if (t.kind == Token::Kind::CloseBrace) {
    finishStatement();
    closeBlock(t, i == 0, where);
  } else if (!statement_) {
    std::size_t words = 0;
    while (i + 1 + words < line.size() && line[i + 1 + words].kind == Token::Kind::Word) ++words;
    startStatement(t, words, where);
  } else {
    statement_->args.emplace_back(t.kind, t.text, t.quoted, t.column);
  }
}

void TreeBuilder::endLine() {
  // A statement ends with its line; it may still take a '{' that opens the next line.
  if (statement_) {
    finishStatement();
    lastFinished_ = true;
  }
}

void TreeBuilder::openWith(const Node& header) {
  Node& root = tree_.topLevel.emplace_back(header);  // into the tree's memory, as its children will be
  root.hasBlock = true;
  stack_.push_back({&tree_.topLevel, tree_.topLevel.size() - 1});
  statement_ = nullptr;
  lastFinished_ = false;
}

void TreeBuilder::clear() {
  std::pmr::vector<Node>(tree_.topLevel.get_allocator()).swap(tree_.topLevel);  // destructors run here
  stack_.clear();
  statement_ = nullptr;
  lastFinished_ = false;
}

SyntaxTree TreeBuilder::finish() {
  finishStatement();
  while (!stack_.empty()) {
    Frame& f = stack_.back();
    diags_.error(f.node().blockOpen, "unclosed '{' of '" + f.node().describe() + "'");
    stack_.pop_back();
  }
  return std::move(tree_);
}

SyntaxTree TreeBuilder::build(const std::vector<SourceLine>& lines, Diagnostics& lexerDiags) {
  for (const SourceLine& line : lines) addLine(line.where, line.text, lexerDiags);
  return finish();
}

std::pmr::vector<Node>& TreeBuilder::currentChildren() {
  return stack_.empty() ? tree_.topLevel : stack_.back().node().children;
}

void TreeBuilder::startStatement(const LexedToken& t, std::size_t argCount, const Location& where) {
  if (useLayout_ && !stack_.empty() && isTopLevelOnly_ && isTopLevelOnly_(t.text)) {
    while (!stack_.empty()) {
      diags_.error(stack_.back().node().blockOpen,
                   "unclosed '{' of '" + stack_.back().node().describe() + "' (the next '" + std::string(t.text) +
                       "' block starts at line " + std::to_string(where.line) + ")");
      stack_.pop_back();
    }
  }
  lastFinished_ = false;
  std::pmr::vector<Node>& siblings = currentChildren();
  // Blocks mostly hold a few statements: skip the 1, 2, 4 growth steps.
  if (siblings.empty()) siblings.reserve(4);
  statement_ = &siblings.emplace_back(t.text);  // built in place; nothing else joins that vector meanwhile
  statement_->where = where;
  statement_->column = t.column;
  statement_->args.reserve(argCount);
}

void TreeBuilder::openBlock(const Location& where) {
  std::pmr::vector<Node>& siblings = currentChildren();
  if (statement_) {
    finishStatement();
  } else if (!lastFinished_ || siblings.empty() || siblings.back().hasBlock) {
    diags_.error(where, "'{' without a keyword before it");
    Node& anonymous = siblings.emplace_back();
    anonymous.keyword = "{";
    anonymous.where = where;
  }
  lastFinished_ = false;
  Node& owner = siblings.back();
  owner.hasBlock = true;
  owner.blockOpen = where;
  stack_.push_back({&siblings, siblings.size() - 1});
}

void TreeBuilder::closeBlock(const LexedToken& brace, bool firstOnLine, const Location& where) {
  lastFinished_ = false;
  if (stack_.empty()) {
    diags_.error(where, "'}' without a matching '{'");
    return;
  }
  if (useLayout_ && firstOnLine) {
    // A '}' indented less than the innermost block's keyword but exactly under an outer
    // block's keyword closes that outer block: the blocks in between were left open.
    if (brace.column < stack_.back().node().column) {
      for (std::size_t k = stack_.size() - 1; k-- > 0;) {
        if (stack_[k].node().column != brace.column) continue;
        while (stack_.size() > k + 1) {
          diags_.error(stack_.back().node().blockOpen, "unclosed '{' of '" + stack_.back().node().describe() + "'");
          stack_.pop_back();
        }
        break;
      }
    }
  }
  stack_.pop_back();
}

SyntaxTree buildTree(const std::vector<SourceLine>& source, Diagnostics& diags, const TopLevelPredicate& isTopLevelOnly) {
  Diagnostics counting;
  SyntaxTree tree = TreeBuilder(counting, isTopLevelOnly, false).build(source, diags);
  if (!counting.hasErrors()) return tree;
  // Counting found a brace error; the layout-aware pass usually names the '{' a person forgot.
  // It tokenizes again, so the lexer's own errors, already reported, go nowhere this time.
  Diagnostics layout;
  Diagnostics lexerAgain;
  SyntaxTree recovered = TreeBuilder(layout, isTopLevelOnly, true).build(source, lexerAgain);
  const Diagnostics& chosen = layout.hasErrors() ? layout : counting;
  for (const Diagnostic& d : chosen.all()) diags.add(d);
  return layout.hasErrors() ? std::move(recovered) : std::move(tree);
}

}  // namespace tandem::config
