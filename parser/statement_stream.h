#pragma once
// Reads the model while the lines arrive. Each statement goes to the block it belongs to once it is complete; a block
// whose keyword table reads it statement by statement (most of them: virtual servers, real servers, checkers, VRRP
// instances) is never held as a tree. Others (lists such as virtual_ipaddress, kept and unknown blocks) are built
// whole in an arena, read at their '}', and dropped.
#include <memory>
#include <memory_resource>
#include <span>
#include <string_view>
#include <vector>

#include "parser/block_table.h"
#include "parser/diagnostics.h"
#include "parser/lexer.h"
#include "parser/syntax_tree.h"
#include "parser/values.h"

namespace tandem::config {

class StatementStream {
 public:
  // Statements at the top level go to `topLevel`, read in `reading` (whose size hints the stream sets); the lexer's
  // messages go to `lexing`.
  StatementStream(OpenBlock topLevel, BuildContext reading, Diagnostics& lexing);
  StatementStream(const StatementStream&) = delete;
  StatementStream& operator=(const StatementStream&) = delete;

  void addLine(const Location& where, std::string_view text);
  // Reads the last statement. false when the braces do not match: what was read is then unreliable, and the caller
  // starts again with buildTree, whose recovery names the forgotten brace. Nothing is read after the first mismatch.
  bool finish();

 private:
  // A statement ends with its line, but may still take a '{' that opens the next one.
  enum class Statement { None, OnLine, Ended };

  void streamed(const LexedToken& t, const Location& where);
  void readStatement();
  void readWhole();

  SizeHints sizes_;
  BuildContext ctx_;
  Diagnostics& lexerDiags_;
  Lexer lexer_;
  std::vector<OpenBlock> blocks_;  // blocks_[0] is the top level
  Node statement_;                 // the statement being read; its strings and vector keep their room between uses
  Statement state_ = Statement::None;
  bool broken_ = false;

  // A block read whole: its tree, built by the same brace counting as buildTree's, in an arena reused block after
  // block. A brace error there is all `counting_` is for: it breaks the stream.
  static constexpr std::size_t kFirstArenaBytes = 64 * 1024;
  std::unique_ptr<std::byte[]> firstArenaBlock_;
  std::pmr::monotonic_buffer_resource arena_;
  Diagnostics counting_;
  const TopLevelPredicate noRecovery_;
  TreeBuilder whole_;
};

}  // namespace tandem::config
