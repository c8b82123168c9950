#include "parser/lexer.h"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#include "parser/scan.h"

namespace tandem::config {
namespace {

enum CharClass : unsigned char { kSpace = 1, kRunEnd = 2 };

// One lookup per character in the general loop (splitAnyLine); spaced lines are classified 16 bytes at a time.
constexpr std::array<unsigned char, 256> kClass = [] {
  std::array<unsigned char, 256> t{};
  for (unsigned char c : {' ', '\t', '\r', '\v', '\f'}) t[c] = kSpace | kRunEnd;
  for (unsigned char c : {'{', '}', '"', '\''}) t[c] = kRunEnd;
  return t;
}();

bool isSpace(char c) { return (kClass[static_cast<unsigned char>(c)] & kSpace) != 0; }

// Ends an unquoted run of a word: the run is copied in one piece.
bool endsRun(char c) { return kClass[static_cast<unsigned char>(c)] != 0; }

// Escapes keepalived accepts in quoted script strings; any other backslash stays as typed so
// that regular expressions and shell fragments survive.
bool decodeEscape(char c, std::string& out) {
  switch (c) {
    case '\\': out += '\\'; return true;
    case '"': out += '"'; return true;
    case '\'': out += '\''; return true;
    case 'n': out += '\n'; return true;
    case 't': out += '\t'; return true;
    case 'r': out += '\r'; return true;
    default: return false;
  }
}

}  // namespace

std::span<const LexedToken> Lexer::split(const Location& where, std::string_view text, Diagnostics& diags) {
  if (const std::size_t count = splitSpacedWords(text); count != kNotSpaced) return std::span(spaced_).first(count);
  tokens_.clear();
  splitAnyLine(where, text, diags);
  return tokens_;
}

#if defined(__SSE2__)
namespace {

// The n < 16 bytes at p in the low lanes of a vector, zeros above, from loads that stay inside them.
__m128i loadShort(const char* p, std::size_t n) {
  const auto load64 = [](const char* at) {
    std::uint64_t v;
    std::memcpy(&v, at, sizeof v);
    return v;
  };
  const auto load32 = [](const char* at) {
    std::uint32_t v;
    std::memcpy(&v, at, sizeof v);
    return std::uint64_t{v};
  };
  std::uint64_t low = 0, high = 0;
  if (n >= 8) {
    low = load64(p);
    if (n > 8) high = load64(p + n - 8) >> ((16 - n) * 8);  // the last n - 8 bytes
  } else if (n >= 4) {
    low = load32(p) | load32(p + n - 4) << ((n - 4) * 8);  // two loads that overlap agree where they do
  } else {
    for (std::size_t i = 0; i < n; ++i) low |= std::uint64_t{static_cast<unsigned char>(p[i])} << (i * 8);
  }
  return _mm_set_epi64x(static_cast<long long>(high), static_cast<long long>(low));
}

}  // namespace

// Most lines are a few unquoted words separated by spaces. Such a line is classified 16 bytes at a time into
// bitmasks, and its words are read off the masks, instead of one table lookup per byte. Anything else (a quote, a tab
// or other blank, a brace touching a word, a line longer than 64 bytes) gives kNotSpaced, and splitAnyLine reads it.
// Otherwise the tokens are the first `count` of spaced_.
std::size_t Lexer::splitSpacedWords(std::string_view s) {
  const std::size_t n = s.size();
  if (n > kSpacedLineBytes) return kNotSpaced;
  // The line's own buffer may end right after it, so no load reads past its end: full blocks are loaded as they
  // stand, and the tail comes from a load that ends at the line's last byte.
  const char* const p = s.data();
  std::uint64_t spaces = 0, braces = 0, others = 0;
  const auto classify = [&](__m128i v, std::size_t at, int dropLow) {
    const auto mask = [&](__m128i m) {
      return static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(m)) >> dropLow) << at;
    };
    const __m128i blank = bytesBetween(v, '\t', '\r');  // tab, newline, vertical tab, form feed, carriage return
    const __m128i quote = _mm_or_si128(bytesEqual(v, '"'), bytesEqual(v, '\''));
    spaces |= mask(bytesEqual(v, ' '));
    braces |= mask(_mm_or_si128(bytesEqual(v, '{'), bytesEqual(v, '}')));
    others |= mask(_mm_or_si128(blank, quote));
  };
  std::size_t at = 0;
  for (; at + 16 <= n; at += 16) classify(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at)), at, 0);
  if (const std::size_t rest = n - at; rest != 0) {
    if (n >= 16) {
      classify(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16)), at, static_cast<int>(16 - rest));
    } else {
      classify(loadShort(p, n), 0, 0);  // the bytes past n read as 0, which is none of the classes
    }
  }
  const std::uint64_t inLine = n == kSpacedLineBytes ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
  if ((others & inLine) != 0) return kNotSpaced;
  std::size_t count = 0;
  std::uint64_t words = ~spaces & inLine;
  while (words != 0) {
    const int start = std::countr_zero(words);
    const int length = std::countr_one(words >> start);
    const std::uint64_t run = (length == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << length) - 1) << start;
    const std::string_view text(s.data() + start, static_cast<std::size_t>(length));
    if ((braces & run) == 0) {
      spaced_[count++] = {Token::Kind::Word, text, false, start};
    } else if (length == 1) {
      spaced_[count++] = {text[0] == '{' ? Token::Kind::OpenBrace : Token::Kind::CloseBrace, text, false, start};
    } else {
      return kNotSpaced;  // "VI_1{", "{10.0.0.1}", "${NAME}": splitAnyLine knows their rules
    }
    words &= ~run;
  }
  return count;
}
#else
std::size_t Lexer::splitSpacedWords(std::string_view) { return kNotSpaced; }
#endif

void Lexer::splitAnyLine(const Location& where, std::string_view s, Diagnostics& diags) {
  const std::size_t n = s.size();
  // A word put together is never longer than the text it came from: with this room the views into it stay valid.
  assembled_.clear();
  assembled_.reserve(n);
  std::size_t i = 0;
  int column = 0;
  auto advance = [&](std::size_t count) {
    for (std::size_t k = 0; k < count && i < n; ++k, ++i) column = s[i] == '\t' ? (column / 8 + 1) * 8 : column + 1;
  };
  while (i < n) {
    if (isSpace(s[i])) {
      const std::size_t spaces = spacesAt(s, i);
      i += spaces;
      column += static_cast<int>(spaces);
      for (; i < n && isSpace(s[i]) && s[i] != ' '; ++i) column = s[i] == '\t' ? (column / 8 + 1) * 8 : column + 1;
      continue;
    }
    if (s[i] == '{' || s[i] == '}') {
      tokens_.push_back({s[i] == '{' ? Token::Kind::OpenBrace : Token::Kind::CloseBrace, s.substr(i, 1), false, column});
      advance(1);
      continue;
    }
    LexedToken word{Token::Kind::Word, {}, false, column};
    const std::size_t begin = assembled_.size();
    int innerBraces = 0;  // "${NAME}" or "a{2}" left unexpanded inside a word stay part of it
    while (i < n && !isSpace(s[i])) {
      char c = s[i];
      if (c == '{') {
        const bool endsWord = i + 1 == n || isSpace(s[i + 1]);
        if (endsWord) break;  // "VI_1{": the word's block opens here
        ++innerBraces;
      } else if (c == '}') {
        if (innerBraces == 0) break;
        --innerBraces;
      }
      if (c != '"' && c != '\'') {
        std::size_t end = i + 1;
        while (end < n && !endsRun(s[end])) ++end;
        assembled_.append(s.substr(i, end - i));
        column += static_cast<int>(end - i);  // a run holds no tab
        i = end;
        continue;
      }
      word.quoted = true;
      const char quote = c;
      advance(1);
      bool closed = false;
      while (i < n) {
        if (s[i] == quote) { closed = true; advance(1); break; }
        if (s[i] == '\\' && i + 1 < n && decodeEscape(s[i + 1], assembled_)) { advance(2); continue; }
        assembled_ += s[i];
        advance(1);
      }
      if (!closed) diags.error(where, std::string("unterminated ") + (quote == '"' ? "double" : "single") + "-quoted string");
    }
    word.text = std::string_view(assembled_).substr(begin);
    tokens_.push_back(word);
  }
}

std::vector<Token> tokenize(const SourceLine& line, Diagnostics& diags) {
  Lexer lexer;
  std::vector<Token> tokens;
  for (const LexedToken& t : lexer.split(line.where, line.text, diags))
    tokens.push_back({t.kind, std::string(t.text), t.quoted, t.column});
  return tokens;
}

}  // namespace tandem::config
