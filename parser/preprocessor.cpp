#include "parser/preprocessor.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <utility>

#include "parser/preprocess_includes.h"
#include "parser/preprocess_loops.h"
#include "parser/preprocess_macros.h"
#include "parser/preprocess_text.h"

namespace tandem::config {
namespace {

using namespace preproc;

constexpr int kMaxRescans = 32;
constexpr int kMaxInvalidLinesPerFile = 3;

struct Frame {
  std::string path;  // as opened; relative includes are resolved against its folder
  std::string canonical;
  FileName name;
  Location current;  // {name, the line being read}
  std::string pwd;
  unsigned includeCheckBefore = 0;  // what the file that included this one had set; restored when it ends
};

struct PendingDefinition {
  std::string name;
  std::vector<std::string> lines;
  Location where;
  bool discard = false;  // its @id did not match: swallow the continuation lines
};

struct Origin {
  Location where;
  Location expandedAt;
};

std::size_t countLines(std::string_view text) {
  std::size_t n = 1;
  for (const char* p = text.data(); (p = static_cast<const char*>(std::memchr(p, '\n', text.data() + text.size() - p)));
       ++p)
    ++n;
  return n;
}

// The same width as the text it replaces, so that the columns of what follows stay put.
std::string blanksLike(std::string_view s) {
  std::string out;
  for (char c : s) out += c == '\t' ? '\t' : ' ';
  return out;
}

class Preprocessor {
 public:
  Preprocessor(const PreprocessOptions& options, FileSystem& fs, Diagnostics& diags, LineSink& out)
      : options_(options), limits_(options.limits), fs_(fs), diags_(diags), out_(out) {
    includeCheck_ = options.strictIncludes ? unsigned{kCheckAll} : 0U;
    env_.instance = options.instanceName.empty() ? options.configId : options.instanceName;
    env_.getenv = options.getenv;
    env_.random = options.random;
    env_.maxLineLength = limits_.maxLineLength;
    env_.maxReplacements = limits_.maxReplacementsPerLine;
  }

  void runFile(const std::string& mainFile) {
    if (processFile(mainFile)) return;
    const Location where{FileName(mainFile), 0};
    diags_.error(where, fs_.glob(mainFile).empty() ? "configuration file not found"
                                                   : "configuration file cannot be read (not a readable regular file)");
  }

  void runText(const std::string& fileName, const std::string& text) {
    enterFile(fileName);
    out_.expectLines(countLines(text));
    LineReader reader;
    if (feed(reader, text)) finishLines(reader);
    leaveFile();
  }

 private:
  // Where the lines of one file stand; a line cut between two pieces of the file waits in `carry`.
  struct LineReader {
    int lineNo = 0;
    int invalidLines = 0;
    bool done = false;  // the file was given up (it looks binary)
    std::string carry;
  };

  // Reads a file through the file system a piece at a time; false when it cannot be read at all.
  bool processFile(const std::string& path) {
    enterFile(path);
    LineReader reader;
    const bool readable = fs_.readPieces(path, [&](std::string_view piece) { return feed(reader, piece); });
    if (readable) finishLines(reader);
    leaveFile();
    return readable;
  }

  void enterFile(const std::string& path) {
    const std::string dir = dirName(path);
    Frame& frame = frames_.emplace_back();
    frame.path = path;
    frame.canonical = fs_.canonical(path);
    frame.name = FileName(path);
    frame.current.file = frame.name;
    frame.pwd = fs_.canonical(dir.empty() ? "." : dir);
    frame.includeCheckBefore = includeCheck_;
    env_.pwd = frames_.back().pwd;
  }

  void leaveFile() {
    finishDefinition();
    includeCheck_ = frames_.back().includeCheckBefore;
    frames_.pop_back();
    env_.pwd = frames_.empty() ? std::string() : frames_.back().pwd;
  }

  // Splits pieces into lines. False once reading should stop: the whole run stopped, or this file was given up.
  bool feed(LineReader& reader, std::string_view piece) {
    const char* special = nullptr;  // the first special byte at or after the current line, once looked for
    while (!piece.empty()) {
      const std::size_t nl = piece.find('\n');
      if (nl == std::string_view::npos) {
        reader.carry.append(piece);
        return true;
      }
      bool more = false;
      if (reader.carry.empty()) {
        if (special == nullptr || special < piece.data()) special = firstSpecialByte(piece);
        more = readLine(reader, piece.substr(0, nl), special);
      } else {
        reader.carry.append(piece.substr(0, nl));
        more = readLine(reader, reader.carry);
        reader.carry.clear();
      }
      if (!more) return false;
      piece.remove_prefix(nl + 1);
    }
    return !stopped_;
  }

  // The last line, when the file does not end with a newline.
  void finishLines(LineReader& reader) {
    if (!reader.carry.empty() && !reader.done) readLine(reader, reader.carry);
  }

  // One physical line of the file being read; false once reading should stop.
  // `firstSpecial`: see plainLine.
  bool readLine(LineReader& reader, std::string_view raw, const char* firstSpecial = nullptr) {
    if (stopped_) return false;
    const int lineNo = ++reader.lineNo;
    while (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (lineNo == 1 && raw.substr(0, 3) == "\xEF\xBB\xBF") raw.remove_prefix(3);
    if (!pendingDefinition_) {
      if (const std::optional<std::string_view> plain = plainLine(raw, firstSpecial)) {
        if (!plain->empty()) emitPlain(*plain, lineNo);
        return !stopped_;
      }
    }
    const Location where{frames_.back().name, lineNo};
    if (const std::optional<unsigned char> bad = findInvalidControl(raw)) {
      if (++reader.invalidLines > kMaxInvalidLinesPerFile) {
        diags_.error(where, "file looks binary; the rest of it is ignored");
        reader.done = true;
        return false;
      }
      diags_.error(where, *bad == 0 ? std::string("NUL byte in line; line ignored")
                                    : "control character " + hexByte(*bad) + " in line; line ignored");
      return true;
    }
    if (pendingDefinition_) {
      continueDefinition(raw);
      return !stopped_;
    }
    CleanLine clean = decomment(raw);
    if (clean.unterminatedQuote != 0) {
      diags_.error(where, std::string("unterminated ") + (clean.unterminatedQuote == '"' ? "double" : "single") +
                              "-quoted string; closed at the end of the line");
    }
    if (!clean.text.empty()) processLine(clean.indent + clean.text, clean.continuation, {where, {}}, nullptr, 0);
    return !stopped_;
  }

  static std::string hexByte(unsigned char c) {
    constexpr char digits[] = "0123456789abcdef";
    return std::string("0x") + digits[c >> 4] + digits[c & 15];
  }

  // keepalived ends a multi-line definition at a line without a trailing '\' or at an empty
  // line; comment-only lines inside it are skipped.
  void continueDefinition(std::string_view raw) {
    if (raw.empty()) {
      finishDefinition();
      return;
    }
    CleanLine clean = decomment(raw);
    if (!clean.text.empty()) pendingDefinition_->lines.push_back(clean.indent + clean.text);
    if (!clean.continuation && !clean.text.empty()) finishDefinition();
  }

  void finishDefinition() {
    if (!pendingDefinition_) return;
    if (!pendingDefinition_->discard) {
      macros_.define(pendingDefinition_->name, std::move(pendingDefinition_->lines),
                     std::move(pendingDefinition_->where));
    }
    pendingDefinition_.reset();
  }

  // Runs for every line: the checks stay inline, the messages out of line.
  bool spend(const Location& where) {
    if (stopped_) return false;
    if (++work_ > limits_.maxWorkSteps) [[unlikely]] {
      stopForWork(where);
      return false;
    }
    return true;
  }

  [[gnu::cold, gnu::noinline]] void stopForWork(const Location& where) {
    stop(where, "configuration expands to more than " + std::to_string(limits_.maxWorkSteps) +
                    " processed lines; the rest is ignored");
  }

  void stop(const Location& where, std::string why) {
    diags_.error(where, std::move(why));
    stopped_ = true;
  }

  void processLine(const std::string& text, bool continuation, const Origin& origin, const Chain& chain, int depth) {
    const Location& where = origin.where;
    if (!spend(where)) return;
    if (depth > limits_.maxNesting) {
      diags_.error(where, "macro bodies and ~SEQ/~LST nested more than " + std::to_string(limits_.maxNesting) +
                              " deep; line ignored");
      return;
    }
    std::vector<PendingLines> pending;
    processLineCore(text, continuation, origin, chain, depth, pending);
    // A multi-line body keeps the place of its definition and remembers the outermost use.
    for (auto it = pending.rbegin(); it != pending.rend() && !stopped_; ++it) {
      const Origin body{it->where.valid() ? it->where : where, origin.expandedAt.valid() ? origin.expandedAt : where};
      for (const std::string& line : it->lines) processLine(line, false, body, it->chain, depth + 1);
    }
  }

  void processLineCore(std::string_view text, bool continuation, const Origin& origin, Chain chain, int depth,
                       std::vector<PendingLines>& pending) {
    const Location& where = origin.where;
    std::size_t start = 0;
    while (start < text.size() && isBlank(text[start])) ++start;
    std::string indent(text.substr(0, start));
    std::string line(text.substr(start));
    const bool fromFile = depth == 0;
    for (int round = 0;; ++round) {
      if (round > kMaxRescans) {
        diags_.error(where, "macro expansion does not settle after " + std::to_string(kMaxRescans) +
                                " rescans; line ignored");
        return;
      }
      if (line.empty()) return;
      if (line.front() == '@') {
        const std::size_t idStart = line.size() > 1 && line[1] == '^' ? 2 : 1;
        const std::size_t blank = line.find_first_of(" \t", idStart);
        if (blank == std::string::npos) return;  // nothing after the id: keepalived drops it
        std::size_t rest = blank;
        while (rest < line.size() && isBlank(line[rest])) ++rest;
        const bool matches = !options_.configId.empty() &&
                             std::string_view(line).substr(idStart, blank - idStart) == options_.configId;
        if (matches == (idStart == 2)) {
          if (continuation && fromFile && round == 0 && parseDefinition(std::string_view(line).substr(rest))) {
            pendingDefinition_ = PendingDefinition{{}, {}, where, true};
          }
          return;
        }
        if (round == 0) indent += blanksLike(std::string_view(line).substr(0, rest));
        line.erase(0, rest);
        if (line.empty()) return;
      }
      if (line.front() == '$') {
        if (std::optional<Definition> def = parseDefinition(line)) {
          if (continuation && fromFile && round == 0) {
            pendingDefinition_ = PendingDefinition{def->name, {}, where, false};
            if (!def->value.empty()) pendingDefinition_->lines.push_back(def->value);
          } else {
            macros_.define(def->name, {def->value}, where);
          }
          return;
        }
      }
      if (isLoopLine(line)) {
        runLoop(line, indent, origin, chain, depth);
        return;
      }
      if (line.front() == '~' || line.find('$') == std::string::npos) break;
      Expansion e = expandMacros(line, chain, macros_, env_);
      for (const std::string& w : e.warnings) diags_.warning(where, w);
      if (e.error) {
        diags_.error(where, *e.error + "; line ignored");
        return;
      }
      pending.insert(pending.end(), std::make_move_iterator(e.pending.begin()),
                     std::make_move_iterator(e.pending.end()));
      if (!e.changed) break;
      line = stripExpandedComments(std::move(e.text), e.commentCandidates);
      chain = e.chain;
    }
    if (std::optional<IncludeDirective> inc = parseIncludeDirective(line)) {
      include(*inc, where);
      return;
    }
    if (isIncludeCheckLine(line)) {
      IncludeCheckChange change = applyIncludeCheck(line, includeCheck_);
      includeCheck_ = change.level;
      for (const std::string& e : change.errors) diags_.error(where, e);
    }
    if (continuation) {
      diags_.warning(where, "a trailing '\\' only continues $NAME= definitions; ignored here");
    }
    emit(indent + line, origin);
  }

  void runLoop(const std::string& line, const std::string& indent, const Origin& origin, const Chain& chain,
               int depth) {
    const Location& where = origin.where;
    const ParamExpander expandParams = [&](std::string_view params, std::string& error) -> std::optional<std::string> {
      Expansion e = expandMacros(params, chain, macros_, env_);
      for (const std::string& w : e.warnings) diags_.warning(where, w);
      if (e.error) {
        error = *e.error;
        return std::nullopt;
      }
      if (!e.pending.empty()) {
        error = "a multi-line macro cannot give ~SEQ numbers";
        return std::nullopt;
      }
      return e.text;
    };
    const LoopParse parsed = parseLoop(line, expandParams);
    if (!parsed.spec) {
      diags_.error(where, parsed.error);
      return;
    }
    const LoopSpec& spec = *parsed.spec;
    const std::string body = indent + spec.body;
    if (!spec.sequence) {
      for (const std::vector<std::string>& values : spec.valueSets) {
        if (stopped_) return;
        for (std::size_t i = 0; i < spec.vars.size(); ++i) macros_.define(spec.vars[i], {values[i]});
        processLine(body, false, origin, chain, depth + 1);
      }
      return;
    }
    for (long long v = spec.start; !stopped_;) {
      macros_.define(spec.vars.front(), {formatSequenceValue(v, spec.hex)});
      processLine(body, false, origin, chain, depth + 1);
      const bool overflow = spec.step > 0 ? v > LLONG_MAX - spec.step : v < LLONG_MIN - spec.step;
      if (overflow) return;
      v += spec.step;
      if ((spec.step > 0 && v > spec.end) || (spec.step < 0 && v < spec.end)) return;
    }
  }

  void report(const Location& where, bool isError, std::string message) {
    if (isError) {
      diags_.error(where, std::move(message));
    } else {
      diags_.warning(where, std::move(message));
    }
  }

  void include(const IncludeDirective& directive, const Location& where) {
    if (directive.pattern.empty()) {
      diags_.error(where, "include without a file name");
      return;
    }
    const unsigned checks = directive.checks | includeCheck_ | kCheckMatch;
    const std::string pattern = joinPath(dirName(frames_.back().path), directive.pattern);
    const ResolvedInclude resolved = resolveInclude(pattern, fs_);
    bool skip = false;
    for (const IncludeProblem& p : resolved.problems) {
      report(where, (checks & p.check) != 0, p.message);
      if (p.check == kCheckBraceMatch && (checks & kCheckBraceMatch) != 0) skip = true;
    }
    if (skip) return;
    for (const std::string& file : resolved.files) {
      if (stopped_) return;
      includeFile(file, checks, where);
    }
  }

  void includeFile(const std::string& path, unsigned checks, const Location& where) {
    const std::string canonical = fs_.canonical(path);
    for (std::size_t i = 0; i < frames_.size(); ++i) {
      if (frames_[i].canonical != canonical) continue;
      std::string chain;
      for (std::size_t j = i; j < frames_.size(); ++j) chain += frames_[j].path + " -> ";
      diags_.error(where, "include cycle: " + chain + path);
      return;
    }
    if (static_cast<int>(frames_.size()) >= limits_.maxIncludeDepth) {
      diags_.error(where, "includes nested more than " + std::to_string(limits_.maxIncludeDepth) +
                              " deep; '" + path + "' ignored");
      return;
    }
    if (!processFile(path))
      report(where, (checks & kCheckReadable) != 0,
             "included '" + path + "' cannot be read (not a readable regular file)");
  }

  // What processLine does to a plain line, without its copies.
  void emitPlain(std::string_view text, int lineNo) {
    // The frame's own Location, renumbered: no reference count traffic per line.
    Location& where = frames_.back().current;
    where.line = lineNo;
    if (!spend(where) || !roomFor(text.size(), where)) return;
    ++outLines_;
    outBytes_ += text.size();
    out_.line(where, text, nowhere_);
  }

  bool roomFor(std::size_t bytes, const Location& where) {
    if (outLines_ < limits_.maxOutputLines && outBytes_ + bytes <= limits_.maxOutputBytes) [[likely]] return true;
    stopForSize(where);
    return false;
  }

  [[gnu::cold, gnu::noinline]] void stopForSize(const Location& where) {
    stop(where, "configuration expands to more than " + std::to_string(limits_.maxOutputLines) + " lines or " +
                    std::to_string(limits_.maxOutputBytes) + " bytes; the rest is ignored");
  }

  void emit(std::string text, const Origin& origin) {
    const Location& where = origin.where;
    if (stopped_ || !roomFor(text.size(), where)) return;
    ++outLines_;
    outBytes_ += text.size();
    out_.line(where, text, origin.expandedAt);
  }

  const PreprocessOptions& options_;
  const PreprocessLimits& limits_;
  FileSystem& fs_;
  Diagnostics& diags_;
  MacroTable macros_;
  ExpansionEnv env_;
  std::vector<Frame> frames_;
  unsigned includeCheck_ = 0;
  std::optional<PendingDefinition> pendingDefinition_;
  LineSink& out_;
  const Location nowhere_;
  std::size_t outLines_ = 0;
  std::size_t outBytes_ = 0;
  std::size_t work_ = 0;
  bool stopped_ = false;
};

}  // namespace

void preprocessInto(const std::string& mainFile, const PreprocessOptions& options, FileSystem& fs, Diagnostics& diags,
                    LineSink& out) {
  Preprocessor(options, fs, diags, out).runFile(mainFile);
}

void preprocessTextInto(const std::string& fileName, const std::string& text, const PreprocessOptions& options,
                        FileSystem& fs, Diagnostics& diags, LineSink& out) {
  Preprocessor(options, fs, diags, out).runText(fileName, text);
}

namespace {

class CollectLines final : public LineSink {
 public:
  void expectLines(std::size_t count) override {
    // Growth stays geometric, so that many small includes do not reallocate once each.
    const std::size_t need = lines_.size() + count;
    if (need > lines_.capacity()) lines_.reserve(std::max(need, 2 * lines_.capacity()));
  }
  void line(const Location& where, std::string_view text, const Location& expandedAt) override {
    lines_.push_back({where, std::string(text), expandedAt});
  }
  std::vector<SourceLine> take() { return std::move(lines_); }

 private:
  std::vector<SourceLine> lines_;
};

}  // namespace

std::vector<SourceLine> preprocess(const std::string& mainFile, const PreprocessOptions& options, FileSystem& fs,
                                   Diagnostics& diags) {
  CollectLines out;
  preprocessInto(mainFile, options, fs, diags, out);
  return out.take();
}

std::vector<SourceLine> preprocessText(const std::string& fileName, const std::string& text,
                                       const PreprocessOptions& options, FileSystem& fs, Diagnostics& diags) {
  CollectLines out;
  preprocessTextInto(fileName, text, options, fs, diags, out);
  return out.take();
}

}  // namespace tandem::config
