#include "parser/linux_file_system.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <memory>

namespace tandem::config {

namespace {

// Bigger than any sane configuration; protects against a glob that picks up a huge file.
constexpr off_t kMaxFileSize = off_t{256} << 20;

}  // namespace

std::optional<std::string> LinuxFileSystem::readFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::unique_ptr<int, void (*)(int*)> closer(new int(fd), [](int* p) {
    ::close(*p);
    delete p;
  });
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kMaxFileSize) return std::nullopt;
  // Read straight into the string, not through a buffer: a large configuration is copied once less. Once the
  // size fstat gave is read, a file that grew since is read on, within the limit.
  std::string content(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t used = 0;
  while (true) {
    char more[4096];
    const bool spare = used < content.size();
    const ssize_t n = spare ? ::read(fd, content.data() + used, content.size() - used) : ::read(fd, more, sizeof more);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    if (!spare) {
      if (content.size() > static_cast<std::size_t>(kMaxFileSize)) return std::nullopt;
      content.append(more, static_cast<std::size_t>(n));
    }
    used += static_cast<std::size_t>(n);
  }
  if (used > static_cast<std::size_t>(kMaxFileSize)) return std::nullopt;
  content.resize(used);
  return content;
}

std::vector<std::string> LinuxFileSystem::glob(const std::string& pattern) {
  glob_t g{};
  std::vector<std::string> out;
  if (::glob(pattern.c_str(), GLOB_BRACE, nullptr, &g) == 0) {
    for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  ::globfree(&g);
  return out;
}

std::string LinuxFileSystem::canonical(const std::string& path) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) return path;
  return resolved;
}

}  // namespace tandem::config
