// libFuzzer target: the input is the text of a configuration file, fed through the whole
// front end (preprocessor, block tree, keyword tables, semantic checks), then written back
// out with the text dump writer so the writers see every model the builder can produce.
// Crashes, sanitizer reports and timeouts are the findings; diagnostics are expected.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "parser/config_loader.h"
#include "parser/dump_writer.h"
#include "parser/model.h"
#include "parser/preprocessor.h"

namespace {

// Includes resolve to nothing: the fuzzer explores one file, and the host's files must not
// leak into results (or make them differ from one machine to the next).
class EmptyFileSystem final : public tandem::config::FileSystem {
 public:
  std::optional<std::string> readFile(const std::string&) override { return std::nullopt; }
  std::vector<std::string> glob(const std::string&) override { return {}; }
  std::string canonical(const std::string& path) override { return path; }
};

tandem::config::PreprocessOptions fuzzOptions() {
  tandem::config::PreprocessOptions options;
  options.configId = "fuzz";
  // Fixed values keep every run reproducible from the crash file alone.
  options.random = [] { return 4u; };
  options.getenv = [](const std::string&) { return std::optional<std::string>(); };
  // Smaller than the daemon's limits: an 8 KiB input can legitimately ask for millions of
  // ~SEQ lines, and under the sanitizers that would be reported as a timeout although the
  // limit code is doing its job. These still leave room to reach every limit. 4 MiB of output let an 873-byte
  // ~SEQ input build 30,000 real servers, 6 s of instrumented work for a linear model build: the bytes cap is what
  // bounds the model's size.
  options.limits.maxOutputLines = 50'000;
  options.limits.maxOutputBytes = 512u << 10;
  options.limits.maxLineLength = 64u << 10;
  options.limits.maxReplacementsPerLine = 10'000;
  options.limits.maxWorkSteps = 200'000;
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tandem::config::PreprocessOptions options = fuzzOptions();
  EmptyFileSystem fs;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto loaded = tandem::config::loadConfigText("fuzz.conf", text, options, fs);

  std::ostringstream out;
  tandem::config::TextDumpWriter writer(out);
  tandem::config::topLevelSchema().write(loaded.config, writer);
  for (const auto& diagnostic : loaded.diagnostics.all()) out << diagnostic.format() << '\n';
  return 0;
}
