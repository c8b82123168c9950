#include "parser/statement_stream.h"

#include <utility>

namespace tandem::config {

StatementStream::StatementStream(OpenBlock topLevel, BuildContext reading, Diagnostics& lexing)
    : ctx_(reading),
      lexerDiags_(lexing),
      firstArenaBlock_(std::make_unique<std::byte[]>(kFirstArenaBytes)),
      arena_(firstArenaBlock_.get(), kFirstArenaBytes),
      whole_(counting_, noRecovery_, false, &arena_) {
  ctx_.sizes = &sizes_;
  blocks_.push_back(std::move(topLevel));
}

void StatementStream::addLine(const Location& where, std::string_view text) {
  if (broken_) return;
  const std::span<const LexedToken> tokens = lexer_.split(where, text, lexerDiags_);
  for (std::size_t i = 0; i < tokens.size() && !broken_; ++i) {
    if (whole_.openBlocks() == 0) {
      streamed(tokens[i], where);
      continue;
    }
    whole_.token(tokens, i, where);
    if (counting_.hasErrors()) {
      broken_ = true;
    } else if (whole_.openBlocks() == 0) {
      readWhole();
    }
  }
  if (state_ == Statement::OnLine) state_ = Statement::Ended;
  whole_.endLine();
}

bool StatementStream::finish() {
  if (broken_ || whole_.openBlocks() != 0) return false;
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
        whole_.openWith(statement_);
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

void StatementStream::readWhole() {
  blocks_.back().statement(whole_.topLevel().front(), ctx_);
  whole_.clear();  // the tree's destructors run before its memory goes
  arena_.release();
}

}  // namespace tandem::config
