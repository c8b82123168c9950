#include "parser/config_loader.h"

namespace tandem::config {
namespace {

// Preprocesses straight into the model builder; a file whose braces do not match (rare, and
// never on the hot path) goes through the line vector again for brace recovery.
template <class Stream, class Collect>
LoadedConfig load(const Stream& stream, const Collect& collect) {
  LoadedConfig out;
  StreamingConfigBuilder builder;
  stream(out.diagnostics, builder);
  if (builder.finish(out)) return out;
  Diagnostics diags;
  std::vector<SourceLine> lines = collect(diags);
  return buildConfig(lines, std::move(diags));
}

}  // namespace

LoadedConfig loadConfigFile(const std::string& path, const PreprocessOptions& options, FileSystem& fs) {
  return load([&](Diagnostics& d, LineSink& out) { preprocessInto(path, options, fs, d, out); },
              [&](Diagnostics& d) { return preprocess(path, options, fs, d); });
}

LoadedConfig loadConfigText(const std::string& name, const std::string& text, const PreprocessOptions& options,
                            FileSystem& fs) {
  return load([&](Diagnostics& d, LineSink& out) { preprocessTextInto(name, text, options, fs, d, out); },
              [&](Diagnostics& d) { return preprocessText(name, text, options, fs, d); });
}

}  // namespace tandem::config
