#pragma once
// Character-level helpers of the preprocessor: comment removal, glob pattern analysis, paths.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::config::preproc {

inline bool isBlank(char c) { return c == ' ' || c == '\t'; }
inline bool isNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline bool isNameChar(char c) { return isNameStart(c) || (c >= '0' && c <= '9'); }

std::string_view trimBlanks(std::string_view s);
std::vector<std::string_view> splitWords(std::string_view s);

struct CleanLine {
  std::string indent;          // leading blanks as typed
  std::string text;            // without comment, without leading/trailing blanks
  bool continuation = false;   // a '\' ends the line, possibly before a comment (removed from text)
  char unterminatedQuote = 0;  // quote still open at the end; text has it closed
};

// '#' and '!' outside "..." and '...' start a comment; "\#" and "\!" outside quotes stand for the
// character itself; any other backslash pair is kept, so an escaped quote neither opens nor
// closes a string. Quotes inside a comment do not count.
CleanLine decomment(std::string_view raw);

// Cuts text at the first '#'/'!' outside quotes whose position is in sortedCandidates (the
// comment characters that macro expansion produced), then trims blanks.
std::string stripExpandedComments(std::string text, const std::vector<std::size_t>& sortedCandidates);

// The line as it leaves the preprocessor when it needs nothing beyond dropping trailing blanks:
// no comment or escape character, no '$', quotes balanced, not starting with '@', '~' or
// "include", no control character. nullopt when the full treatment is needed. Most lines of a
// real configuration take this path, which is what keeps preprocessing cheap.
// `firstSpecial`, when the caller knows it, points at the first byte at or after the line's start that
// firstSpecialByte would find (possibly past the line's end); the line is then not scanned again up to there.
std::optional<std::string_view> plainLine(std::string_view raw, const char* firstSpecial = nullptr);

// The first byte of `text` that can send a line down the full path (a comment, escape, '$' or quote character, a
// control character other than tab and newline), or text.end(). Run once over a piece of a file, it spares the
// lines before that byte a scan of their own: most pieces hold hundreds of lines and few such bytes.
const char* firstSpecialByte(std::string_view text);

// The first byte that makes a line binary: NUL or a control character other than tab, CR, VT, FF.
std::optional<unsigned char> findInvalidControl(std::string_view line);

bool hasWildcard(std::string_view pattern);
bool hasBrace(std::string_view pattern);
// csh-style {a,b} expansion, nested; an unmatched '{' is literal. At most maxResults results.
std::vector<std::string> expandBraces(std::string_view pattern, std::size_t maxResults);
// The folder part of a pattern before its first wildcard ("" when the first component has one).
std::string fixedFolderPrefix(std::string_view pattern);

std::string dirName(const std::string& path);  // "" when path has no '/'
std::string joinPath(const std::string& dir, const std::string& path);

}  // namespace tandem::config::preproc
