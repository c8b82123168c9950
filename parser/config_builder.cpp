#include "parser/config_builder.h"

#include "parser/syntax_tree.h"

namespace tandem::config {

LoadedConfig buildConfig(const std::vector<SourceLine>& lines, Diagnostics diagnostics) {
  LoadedConfig out;
  out.diagnostics = std::move(diagnostics);
  SyntaxTree tree = buildTree(lines, out.diagnostics, isTopLevelOnlyBlock);
  BuildContext ctx{out.diagnostics};
  topLevelSchema().read(out.config, tree.topLevel, ctx);
  validate(out.config, out.diagnostics);
  return out;
}

std::vector<SourceLine> splitLines(const std::string& fileName, const std::string& text) {
  auto file = std::make_shared<const std::string>(fileName);
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
