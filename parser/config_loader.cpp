#include "parser/config_loader.h"

namespace tandem::config {

LoadedConfig loadConfigFile(const std::string& path, const PreprocessOptions& options, FileSystem& fs) {
  Diagnostics diags;
  std::vector<SourceLine> lines = preprocess(path, options, fs, diags);
  return buildConfig(lines, std::move(diags));
}

LoadedConfig loadConfigText(const std::string& name, const std::string& text, const PreprocessOptions& options,
                            FileSystem& fs) {
  Diagnostics diags;
  std::vector<SourceLine> lines = preprocessText(name, text, options, fs, diags);
  return buildConfig(lines, std::move(diags));
}

}  // namespace tandem::config
