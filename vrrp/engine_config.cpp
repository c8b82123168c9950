#include "vrrp/engine_config.h"

namespace tandem::vrrp {

std::vector<std::string> splitCommandLine(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool inWord = false;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (quote == '\'') {
      if (ch == '\'') quote = 0;
      else word += ch;
    } else if (ch == '\\' && i + 1 < text.size()) {
      word += text[++i];
      inWord = true;
    } else if (quote == '"') {
      if (ch == '"') quote = 0;
      else word += ch;
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
      inWord = true;
    } else if (ch == ' ' || ch == '\t') {
      if (inWord) words.push_back(std::move(word));
      word.clear();
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push_back(std::move(word));
  return words;
}

}  // namespace tandem::vrrp
