#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/diagnostics.h"

namespace tandem::config {

// One logical line after preprocessing: comments removed, macros expanded, conditionals
// applied, includes inlined. Never holds a newline. Leading indentation of the physical line
// is kept (an "@id " prefix becomes blanks) so that layout-aware recovery still sees columns.
struct SourceLine {
  Location where;  // for a line of a multi-line macro body: the first line of the definition
  std::string text;
  Location expandedAt = {};  // for a line of a multi-line macro body: the line that used the macro
};

// Where configuration text comes from. Injected so that the preprocessor stays pure and tests
// can use an in-memory tree.
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // nullopt when missing, unreadable or not a regular file.
  virtual std::optional<std::string> readFile(const std::string& path) = 0;
  // The file's bytes in order, in pieces of any length (a piece may end inside a line), each handed to `take` until
  // it returns false. False when the file is missing, unreadable or not a regular file. The default hands over
  // readFile's whole text at once; the real file system reads a piece at a time, so that a large file needs no
  // memory of its own.
  using PieceSink = std::function<bool(std::string_view piece)>;
  virtual bool readPieces(const std::string& path, const PieceSink& take) {
    const std::optional<std::string> text = readFile(path);
    if (!text) return false;
    take(*text);
    return true;
  }
  // Sorted matches (per brace alternative, in alternative order), with {a,b} brace expansion.
  // A pattern without wildcards yields itself when the path exists (file or directory).
  virtual std::vector<std::string> glob(const std::string& pattern) = 0;
  // Identity of a file for include-cycle detection; the input when it cannot be resolved.
  virtual std::string canonical(const std::string& path) = 0;
};

}  // namespace tandem::config
