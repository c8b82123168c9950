#include "parser/lexer.h"

namespace tandem::config {
namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

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

std::vector<Token> tokenize(const SourceLine& line, Diagnostics& diags) {
  std::vector<Token> tokens;
  const std::string& s = line.text;
  std::size_t i = 0;
  int column = 0;
  auto advance = [&](std::size_t n) {
    for (std::size_t k = 0; k < n && i < s.size(); ++k, ++i) column = s[i] == '\t' ? (column / 8 + 1) * 8 : column + 1;
  };
  while (i < s.size()) {
    if (isSpace(s[i])) { advance(1); continue; }
    if (s[i] == '{' || s[i] == '}') {
      tokens.push_back({s[i] == '{' ? Token::Kind::OpenBrace : Token::Kind::CloseBrace, std::string(1, s[i]), false,
                        line.where, column});
      advance(1);
      continue;
    }
    Token word{Token::Kind::Word, {}, false, line.where, column};
    int innerBraces = 0;  // "${NAME}" or "a{2}" left unexpanded inside a word stay part of it
    while (i < s.size() && !isSpace(s[i])) {
      char c = s[i];
      if (c == '{') {
        const bool endsWord = i + 1 == s.size() || isSpace(s[i + 1]);
        if (endsWord) break;  // "VI_1{": the word's block opens here
        ++innerBraces;
      } else if (c == '}') {
        if (innerBraces == 0) break;
        --innerBraces;
      }
      if (c != '"' && c != '\'') { word.text += c; advance(1); continue; }
      word.quoted = true;
      const char quote = c;
      advance(1);
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == quote) { closed = true; advance(1); break; }
        if (s[i] == '\\' && i + 1 < s.size() && decodeEscape(s[i + 1], word.text)) { advance(2); continue; }
        word.text += s[i];
        advance(1);
      }
      if (!closed) diags.error(line.where, std::string("unterminated ") + (quote == '"' ? "double" : "single") + "-quoted string");
    }
    tokens.push_back(std::move(word));
  }
  return tokens;
}

}  // namespace tandem::config
