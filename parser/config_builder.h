#pragma once
// From preprocessed lines to a validated model: block tree, keyword tables, semantic checks.
#include <vector>

#include "parser/diagnostics.h"
#include "parser/model.h"
#include "parser/preprocessor.h"
#include "parser/source.h"
#include "parser/statement_stream.h"
#include "parser/syntax_tree.h"

namespace tandem::config {

struct LoadedConfig {
  Config config;
  Diagnostics diagnostics;
};

LoadedConfig buildConfig(const std::vector<SourceLine>& lines, Diagnostics diagnostics = {});

// Reads the model while the lines arrive (from preprocessInto), statement by statement (StatementStream), so a
// large file is never held whole, neither as lines nor as a tree. It relies on matching braces; when they do not
// match, finish() says so and the caller starts again with buildConfig, whose recovery names the forgotten brace.
class StreamingConfigBuilder final : public LineSink {
 public:
  StreamingConfigBuilder();
  void line(const Location& where, std::string_view text, const Location& expandedAt) override;
  // On success moves the validated model into `out`, whose diagnostics (the preprocessor's) are
  // followed by the lexer's, then the keyword tables', then validation's. false: nothing changed.
  bool finish(LoadedConfig& out);

 private:
  Config config_;
  Diagnostics lexing_;
  Diagnostics reading_;
  EarlyLvsChecks earlyLvs_;
  StatementStream stream_;
};

// Splits plain text into lines of a named file, without preprocessing (tests, tools).
std::vector<SourceLine> splitLines(const std::string& fileName, const std::string& text);

}  // namespace tandem::config
