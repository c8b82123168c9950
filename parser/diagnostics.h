#pragma once
// Problems found while reading a configuration, each tied to the file and line that caused it.
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

namespace tandem::config {

struct Location {
  std::shared_ptr<const std::string> file;  // shared: thousands of tokens point at few files
  int line = 0;

  const std::string& fileName() const;
  bool valid() const { return file != nullptr && line > 0; }
};

enum class Severity { Error, Warning };

struct Diagnostic {
  Location where;
  Severity severity = Severity::Error;
  std::string message;

  // gcc style, so that editors jump to it: "FILE:LINE: error: MESSAGE".
  std::string format() const;
};

class Diagnostics {
 public:
  void error(const Location& where, std::string message);
  void warning(const Location& where, std::string message);
  void add(Diagnostic d);

  const std::vector<Diagnostic>& all() const { return items_; }
  std::size_t errorCount() const { return errors_; }
  std::size_t warningCount() const { return items_.size() - errors_; }
  bool hasErrors() const { return errors_ > 0; }

  // Stops reporting the same message at the same place twice (e.g. a macro used in a ~SEQ loop).
  bool contains(const Diagnostic& d) const;

 private:
  static std::string key(const Diagnostic& d);

  std::vector<Diagnostic> items_;
  std::unordered_set<std::string> seen_;  // key() of every item: a file can yield tens of thousands
  std::size_t errors_ = 0;
};

}  // namespace tandem::config
