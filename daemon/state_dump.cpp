#include "daemon/state_dump.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace tandem::daemon {

DumpFileNames dumpFileNamesFrom(const config::GlobalDefs& global) {
  return {global.state_dump_file, global.stats_dump_file, global.json_dump_file};
}

std::string dumpFilePath(DumpKind kind, const DumpFileNames& names, const char* tmpdir) {
  const std::string* configured = &names.data;
  std::string fallback = "keepalived.data";
  if (kind == DumpKind::Stats) {
    configured = &names.stats;
    fallback = "keepalived.stats";
  } else if (kind == DumpKind::Json) {
    configured = &names.json;
    fallback = "keepalived.json";
  }
  const std::string name = configured->empty() ? fallback : *configured;
  if (name.front() == '/') return name;
  std::string dir = (tmpdir && *tmpdir) ? tmpdir : "/tmp";
  if (dir.back() != '/') dir += '/';
  return dir + name;
}

std::optional<DumpKind> dumpKindForSignal(int signal) {
  if (signal == SIGUSR1) return DumpKind::Data;
  if (signal == SIGUSR2) return DumpKind::Stats;
  if (signal == SIGRTMIN + 2) return DumpKind::Json;
  return std::nullopt;
}

bool writeDumpFile(const std::string& path, const std::string& content, std::string& error) {
  // /tmp is writable by everyone: never follow or reuse a file someone else placed there.
  const std::string temporary = path + ".tmp" + std::to_string(getpid());
  unlink(temporary.c_str());
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = "cannot create " + temporary + ": " + std::strerror(errno);
    return false;
  }
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = "cannot write " + temporary + ": " + std::strerror(errno);
      close(fd);
      unlink(temporary.c_str());
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  close(fd);
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    error = "cannot rename " + temporary + " to " + path + ": " + std::strerror(errno);
    unlink(temporary.c_str());
    return false;
  }
  return true;
}

}  // namespace tandem::daemon
