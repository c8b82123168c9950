#include "parser/syntax_tree.h"

#include <optional>

namespace tandem::config {

std::string Node::describe() const {
  std::string out = keyword;
  for (const Token& a : args) {
    if (out.size() > 60) break;
    out += ' ';
    out += a.text;
  }
  return out;
}

namespace {

struct Line {
  std::vector<Token> tokens;
};

// Builds the tree from the tokens. Pure brace counting is the truth for a well-formed file;
// `useLayout` switches on the recovery heuristics that run only once counting found an error:
// indentation (a '}' that lines up with an outer block's keyword closes that block, so the
// inner unclosed '{' is the one reported) and top-level-only keywords met while nested.
class TreeBuilder {
 public:
  TreeBuilder(Diagnostics& diags, const TopLevelPredicate& isTopLevelOnly, bool useLayout)
      : diags_(diags), isTopLevelOnly_(isTopLevelOnly), useLayout_(useLayout) {}

  SyntaxTree build(const std::vector<Line>& lines) {
    for (const Line& line : lines) {
      bool firstOnLine = true;
      for (std::size_t i = 0; i < line.tokens.size(); ++i) {
        const Token& t = line.tokens[i];
        if (t.kind == Token::Kind::OpenBrace) {
          openBlock(t);
        } else if (t.kind == Token::Kind::CloseBrace) {
          finishStatement();
          closeBlock(t, firstOnLine);
        } else {
          if (!statement_) startStatement(t);
          else statement_->args.push_back(t);
        }
        firstOnLine = false;
      }
      // A statement ends with its line; it may still take a '{' that opens the next line.
      if (statement_) {
        finishStatement();
        lastFinished_ = true;
      }
    }
    finishStatement();
    while (!stack_.empty()) {
      Frame& f = stack_.back();
      diags_.error(f.node().blockOpen, "unclosed '{' of '" + f.node().describe() + "'");
      stack_.pop_back();
    }
    return std::move(tree_);
  }

 private:
  struct Frame {
    std::vector<Node>* siblings;
    std::size_t index;
    Node& node() const { return (*siblings)[index]; }
  };

  std::vector<Node>& currentChildren() { return stack_.empty() ? tree_.topLevel : stack_.back().node().children; }

  void startStatement(const Token& t) {
    if (useLayout_ && !stack_.empty() && isTopLevelOnly_ && isTopLevelOnly_(t.text)) {
      while (!stack_.empty()) {
        diags_.error(stack_.back().node().blockOpen,
                     "unclosed '{' of '" + stack_.back().node().describe() + "' (the next '" + t.text +
                         "' block starts at line " + std::to_string(t.where.line) + ")");
        stack_.pop_back();
      }
    }
    lastFinished_ = false;
    statement_ = Node{};
    statement_->keyword = t.text;
    statement_->where = t.where;
    statement_->column = t.column;
  }

  void finishStatement() {
    if (!statement_) return;
    currentChildren().push_back(std::move(*statement_));
    statement_.reset();
  }

  void openBlock(const Token& brace) {
    std::vector<Node>& siblings = currentChildren();
    if (statement_) {
      finishStatement();
    } else if (!lastFinished_ || siblings.empty() || siblings.back().hasBlock) {
      diags_.error(brace.where, "'{' without a keyword before it");
      Node anonymous;
      anonymous.keyword = "{";
      anonymous.where = brace.where;
      siblings.push_back(std::move(anonymous));
    }
    lastFinished_ = false;
    Node& owner = siblings.back();
    owner.hasBlock = true;
    owner.blockOpen = brace.where;
    stack_.push_back({&siblings, siblings.size() - 1});
  }

  void closeBlock(const Token& brace, bool firstOnLine) {
    lastFinished_ = false;
    if (stack_.empty()) {
      diags_.error(brace.where, "'}' without a matching '{'");
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

  Diagnostics& diags_;
  const TopLevelPredicate& isTopLevelOnly_;
  bool useLayout_;
  SyntaxTree tree_;
  std::vector<Frame> stack_;
  std::optional<Node> statement_;
  bool lastFinished_ = false;  // the previous line ended a statement that may still own a '{'
};

}  // namespace

SyntaxTree buildTree(const std::vector<SourceLine>& source, Diagnostics& diags, const TopLevelPredicate& isTopLevelOnly) {
  std::vector<Line> lines;
  lines.reserve(source.size());
  for (const SourceLine& s : source) {
    Line l{tokenize(s, diags)};
    if (!l.tokens.empty()) lines.push_back(std::move(l));
  }
  Diagnostics counting;
  SyntaxTree tree = TreeBuilder(counting, isTopLevelOnly, false).build(lines);
  if (!counting.hasErrors()) return tree;
  // Counting found a brace error; the layout-aware pass usually names the '{' a person forgot.
  Diagnostics layout;
  SyntaxTree recovered = TreeBuilder(layout, isTopLevelOnly, true).build(lines);
  const Diagnostics& chosen = layout.hasErrors() ? layout : counting;
  for (const Diagnostic& d : chosen.all()) diags.add(d);
  return layout.hasErrors() ? std::move(recovered) : std::move(tree);
}

}  // namespace tandem::config
