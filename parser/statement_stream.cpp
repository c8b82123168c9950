#include "parser/statement_stream.h"

#include <utility>

namespace tandem::config {

StatementStream::StatementStream(OpenBlock topLevel, BuildContext reading, Diagnostics& lexing)
    : ctx_(reading),
      lexerDiags_(lexing),
      firstArenaBlock_(std::make_unique<std::byte[]>(kFirstArenaBytes)),
      arena_(firstArenaBlock_.get(), kFirstArenaBytes),
      whole_(&arena_) {
  ctx_.sizes = &sizes_;
  blocks_.push_back(std::move(topLevel));
}

void StatementStream::addLine(const Location& where, std::string_view text) {
  if (broken_) return;
  const std::span<const LexedToken> tokens = lexer_.split(where, text, lexerDiags_);
  for (std::size_t i = 0; i < tokens.size() && !broken_; ++i) {
    if (open_.empty()) {
      streamed(tokens[i], where);
    } else {
      inWhole(tokens[i], tokens.subspan(i + 1), where);
    }
  }
  if (state_ == Statement::OnLine) state_ = Statement::Ended;
  if (wholeState_ == Statement::OnLine) wholeState_ = Statement::Ended;
}

bool StatementStream::finish() {
  if (broken_ || !open_.empty()) return false;
  if (state_ != Statement::None) readStatement();
  return blocks_.size() == 1;
}

void StatementStream::streamed(const LexedToken& t, const Location& where) {
  switch (t.kind) {
    case Token::Kind::Word:
      if (state_ == Statement::OnLine) {
        statement_.args.emplace_back(t.kind, t.text, t.quoted, t.column);
        return;
      }
      if (state_ == Statement::Ended) readStatement();
      statement_.keyword.assign(t.text);
      statement_.where = where;
      statement_.column = t.column;
      statement_.args.clear();
      statement_.hasBlock = false;
      statement_.blockOpen = {};
      state_ = Statement::OnLine;
      return;
    case Token::Kind::OpenBrace:
      if (state_ == Statement::None) {
        broken_ = true;  // a '{' without a keyword
        return;
      }
      state_ = Statement::None;
      statement_.hasBlock = true;
      statement_.blockOpen = where;
      if (std::optional<OpenBlock> inner = blocks_.back().open(statement_, ctx_)) {
        blocks_.push_back(std::move(*inner));
        blocks_.back().begin(ctx_);
      } else {
        startWhole();
      }
      return;
    case Token::Kind::CloseBrace:
      if (state_ != Statement::None) readStatement();
      if (blocks_.size() == 1) {
        broken_ = true;  // a '}' without a '{'
        return;
      }
      blocks_.back().end(ctx_);
      blocks_.pop_back();
      return;
  }
}

void StatementStream::readStatement() {
  state_ = Statement::None;
  blocks_.back().statement(statement_, ctx_);
}

void StatementStream::startWhole() {
  open_.push_back(&whole_.emplace_back(statement_));  // copied into the arena, as its children will be
  wholeState_ = Statement::None;
}

// The same brace counting as buildTree's, into the arena.
void StatementStream::inWhole(const LexedToken& t, std::span<const LexedToken> rest, const Location& where) {
  switch (t.kind) {
    case Token::Kind::Word: {
      if (wholeState_ == Statement::OnLine) {
        wholeStatement_->args.emplace_back(t.kind, t.text, t.quoted, t.column);
        return;
      }
      std::pmr::vector<Node>& siblings = open_.back()->children;
      if (siblings.empty()) siblings.reserve(4);  // blocks mostly hold a few statements
      wholeStatement_ = &siblings.emplace_back(t.text);
      wholeStatement_->where = where;
      wholeStatement_->column = t.column;
      std::size_t words = 0;
      while (words < rest.size() && rest[words].kind == Token::Kind::Word) ++words;
      wholeStatement_->args.reserve(words);
      wholeState_ = Statement::OnLine;
      return;
    }
    case Token::Kind::OpenBrace:
      if (wholeState_ == Statement::None) {
        broken_ = true;
        return;
      }
      wholeState_ = Statement::None;
      wholeStatement_->hasBlock = true;
      wholeStatement_->blockOpen = where;
      // Only its own children are added while it is open, so the vector holding it stays where it is.
      open_.push_back(wholeStatement_);
      return;
    case Token::Kind::CloseBrace:
      wholeState_ = Statement::None;
      open_.pop_back();
      if (open_.empty()) readWhole();
      return;
  }
}

void StatementStream::readWhole() {
  blocks_.back().statement(whole_.front(), ctx_);
  std::pmr::vector<Node>(&arena_).swap(whole_);  // the tree's destructors run before its memory goes
  arena_.release();
}

}  // namespace tandem::config
