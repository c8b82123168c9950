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
  std::string content;
  const bool readable = readPieces(path, [&content](std::string_view piece) {
    content.append(piece);
    return true;
  });
  if (!readable) return std::nullopt;
  return content;
}

bool LinuxFileSystem::readPieces(const std::string& path, const PieceSink& take) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer; it is refused below, as any file
  // that is not a regular one. Reads of a regular file never block anyway.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  std::unique_ptr<int, void (*)(int*)> closer(new int(fd), [](int* p) {
    ::close(*p);
    delete p;
  });
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kMaxFileSize) return false;
  // Not the size fstat gave: /proc reports 0 for files that have content, and a file may grow meanwhile.
  const auto buffer = std::make_unique_for_overwrite<char[]>(pieceSize_);
  std::size_t total = 0;
  while (true) {
    const ssize_t n = ::read(fd, buffer.get(), pieceSize_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    total += static_cast<std::size_t>(n);
    if (total > static_cast<std::size_t>(kMaxFileSize)) return false;
    if (!take(std::string_view(buffer.get(), static_cast<std::size_t>(n)))) return true;
  }
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
