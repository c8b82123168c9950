#pragma once
// Preprocessor test support: an in-memory FileSystem and a result with handy views.
#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "parser/diagnostics.h"
#include "parser/source.h"

namespace tandem::config::testing {

class FakeFileSystem final : public FileSystem {
 public:
  void add(const std::string& path, const std::string& content) { files_[normalize(path)] = content; }
  // Listed by glob, but reading it fails (like a file without read permission).
  void addUnreadable(const std::string& path) { unreadable_.insert(normalize(path)); }
  // path is another name of target (a symlink).
  void alias(const std::string& path, const std::string& target) { aliases_[normalize(path)] = normalize(target); }

  std::optional<std::string> readFile(const std::string& path) override {
    ++reads;
    const std::string p = resolve(path);
    if (unreadable_.count(p) != 0) return std::nullopt;
    auto it = files_.find(p);
    if (it == files_.end()) return std::nullopt;
    return it->second;
  }

  std::vector<std::string> glob(const std::string& pattern) override {
    std::vector<std::string> out;
    const std::set<std::string> all = allPaths();
    const std::string p = normalize(pattern);
    if (p.find_first_of("*?[") == std::string::npos) {
      if (all.count(p) != 0) out.push_back(pattern);
      return out;
    }
    for (const std::string& candidate : all) {
      if (::fnmatch(p.c_str(), candidate.c_str(), FNM_PATHNAME | FNM_PERIOD) == 0) out.push_back(candidate);
    }
    return out;
  }

  std::string canonical(const std::string& path) override { return resolve(path); }

  int reads = 0;

 private:
  static std::string normalize(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t i = 0;
    while (i <= path.size()) {
      std::size_t j = path.find('/', i);
      if (j == std::string::npos) j = path.size();
      const std::string part = path.substr(i, j - i);
      if (part == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      i = j + 1;
    }
    std::string out;
    for (const std::string& part : parts) out += "/" + part;
    return out.empty() ? "/" : out;
  }

  std::string resolve(const std::string& path) const {
    const std::string p = normalize(path);
    auto it = aliases_.find(p);
    return it == aliases_.end() ? p : it->second;
  }

  std::set<std::string> allPaths() const {
    std::set<std::string> all;
    auto addWithFolders = [&all](const std::string& file) {
      all.insert(file);
      for (std::size_t slash = file.rfind('/'); slash != std::string::npos && slash > 0; slash = file.rfind('/', slash - 1)) {
        all.insert(file.substr(0, slash));
      }
    };
    for (const auto& [path, content] : files_) addWithFolders(path);
    for (const std::string& path : unreadable_) addWithFolders(path);
    for (const auto& [path, target] : aliases_) addWithFolders(path);
    return all;
  }

  std::map<std::string, std::string> files_;
  std::set<std::string> unreadable_;
  std::map<std::string, std::string> aliases_;
};

struct PreprocessResult {
  std::vector<SourceLine> lines;
  Diagnostics diags;

  std::vector<std::string> texts() const {
    std::vector<std::string> out;
    for (const SourceLine& l : lines) out.push_back(l.text);
    return out;
  }
  std::vector<int> lineNumbers() const {
    std::vector<int> out;
    for (const SourceLine& l : lines) out.push_back(l.where.line);
    return out;
  }
  std::vector<std::string> where() const {  // "file:line text"
    std::vector<std::string> out;
    for (const SourceLine& l : lines) out.push_back(l.where.fileName() + ":" + std::to_string(l.where.line) + " " + l.text);
    return out;
  }
  std::vector<std::string> messages(Severity severity) const {
    std::vector<std::string> out;
    for (const Diagnostic& d : diags.all()) {
      if (d.severity == severity) out.push_back(d.format());
    }
    return out;
  }
  std::vector<std::string> errors() const { return messages(Severity::Error); }
  std::vector<std::string> warnings() const { return messages(Severity::Warning); }
};

}  // namespace tandem::config::testing
