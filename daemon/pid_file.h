#pragma once
// keepalived's pid files: the parent's (-p), the VRRP child's (-r) and the checker child's (-c).
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace tandem::daemon {

// A file kept beside a pid file: "/run/vrrp.pid" + ".state" -> "/run/vrrp.state"; without a ".pid" suffix the
// extension is appended.
std::string pidFileSibling(const std::string& pidFile, std::string_view extension);

// The pid a pid file names when that process is alive, else nullopt (no file, garbage, or a stale pid).
std::optional<pid_t> livePidIn(const std::string& pidFile);

// Writes this process's pid; removes the file when destroyed (only if it was written).
class PidFile {
 public:
  explicit PidFile(std::string path) : path_(std::move(path)) {}
  ~PidFile();
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

  // False with a reason in `error` when the file cannot be written.
  bool write(std::string& error);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool written_ = false;
};

}  // namespace tandem::daemon
