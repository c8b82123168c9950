#include "parser/preprocess_includes.h"

#include "parser/preprocess_text.h"

namespace tandem::config::preproc {

std::optional<IncludeDirective> parseIncludeDirective(std::string_view line) {
  if (line.substr(0, 7) != "include") return std::nullopt;
  std::string_view rest = line.substr(7);
  IncludeDirective d;
  if (!rest.empty() && !isBlank(rest.front())) {
    if (rest.size() > 1 && !isBlank(rest[1])) return std::nullopt;
    switch (rest.front()) {
      case 'r': d.checks = kCheckReadable; break;
      case 'm': d.checks = kCheckReadable | kCheckMatch; break;
      case 'w': d.checks = kCheckReadable | kCheckMatch | kCheckWildcardMatch; break;
      case 'b': d.checks = kCheckReadable | kCheckBraceMatch; break;
      case 'a': d.checks = kCheckAll; break;
      default: return std::nullopt;
    }
    rest.remove_prefix(1);
  }
  rest = trimBlanks(rest);
  if (rest.size() >= 2 && (rest.front() == '"' || rest.front() == '\'') && rest.back() == rest.front()) {
    rest = rest.substr(1, rest.size() - 2);
  }
  d.pattern = std::string(rest);
  return d;
}

bool isIncludeCheckLine(std::string_view line) {
  return line.substr(0, 13) == "include_check" && (line.size() == 13 || isBlank(line[13]));
}

IncludeCheckChange applyIncludeCheck(std::string_view line, unsigned level) {
  IncludeCheckChange change{level, {}};
  const auto words = splitWords(line);
  if (words.size() == 1) {
    change.level = kCheckAll;
    return change;
  }
  for (std::size_t i = 1; i < words.size(); ++i) {
    std::string_view word = words[i];
    const char sign = (word.front() == '+' || word.front() == '-') ? word.front() : 0;
    if (sign != 0) {
      word.remove_prefix(1);
    } else if (i > 1) {
      change.errors.push_back("duplicate include_check setting '" + std::string(word) + "' ignored");
      continue;
    }
    unsigned flag = 0;
    if (word == "readable" || word == "read") flag = kCheckReadable;
    if (word == "match") flag = kCheckMatch;
    if (word == "wildcard_match") flag = kCheckWildcardMatch;
    if (word == "brace_match") flag = kCheckBraceMatch;
    if (flag == 0) {
      change.errors.push_back("unknown include_check type '" + std::string(word) + "' ignored");
      continue;
    }
    if (sign == 0) {
      change.level = kCheckReadable | flag;
    } else if (sign == '+') {
      change.level |= flag;
    } else {
      change.level &= ~flag;
    }
  }
  return change;
}

namespace {

std::string joinQuoted(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "'" : ", '") + s + "'";
  return out;
}

}  // namespace

ResolvedInclude resolveInclude(const std::string& pattern, FileSystem& fs) {
  constexpr std::size_t maxAlternatives = 4096;
  ResolvedInclude r;
  std::vector<std::string> missing;
  bool wildcardUsed = false;
  for (const std::string& alt : expandBraces(pattern, maxAlternatives)) {
    std::vector<std::string> matches = fs.glob(alt);
    if (!matches.empty()) {
      r.files.insert(r.files.end(), matches.begin(), matches.end());
      continue;
    }
    if (!hasWildcard(alt)) {
      missing.push_back(alt);
      continue;
    }
    wildcardUsed = true;
    const std::string folder = fixedFolderPrefix(alt);
    if (!folder.empty() && fs.glob(folder).empty()) missing.push_back(folder);
  }
  if (r.files.empty() && !missing.empty()) {
    r.problems.push_back({kCheckMatch | kCheckBraceMatch,
                          "include '" + pattern + "': " + joinQuoted(missing) + " not found"});
  } else if (r.files.empty() && wildcardUsed) {
    r.problems.push_back({kCheckWildcardMatch, "include '" + pattern + "' matches no file"});
  } else if (!missing.empty()) {
    r.problems.push_back({kCheckBraceMatch, "include '" + pattern + "': " + joinQuoted(missing) + " not found"});
  }
  return r;
}

}  // namespace tandem::config::preproc
