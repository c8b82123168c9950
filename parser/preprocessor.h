#pragma once
// keepalived's line preprocessor: comments, include/includer/includem/includew/includeb/includea,
// @id conditionals, $NAME macros (single and multi-line), ~SEQ/~SEQx/~LST line repetition.
//
// Deliberate differences from keepalived 2.2.7 (all make bad input fail loudly instead of
// silently or forever):
//  - a missing main file, or an include naming a literal path that does not exist, is an error
//    for every include variant; keepalived only logs it for plain "include";
//  - a macro that expands to itself (directly or through others, through multi-line bodies or
//    ~SEQ bodies) is an error at the line and the line is dropped; keepalived loops forever;
//  - an include cycle is an error naming the chain; expansion size is capped (PreprocessLimits);
//  - an unterminated quote is an error; the line is kept with the quote closed at its end
//    (comment characters after the opening quote stay part of the string, as in keepalived);
//  - a NUL byte or other control character (except tab, CR, VT, FF) makes the line an error
//    and the line is dropped;
//  - '#'/'!' produced by macro expansion (e.g. ${_HASH}) start a comment as in keepalived, but
//    a literal "\#" written in the file is never reinterpreted as a comment after expansion.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/diagnostics.h"
#include "parser/source.h"

namespace tandem::config {

struct PreprocessLimits {
  std::size_t maxOutputLines = 2'000'000;
  std::size_t maxOutputBytes = 128u << 20;
  std::size_t maxLineLength = 1u << 20;        // one line after macro expansion
  std::size_t maxReplacementsPerLine = 100'000;
  std::size_t maxWorkSteps = 4'000'000;        // lines processed, including ~SEQ iterations
  int maxIncludeDepth = 32;
  int maxNesting = 64;                          // macro bodies and ~SEQ/~LST inside each other
};

struct PreprocessOptions {
  std::string configId;       // -i; the caller defaults it to the host name up to the first dot
  std::string instanceName;   // ${_INSTANCE}; keepalived uses the config id, so empty means configId
  bool strictIncludes = false;  // -e/--all-config: every include check is on, problems are errors
  std::function<std::optional<std::string>(const std::string&)> getenv;  // ${_ENV VAR}
  std::function<unsigned()> random;                                      // ${_RANDOM [MIN [MAX]]}
  PreprocessLimits limits;
};

// Receives the preprocessed lines one at a time, in order; `text` is only valid during the call.
// Streaming them lets a caller build its model without ever holding every line of a large file.
class LineSink {
 public:
  virtual void expectLines(std::size_t) {}  // a hint: about this many lines are coming
  virtual void line(const Location& where, std::string_view text, const Location& expandedAt) = 0;

 protected:
  ~LineSink() = default;
};

void preprocessInto(const std::string& mainFile, const PreprocessOptions& options, FileSystem& fs, Diagnostics& diags,
                    LineSink& out);
void preprocessTextInto(const std::string& fileName, const std::string& text, const PreprocessOptions& options,
                        FileSystem& fs, Diagnostics& diags, LineSink& out);

std::vector<SourceLine> preprocess(const std::string& mainFile, const PreprocessOptions& options, FileSystem& fs,
                                   Diagnostics& diags);
// The same on text already in memory, named fileName (for tests and fuzzing); includes are
// resolved through fs relative to fileName's folder.
std::vector<SourceLine> preprocessText(const std::string& fileName, const std::string& text,
                                       const PreprocessOptions& options, FileSystem& fs, Diagnostics& diags);

}  // namespace tandem::config
