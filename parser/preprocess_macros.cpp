#include "parser/preprocess_macros.h"

#include <algorithm>
#include <deque>
#include <utility>

#include "parser/preprocess_text.h"

namespace tandem::config::preproc {

bool chainContains(const Chain& chain, std::string_view name) {
  for (const ChainNode* n = chain.get(); n != nullptr; n = n->parent.get()) {
    if (n->name == name) return true;
  }
  return false;
}

Chain extendChain(const Chain& chain, std::string name) {
  return std::make_shared<const ChainNode>(ChainNode{std::move(name), chain});
}

Chain mergeIntoChain(const Chain& chain, const std::string& name) {
  return chainContains(chain, name) ? chain : extendChain(chain, name);
}

std::string describeCycle(const Chain& chain, std::string_view name) {
  std::vector<std::string_view> names;
  for (const ChainNode* n = chain.get(); n != nullptr; n = n->parent.get()) names.push_back(n->name);
  std::string out;
  bool started = false;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    if (*it == name) started = true;
    if (started) out += std::string(*it) + " -> ";
  }
  return out + std::string(name);
}

MacroTable::MacroTable() {
  macros_["_PWD"] = Macro{{""}, Builtin::Pwd, {}};
  macros_["_INSTANCE"] = Macro{{""}, Builtin::Instance, {}};
  macros_["_RANDOM"] = Macro{{""}, Builtin::Random, {}};
  macros_["_HASH"] = Macro{{"#"}, Builtin::Hash, {}};
  macros_["_BANG"] = Macro{{"!"}, Builtin::Bang, {}};
  macros_["_ENV"] = Macro{{""}, Builtin::Env, {}};
}

void MacroTable::define(const std::string& name, std::vector<std::string> lines, Location where) {
  if (lines.empty()) lines.emplace_back();
  macros_[name] = Macro{std::move(lines), Builtin::None, std::move(where)};
}

const Macro* MacroTable::find(std::string_view name) const {
  auto it = macros_.find(name);
  return it == macros_.end() ? nullptr : &it->second;
}

std::optional<Definition> parseDefinition(std::string_view line) {
  if (line.size() < 2 || line[0] != '$' || !isNameStart(line[1])) return std::nullopt;
  std::size_t i = 2;
  while (i < line.size() && isNameChar(line[i])) ++i;
  if (i >= line.size() || line[i] != '=') return std::nullopt;
  std::string_view value = line.substr(i + 1);
  while (!value.empty() && isBlank(value.front())) value.remove_prefix(1);
  return Definition{std::string(line.substr(1, i - 1)), std::string(value)};
}

namespace {

struct Reference {
  std::string name;
  std::string params;  // text after the name inside ${...}, trimmed
  std::size_t length = 0;
};

bool allDigitsOrBlanks(std::string_view s) {
  for (char c : s) {
    if (!isBlank(c) && (c < '0' || c > '9')) return false;
  }
  return true;
}

bool isName(std::string_view s) {
  if (s.empty() || !isNameStart(s.front())) return false;
  for (char c : s) {
    if (!isNameChar(c)) return false;
  }
  return true;
}

bool acceptsParams(const Macro& m, const std::string& params) {
  if (m.builtin == Builtin::Random) return allDigitsOrBlanks(params);
  if (m.builtin == Builtin::Env) return isName(params);
  return params.empty();
}

// The rest of the line as a stack of pieces: the original text at the bottom, the text of the
// latest replacement on top. Each piece knows which macros produced it.
class Scanner {
 public:
  struct Piece {
    std::string_view rest;
    Chain chain;
    bool fromMacro = false;
  };

  Scanner(std::string_view text, Chain base) { push(std::string(text), std::move(base), false); }

  bool empty() const { return pieces_.empty(); }
  Piece& top() { return pieces_.back(); }
  std::size_t remaining() const { return remaining_; }

  void push(std::string text, Chain chain, bool fromMacro) {
    if (text.empty()) return;
    storage_.push_back(std::move(text));
    remaining_ += storage_.back().size();
    pieces_.push_back({storage_.back(), std::move(chain), fromMacro});
  }

  int peek(std::size_t k) const {
    for (auto it = pieces_.rbegin(); it != pieces_.rend(); ++it) {
      if (k < it->rest.size()) return static_cast<unsigned char>(it->rest[k]);
      k -= it->rest.size();
    }
    return -1;
  }

  void consume(std::size_t n) {
    while (n > 0 && !pieces_.empty()) {
      Piece& p = pieces_.back();
      const std::size_t take = std::min(n, p.rest.size());
      p.rest.remove_prefix(take);
      n -= take;
      remaining_ -= take;
      if (p.rest.empty()) pieces_.pop_back();
    }
  }

  // At a '$' on top: the reference it starts, if it is well formed.
  std::optional<Reference> reference() const {
    std::size_t k = 1;
    const bool braces = peek(1) == '{';
    if (braces) k = 2;
    int c = peek(k);
    if (c < 0 || !isNameStart(static_cast<char>(c))) return std::nullopt;
    Reference ref;
    while ((c = peek(k)) >= 0 && isNameChar(static_cast<char>(c))) {
      ref.name += static_cast<char>(c);
      ++k;
    }
    if (!braces) {
      if (c >= 0 && c != ' ' && c != '\t' && c != ',' && c != ')') return std::nullopt;
      ref.length = k;
      return ref;
    }
    if (c == ' ' || c == '\t') {
      constexpr std::size_t maxParams = 256;
      while ((c = peek(k)) >= 0 && c != '}' && c != '$' && c != '{' && ref.params.size() < maxParams) {
        ref.params += static_cast<char>(c);
        ++k;
      }
      ref.params = std::string(trimBlanks(ref.params));
    }
    if (c != '}') return std::nullopt;
    ref.length = k + 1;
    return ref;
  }

 private:
  std::deque<std::string> storage_;  // a deque keeps the views of older pieces valid
  std::vector<Piece> pieces_;
  std::size_t remaining_ = 0;
};

std::string randomValue(const std::string& params, const ExpansionEnv& env, std::vector<std::string>& warnings) {
  unsigned long long bounds[2] = {0, 32767};
  const auto words = splitWords(params);
  if (words.size() > 2) warnings.push_back("too many parameters for ${_RANDOM " + params + "}, using the first two");
  for (std::size_t i = 0; i < words.size() && i < 2; ++i) {
    unsigned long long v = 0;
    for (char c : words[i]) v = v > 1'000'000'000'000ULL ? v : v * 10 + static_cast<unsigned>(c - '0');
    bounds[i] = v;
  }
  if (bounds[0] > bounds[1]) {
    warnings.push_back("${_RANDOM " + params + "} has its minimum above its maximum; they are swapped");
    std::swap(bounds[0], bounds[1]);
  }
  const unsigned long long r = env.random ? env.random() : 0;
  return std::to_string(bounds[0] + r % (bounds[1] - bounds[0] + 1));
}

std::optional<std::string> valueOf(const Macro& m, const std::string& params, const ExpansionEnv& env,
                                   Expansion& result) {
  switch (m.builtin) {
    case Builtin::Pwd: return env.pwd;
    case Builtin::Instance: return env.instance;
    case Builtin::Random: return randomValue(params, env, result.warnings);
    case Builtin::Env: {
      std::optional<std::string> v = env.getenv ? env.getenv(params) : std::nullopt;
      if (!v) {
        result.warnings.push_back("environment variable " + params + " is not set, ${_ENV " + params +
                                  "} expands to nothing");
        return std::string();
      }
      if (findInvalidControl(*v) || v->find('\n') != std::string::npos) {
        result.error = "environment variable " + params + " holds control characters";
        return std::nullopt;
      }
      return v;
    }
    default: return m.lines.front();
  }
}

bool startsLoop(std::string_view value) {
  std::size_t i = 0;
  while (i < value.size() && isBlank(value[i])) ++i;
  return i < value.size() && value[i] == '~';
}

void appendPiece(std::string& out, std::string_view text, bool fromMacro, std::vector<std::size_t>& candidates) {
  if (fromMacro) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '#' || text[i] == '!') candidates.push_back(out.size() + i);
    }
  }
  out.append(text);
}

}  // namespace

Expansion expandMacros(std::string_view text, const Chain& base, const MacroTable& macros, const ExpansionEnv& env) {
  Expansion r;
  r.chain = base;
  Scanner scan(text, base);
  std::size_t replacements = 0;
  std::vector<std::string> warnedMultiline;
  while (!scan.empty()) {
    Scanner::Piece& top = scan.top();
    const std::size_t dollar = top.rest.find('$');
    if (dollar != 0) {
      const std::size_t n = std::min(dollar, top.rest.size());
      appendPiece(r.text, top.rest.substr(0, n), top.fromMacro, r.commentCandidates);
      scan.consume(n);
      continue;
    }
    const Chain at = top.chain;
    const std::optional<Reference> ref = scan.reference();
    const Macro* m = ref ? macros.find(ref->name) : nullptr;
    if (m != nullptr && !acceptsParams(*m, ref->params)) m = nullptr;
    if (m != nullptr && m->multiline() && scan.peek(ref->length) >= 0) {
      if (std::find(warnedMultiline.begin(), warnedMultiline.end(), ref->name) == warnedMultiline.end()) {
        r.warnings.push_back("multi-line macro $" + ref->name + " is only expanded at the end of a line");
        warnedMultiline.push_back(ref->name);
      }
      m = nullptr;
    }
    if (m == nullptr) {
      r.text += '$';
      scan.consume(1);
      continue;
    }
    if (chainContains(at, ref->name)) {
      r.error = "macro $" + ref->name + " expands to itself (" + describeCycle(at, ref->name) + ")";
      return r;
    }
    if (++replacements > env.maxReplacements) {
      r.error = "more than " + std::to_string(env.maxReplacements) + " macro replacements in one line";
      return r;
    }
    std::optional<std::string> value = valueOf(*m, ref->params, env, r);
    if (!value) return r;
    scan.consume(ref->length);
    if (r.text.size() + scan.remaining() + value->size() > env.maxLineLength) {
      r.error = "line longer than " + std::to_string(env.maxLineLength) + " bytes after macro expansion";
      return r;
    }
    const Chain inner = extendChain(at, ref->name);
    r.chain = mergeIntoChain(r.chain, ref->name);
    r.changed = true;
    if (m->multiline()) r.pending.push_back({{m->lines.begin() + 1, m->lines.end()}, inner, m->where});
    const bool loop = startsLoop(*value);
    scan.push(std::move(*value), inner, true);
    if (loop) {
      while (!scan.empty()) {
        appendPiece(r.text, scan.top().rest, scan.top().fromMacro, r.commentCandidates);
        scan.consume(scan.top().rest.size());
      }
    }
  }
  return r;
}

}  // namespace tandem::config::preproc
