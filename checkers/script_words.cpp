#include "checkers/script_words.h"

namespace tandem::check {
namespace {

constexpr std::string_view kBlanks = " \t\f\n\r\v";

bool isOctal(char c) { return c >= '0' && c <= '7'; }

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes the escape whose backslash was at text[i - 1]; advances i past it. Characters accumulate in a char and
// wrap, as they do in keepalived.
char decodeEscape(std::string_view text, std::size_t& i) {
  const char c = text[i];
  if (c == 'x' && i + 1 < text.size() && hexValue(text[i + 1]) >= 0) {
    unsigned value = 0;
    for (++i; i < text.size() && hexValue(text[i]) >= 0; ++i) value = (value << 4) | static_cast<unsigned>(hexValue(text[i]));
    return static_cast<char>(value);
  }
  if (c == 'c' && i + 1 < text.size()) {
    const char control = static_cast<char>(text[i + 1] & 0x1f);
    i += 2;
    return control;
  }
  if (isOctal(c)) {
    unsigned value = 0;
    for (int digits = 0; digits < 3 && i < text.size() && isOctal(text[i]); ++digits, ++i)
      value = (value << 3) + static_cast<unsigned>(text[i] - '0');
    return static_cast<char>(value);
  }
  ++i;
  switch (c) {
    case 'a': return '\a';
    case 'b': return '\b';
    case 'E': return '\x1b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'v': return '\v';
    default: return c;
  }
}

}  // namespace

ScriptWords splitScriptWords(std::string_view text) {
  ScriptWords result;
  std::size_t i = 0;
  for (;;) {
    while (i < text.size() && kBlanks.find(text[i]) != std::string_view::npos) ++i;
    if (i == text.size()) break;
    std::string word;
    char quote = 0;
    while (i < text.size()) {
      const char c = text[i];
      if (c == '\\') {
        if (++i == text.size()) {
          result.words.clear();
          result.error = "escape character at the end of '" + std::string(text) + "'";
          return result;
        }
        word += decodeEscape(text, i);
      } else if (quote != 0) {
        if (c == quote) quote = 0;
        else word += c;
        ++i;
      } else if (c == '"' || c == '\'') {
        quote = c;
        ++i;
      } else if (kBlanks.find(c) != std::string_view::npos) {
        break;
      } else {
        word += c;
        ++i;
      }
    }
    if (quote != 0) {
      result.words.clear();
      result.error = "missing terminating " + std::string(1, quote) + " in '" + std::string(text) + "'";
      return result;
    }
    result.words.push_back(std::move(word));
  }
  return result;
}

}  // namespace tandem::check
