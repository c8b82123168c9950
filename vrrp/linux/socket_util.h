#pragma once
// Small helpers shared by the Linux adapters: owned file descriptors, errno text, socket addresses.
#include <netinet/in.h>
#include <sys/socket.h>

#include <functional>
#include <string>
#include <string_view>

#include "vrrp/ip_address.h"
#include "vrrp/packet.h"

struct msghdr;

namespace tandem::vrrp {

// Where adapters report what they cannot return (a send the kernel refused, a lost netlink event).
using LogSink = std::function<void(const std::string& message)>;

namespace linux_ {

// Falls back to stderr so that nothing an adapter reports is lost when the daemon wired no logger.
LogSink orStderr(LogSink sink);

// "<what>: <strerror(err)>"
std::string errnoText(std::string_view what, int err);

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release();

 private:
  int fd_ = -1;
};

// setsockopt that appends "<name> on <context>: <errno text>" to `error` and returns false on failure.
bool setOption(int fd, int level, int name, const void* value, socklen_t size, std::string_view what,
               std::string& error);
template <typename T>
bool setOption(int fd, int level, int name, const T& value, std::string_view what, std::string& error) {
  return setOption(fd, level, name, &value, sizeof value, what, error);
}

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t size = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// `scopeId` is used for IPv6 link-local and link-local multicast addresses only.
SocketAddress toSocketAddress(const IpAddress& address, int scopeId = 0);
IpAddress fromSocketAddress(const sockaddr_storage& storage);
bool isIpv6LinkScope(const IpAddress& address);

// The hop limit (IPV6_HOPLIMIT), destination and interface (IPV6_PKTINFO) of a datagram received with
// IPV6_RECVHOPLIMIT and IPV6_RECVPKTINFO set; fields without their ancillary message are left as they are.
void readIpv6Ancillary(msghdr& message, ReceiveMeta& meta);

}  // namespace linux_
}  // namespace tandem::vrrp
