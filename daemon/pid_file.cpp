#include "daemon/pid_file.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace tandem::daemon {

std::string pidFileSibling(const std::string& pidFile, std::string_view extension) {
  constexpr std::string_view kSuffix = ".pid";
  const std::string base = pidFile.size() > kSuffix.size() && pidFile.ends_with(kSuffix)
                               ? pidFile.substr(0, pidFile.size() - kSuffix.size())
                               : pidFile;
  return base + std::string(extension);
}

std::optional<pid_t> livePidIn(const std::string& pidFile) {
  std::ifstream in(pidFile);
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  if (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM) return static_cast<pid_t>(pid);
  return std::nullopt;
}

bool PidFile::write(std::string& error) {
  std::ofstream out(path_, std::ios::trunc);
  if (!(out << getpid() << '\n') || !out.flush()) {
    error = "cannot write pid file " + path_ + ": " + std::strerror(errno);
    return false;
  }
  written_ = true;
  return true;
}

PidFile::~PidFile() {
  if (written_) unlink(path_.c_str());
}

}  // namespace tandem::daemon
