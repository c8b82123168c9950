#pragma once
// keepalived's splitting of a script command (misc_path, vrrp_script's script, notify scripts), as its
// alloc_strvec_quoted_escaped() does it:
//   - words are separated by blanks (space, tab, \f, \n, \r, \v) outside quotes;
//   - "..." and '...' keep blanks; a quote may start or end in the middle of a word ('a'b"c" is one word, abc);
//   - a backslash escapes inside both kinds of quotes and outside them: \a \b \E (ESC) \f \n \r \t \v, \xHH..,
//     \cX (control X), \0 to \777 (up to three octal digits), and any other character stands for itself (\" \' \\ \ );
//   - "" or '' alone is an empty word.
// An unterminated quote or a trailing backslash is an error, as it is for keepalived.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::check {

struct ScriptWords {
  std::vector<std::string> words;
  std::string error;  // set when the text cannot be split; `words` is then empty
};

ScriptWords splitScriptWords(std::string_view text);

}  // namespace tandem::check
