#include "parser/lexer.h"

#include <array>

#include "parser/scan.h"

namespace tandem::config {
namespace {

enum CharClass : unsigned char { kSpace = 1, kRunEnd = 2 };

// One lookup per character: the scanning loops below are the lexer's whole cost.
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

void tokenizeInto(const Location& where, std::string_view s, Diagnostics& diags, std::vector<Token>& tokens) {
  const std::size_t n = s.size();
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
      tokens.push_back({s[i] == '{' ? Token::Kind::OpenBrace : Token::Kind::CloseBrace, std::string(1, s[i]), false,
                        column});
      advance(1);
      continue;
    }
    Token& word = tokens.emplace_back(Token{Token::Kind::Word, {}, false, column});
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
        word.text.append(s.substr(i, end - i));
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
        if (s[i] == '\\' && i + 1 < n && decodeEscape(s[i + 1], word.text)) { advance(2); continue; }
        word.text += s[i];
        advance(1);
      }
      if (!closed) diags.error(where, std::string("unterminated ") + (quote == '"' ? "double" : "single") + "-quoted string");
    }
  }
}

std::vector<Token> tokenize(const SourceLine& line, Diagnostics& diags) {
  std::vector<Token> tokens;
  tokenizeInto(line.where, line.text, diags, tokens);
  return tokens;
}

}  // namespace tandem::config
