#pragma once
// Splits one preprocessed line into words, quoted strings and braces.
#include <array>
#include <span>
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

  Token() = default;
  // The text is built in place, in the token's own string: the tree builder's one copy of a word.
  Token(Kind k, std::string_view word, bool inQuotes, int at) : kind(k), text(word), quoted(inQuotes), column(at) {}
};

// A token as the lexer hands it over: its text points into the line, or into the lexer's own buffer for a word it had
// to put together (quoted, escaped, or made of several parts). Valid until the lexer reads its next line, so that a
// word is copied once, into the tree that keeps it.
struct LexedToken {
  Token::Kind kind = Token::Kind::Word;
  std::string_view text;
  bool quoted = false;
  int column = 0;
};

// Braces outside quotes are tokens of their own even when they touch a word, so that
// "vrrp_instance VI_1{" and "{10.0.0.1}" read the same as the spaced forms. A brace pair inside
// a word ("notify_all.${NAME}.sh" with NAME undefined, a regex "a{2}") stays part of the word.
class Lexer {
 public:
  // The tokens of the line `text` at `where`, valid until the next call and while `text` is.
  std::span<const LexedToken> split(const Location& where, std::string_view text, Diagnostics& diags);

 private:
  // A line of at most 64 bytes has at most 32 words: the common lines' tokens go to a fixed array.
  static constexpr std::size_t kSpacedLineBytes = 64;
  // The number of tokens put in spaced_, or kNotSpaced. Not an optional: GCC builds one in memory a byte at a time
  // and reads it back whole, a store the processor cannot forward (41% of this function's profile samples).
  static constexpr std::size_t kNotSpaced = static_cast<std::size_t>(-1);
  std::size_t splitSpacedWords(std::string_view text);
  void splitAnyLine(const Location& where, std::string_view text, Diagnostics& diags);

  std::array<LexedToken, kSpacedLineBytes / 2> spaced_;
  std::vector<LexedToken> tokens_;
  std::string assembled_;  // words put together; never reallocated while a line is read
};

// The same, as tokens that own their text (tests, tools).
std::vector<Token> tokenize(const SourceLine& line, Diagnostics& diags);

}  // namespace tandem::config
