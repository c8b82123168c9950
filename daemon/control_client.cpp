#include "daemon/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tandem::daemon {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

bool waitFor(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd, events, 0};
  return poll(&p, 1, static_cast<int>(left.count())) == 1;
}

}  // namespace

std::optional<nlohmann::json> askControlSocket(const std::string& path, const ControlRequest& command,
                                               std::string& error, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) {
    error = path + ": path too long for a Unix socket";
    return std::nullopt;
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  Fd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0 || connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    error = "cannot connect to " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  const std::string request = encodeRequest(command);
  std::size_t sent = 0;
  while (sent < request.size()) {
    if (!waitFor(fd.get(), POLLOUT, deadline)) {
      error = path + ": timed out sending the request";
      return std::nullopt;
    }
    const ssize_t n = send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      error = path + ": " + std::strerror(errno);
      return std::nullopt;
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string reply;
  while (reply.find('\n') == std::string::npos) {
    if (!waitFor(fd.get(), POLLIN, deadline)) {
      error = path + ": no reply in time";
      return std::nullopt;
    }
    char buffer[4096];
    const ssize_t n = recv(fd.get(), buffer, sizeof buffer, 0);
    if (n <= 0) {
      error = path + ": connection closed before a reply";
      return std::nullopt;
    }
    reply.append(buffer, static_cast<std::size_t>(n));
  }
  nlohmann::json parsed = nlohmann::json::parse(reply.substr(0, reply.find('\n')), nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    error = path + ": the reply is not a JSON object";
    return std::nullopt;
  }
  return parsed;
}

}  // namespace tandem::daemon
