#pragma once
// keepalived's include directives and include_check levels, resolved through a FileSystem.
//
//   include   FILE   no check of its own (but see below)
//   includer  FILE   + readable: a match that cannot be read (directory, unreadable) is an error
//   includem  FILE   + readable, match: nothing found for a path without wildcards is an error
//   includew  FILE   + readable, match, wildcard_match: a wildcard matching nothing is an error
//   includeb  FILE   + readable, brace_match: every {a,b} alternative must exist, else the whole
//                      include is skipped with an error
//   includea  FILE   all of the above
// "include_check [[+|-]readable|match|wildcard_match|brace_match ...]" changes the level applied
// to every include of the current file and the files it includes (restored at end of file); no
// argument means all. -e/--all-config starts with all checks. A problem outside the active checks
// is a warning. Tandem always applies "match", so a missing literal path is an error.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/source.h"

namespace tandem::config::preproc {

enum IncludeCheck : unsigned {
  kCheckReadable = 1,
  kCheckMatch = 2,
  kCheckWildcardMatch = 4,
  kCheckBraceMatch = 8,
  kCheckAll = 15,
};

struct IncludeDirective {
  unsigned checks = 0;  // of the variant itself
  std::string pattern;  // empty when the line names no file
};
std::optional<IncludeDirective> parseIncludeDirective(std::string_view line);

struct IncludeCheckChange {
  unsigned level = 0;
  std::vector<std::string> errors;
};
bool isIncludeCheckLine(std::string_view line);
IncludeCheckChange applyIncludeCheck(std::string_view line, unsigned level);

struct IncludeProblem {
  unsigned check = 0;  // the check that turns it into an error
  std::string message;
};
struct ResolvedInclude {
  std::vector<std::string> files;  // in glob order, brace alternatives in the order written
  std::vector<IncludeProblem> problems;
};
ResolvedInclude resolveInclude(const std::string& pattern, FileSystem& fs);

}  // namespace tandem::config::preproc
