#include "parser/config_builder.h"

#include "parser/syntax_tree.h"

namespace tandem::config {

namespace {

void append(Diagnostics& to, const Diagnostics& from) {
  for (const Diagnostic& d : from.all()) to.add(d);
}

}  // namespace

StreamingConfigBuilder::StreamingConfigBuilder() : stream_(openBlock(topLevelSchema(), config_), BuildContext{reading_, nullptr, &earlyLvs_}, lexing_) {}

void StreamingConfigBuilder::line(const Location& where, std::string_view text, const Location&) {
  stream_.addLine(where, text);
}

bool StreamingConfigBuilder::finish(LoadedConfig& out) {
  if (!stream_.finish()) return false;
  out.config = std::move(config_);
  append(out.diagnostics, lexing_);
  append(out.diagnostics, reading_);
  validate(out.config, out.diagnostics, &earlyLvs_);
  return true;
}

LoadedConfig buildConfig(const std::vector<SourceLine>& lines, Diagnostics diagnostics) {
  LoadedConfig out;
  out.diagnostics = std::move(diagnostics);
  {
    StreamingConfigBuilder streaming;
    for (const SourceLine& line : lines) streaming.line(line.where, line.text, line.expandedAt);
    if (streaming.finish(out)) return out;
  }
  // A brace is missing: the whole tree and its recovery heuristics. The lexer's messages come
  // again and are dropped as duplicates.
  SyntaxTree tree = buildTree(lines, out.diagnostics, isTopLevelOnlyBlock);
  BuildContext ctx{out.diagnostics};
  topLevelSchema().read(out.config, tree.topLevel, ctx);
  validate(out.config, out.diagnostics);
  return out;
}

std::vector<SourceLine> splitLines(const std::string& fileName, const std::string& text) {
  auto file = FileName(fileName);
  std::vector<SourceLine> out;
  int n = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back({{file, ++n}, text.substr(start, end - start)});
    start = end + 1;
  }
  return out;
}

}  // namespace tandem::config
