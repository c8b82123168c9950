#pragma once
// Problems found while reading a configuration, each tied to the file and line that caused it.
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace tandem::config {

// The name of the file a Location points into, shared by all of them. A large configuration copies Locations
// hundreds of thousands of times (every statement, every field that remembers its line). A std::shared_ptr copy goes
// through its control block and, once the process has a second thread (the daemon's metrics endpoint), a locked
// instruction. This count is a plain integer, so a model and its Locations belong to one thread at a time, which is
// how Tandem uses them: each process reads and keeps its own.
class FileName {
 public:
  FileName() = default;
  explicit FileName(std::string name) : shared_(new Shared{std::move(name), 1}) {}
  FileName(const FileName& other) noexcept : shared_(other.shared_) {
    if (shared_ != nullptr) ++shared_->count;
  }
  FileName(FileName&& other) noexcept : shared_(std::exchange(other.shared_, nullptr)) {}
  FileName& operator=(FileName other) noexcept {
    std::swap(shared_, other.shared_);
    return *this;
  }
  ~FileName() {
    if (shared_ != nullptr && --shared_->count == 0) delete shared_;
  }

  const std::string* get() const { return shared_ != nullptr ? &shared_->text : nullptr; }
  const std::string& operator*() const { return shared_->text; }
  const std::string* operator->() const { return &shared_->text; }
  explicit operator bool() const { return shared_ != nullptr; }

 private:
  struct Shared {
    std::string text;
    std::size_t count;
  };
  Shared* shared_ = nullptr;
};

struct Location {
  FileName file;
  int line = 0;

  const std::string& fileName() const;
  bool valid() const { return file && line > 0; }
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
