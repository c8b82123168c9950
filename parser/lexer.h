#pragma once
// Splits one preprocessed line into words, quoted strings and braces.
#include <string>
#include <string_view>
#include <vector>

#include "parser/diagnostics.h"
#include "parser/source.h"

namespace tandem::config {

// Where a token stands is its line's Location (every token of a line shares it) and its column.
struct Token {
  enum class Kind { Word, OpenBrace, CloseBrace };
  Kind kind = Kind::Word;
  std::string text;
  bool quoted = false;  // a quoted word is never a brace and may be empty or hold spaces
  int column = 0;       // display column of the token's first character (tabs to 8)
};

// Braces outside quotes are tokens of their own even when they touch a word, so that
// "vrrp_instance VI_1{" and "{10.0.0.1}" read the same as the spaced forms. A brace pair inside
// a word ("notify_all.${NAME}.sh" with NAME undefined, a regex "a{2}") stays part of the word.
std::vector<Token> tokenize(const SourceLine& line, Diagnostics& diags);
// The same for the line `text` at `where`, appended to `tokens` (a buffer reused line after line).
void tokenizeInto(const Location& where, std::string_view text, Diagnostics& diags, std::vector<Token>& tokens);

}  // namespace tandem::config
