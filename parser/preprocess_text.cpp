#include "parser/preprocess_text.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

#include "parser/scan.h"

namespace tandem::config::preproc {

std::string_view trimBlanks(std::string_view s) {
  while (!s.empty() && isBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && isBlank(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> splitWords(std::string_view s) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && isBlank(s[i])) ++i;
    std::size_t start = i;
    while (i < s.size() && !isBlank(s[i])) ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  return words;
}

CleanLine decomment(std::string_view raw) {
  CleanLine r;
  std::size_t i = 0;
  while (i < raw.size() && isBlank(raw[i])) ++i;
  r.indent = std::string(raw.substr(0, i));
  std::string& out = r.text;
  char quote = 0;
  bool comment = false;
  for (; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\\') {
      if (i + 1 == raw.size()) {
        r.continuation = true;
        break;
      }
      const char next = raw[++i];
      if (comment) continue;
      if (quote == 0 && (next == '#' || next == '!')) {
        out += next;
      } else {
        out += c;
        out += next;
      }
      continue;
    }
    if (comment) continue;
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' || c == '!') {
      comment = true;
      continue;
    }
    out += c;
  }
  while (!out.empty() && isBlank(out.back())) out.pop_back();
  // keepalived looks for the continuation after removing the comment, so "x \ # note" continues.
  if (quote == 0 && !out.empty() && out.back() == '\\') {
    r.continuation = true;
    out.pop_back();
    while (!out.empty() && isBlank(out.back())) out.pop_back();
  }
  if (quote != 0) {
    r.unterminatedQuote = quote;
    out += quote;
  }
  return r;
}

std::string stripExpandedComments(std::string text, const std::vector<std::size_t>& sortedCandidates) {
  auto next = sortedCandidates.begin();
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    while (next != sortedCandidates.end() && *next < i) ++next;
    const char c = text[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if ((c == '#' || c == '!') && next != sortedCandidates.end() && *next == i) {
      text.resize(i);
      break;
    }
  }
  return std::string(trimBlanks(text));
}

namespace {

// Bytes that send a line down the full path wherever they stand.
constexpr std::array<bool, 256> kSpecial = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = c != '\t';
  t[0x7f] = true;
  for (unsigned char c : {'#', '!', '\\', '$', '"', '\''}) t[c] = true;
  return t;
}();

}  // namespace

const char* firstSpecialByte(std::string_view text) {
  std::size_t i = 0;
#if defined(__SSE2__)
  for (; i + 16 <= text.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
    // Control bytes are those up to 0x1f, tab and newline excepted.
    const __m128i control =
        _mm_andnot_si128(_mm_or_si128(bytesEqual(v, '\t'), bytesEqual(v, '\n')), bytesBetween(v, 0, 0x1f));
    const __m128i marks = _mm_or_si128(_mm_or_si128(bytesEqual(v, '#'), bytesEqual(v, '!')),
                                       _mm_or_si128(bytesEqual(v, '\\'), bytesEqual(v, '$')));
    const __m128i quotes = _mm_or_si128(_mm_or_si128(bytesEqual(v, '"'), bytesEqual(v, '\'')), bytesEqual(v, 0x7f));
    const auto found = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_or_si128(control, _mm_or_si128(marks, quotes))));
    if (found != 0) return text.data() + i + std::countr_zero(found);
  }
#endif
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '\n' && kSpecial[static_cast<unsigned char>(c)]) return text.data() + i;
  }
  return text.data() + text.size();
}

std::optional<std::string_view> plainLine(std::string_view raw, const char* firstSpecial) {
  std::size_t start = spacesAt(raw, 0);
  while (start < raw.size() && isBlank(raw[start])) ++start;  // tabs, and spaces after them
  const std::string_view text = raw.substr(start);
  if (!text.empty() && (text.front() == '@' || text.front() == '~' || text.starts_with("include"))) return std::nullopt;
  char quote = 0;
  std::size_t from = start;
  if (firstSpecial != nullptr)
    from = std::max(from, static_cast<std::size_t>(std::clamp(firstSpecial, raw.data(), raw.data() + raw.size()) - raw.data()));
  for (std::size_t i = from; i < raw.size(); ++i) {
    const auto c = static_cast<unsigned char>(raw[i]);
    if (!kSpecial[c]) continue;
    if (quote == 0 && (c == '"' || c == '\'')) {
      quote = static_cast<char>(c);
    } else if (quote != 0 && c == static_cast<unsigned char>(quote)) {
      quote = 0;
    } else if (quote == 0 || (c != '#' && c != '!' && c != '"' && c != '\'')) {
      return std::nullopt;  // a comment or anything else that needs the full path
    }
  }
  if (quote != 0) return std::nullopt;
  while (!raw.empty() && isBlank(raw.back())) raw.remove_suffix(1);
  return raw;
}

std::optional<unsigned char> findInvalidControl(std::string_view line) {
  for (char ch : line) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == 0x7f || (c < 0x20 && c != '\t' && c != '\r' && c != '\v' && c != '\f')) return c;
  }
  return std::nullopt;
}

bool hasWildcard(std::string_view pattern) {
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
    } else if (pattern[i] == '*' || pattern[i] == '?' || pattern[i] == '[') {
      return true;
    }
  }
  return false;
}

bool hasBrace(std::string_view pattern) {
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
    } else if (pattern[i] == '{') {
      return true;
    }
  }
  return false;
}

namespace {

void expandInto(const std::string& p, std::vector<std::string>& out, std::size_t maxResults) {
  if (out.size() >= maxResults) return;
  std::size_t open = std::string::npos;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      ++i;
    } else if (p[i] == '{') {
      open = i;
      break;
    }
  }
  std::size_t close = std::string::npos;
  std::vector<std::size_t> cuts;
  if (open != std::string::npos) {
    cuts.push_back(open);
    int depth = 0;
    for (std::size_t j = open; j < p.size(); ++j) {
      if (p[j] == '\\') {
        ++j;
      } else if (p[j] == '{') {
        ++depth;
      } else if (p[j] == '}' && --depth == 0) {
        close = j;
        break;
      } else if (p[j] == ',' && depth == 1) {
        cuts.push_back(j);
      }
    }
  }
  if (close == std::string::npos) {
    out.push_back(p);
    return;
  }
  cuts.push_back(close);
  const std::string prefix = p.substr(0, open);
  const std::string suffix = p.substr(close + 1);
  for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
    expandInto(prefix + p.substr(cuts[k] + 1, cuts[k + 1] - cuts[k] - 1) + suffix, out, maxResults);
  }
}

}  // namespace

std::vector<std::string> expandBraces(std::string_view pattern, std::size_t maxResults) {
  std::vector<std::string> out;
  expandInto(std::string(pattern), out, maxResults);
  return out;
}

std::string fixedFolderPrefix(std::string_view pattern) {
  std::size_t firstWild = pattern.size();
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
    } else if (pattern[i] == '*' || pattern[i] == '?' || pattern[i] == '[') {
      firstWild = i;
      break;
    }
  }
  const std::size_t slash = pattern.substr(0, firstWild).rfind('/');
  if (slash == std::string_view::npos) return {};
  return std::string(pattern.substr(0, slash == 0 ? 1 : slash));
}

std::string dirName(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {};
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string joinPath(const std::string& dir, const std::string& path) {
  if (dir.empty() || (!path.empty() && path.front() == '/')) return path;
  return dir.back() == '/' ? dir + path : dir + "/" + path;
}

}  // namespace tandem::config::preproc
