#include "vrrp/linux/socket_util.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

namespace tandem::vrrp::linux_ {

LogSink orStderr(LogSink sink) {
  if (sink) return sink;
  return [](const std::string& message) { std::cerr << "tandem: " << message << '\n'; };
}

std::string errnoText(std::string_view what, int err) {
  std::string text(what);
  text += ": ";
  text += std::strerror(err);
  return text;
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

int UniqueFd::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

bool setOption(int fd, int level, int name, const void* value, socklen_t size, std::string_view what,
               std::string& error) {
  if (::setsockopt(fd, level, name, value, size) == 0) return true;
  error = errnoText(what, errno);
  return false;
}

bool isIpv6LinkScope(const IpAddress& address) {
  if (address.family() != Family::Ipv6) return false;
  const auto b = address.bytes();
  const bool linkLocal = b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
  const bool linkLocalMulticast = b[0] == 0xff && (b[1] & 0x0f) == 0x02;
  return linkLocal || linkLocalMulticast;
}

SocketAddress toSocketAddress(const IpAddress& address, int scopeId) {
  SocketAddress out;
  if (address.family() == Family::Ipv4) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out.storage);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, address.bytes().data(), 4);
    out.size = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    sin6->sin6_family = AF_INET6;
    std::memcpy(&sin6->sin6_addr, address.bytes().data(), 16);
    if (isIpv6LinkScope(address)) sin6->sin6_scope_id = static_cast<std::uint32_t>(scopeId);
    out.size = sizeof(sockaddr_in6);
  }
  return out;
}

IpAddress fromSocketAddress(const sockaddr_storage& storage) {
  if (storage.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&storage);
    return IpAddress::fromBytes(Family::Ipv4, {reinterpret_cast<const std::uint8_t*>(&sin->sin_addr), 4});
  }
  const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&storage);
  return IpAddress::fromBytes(Family::Ipv6, {reinterpret_cast<const std::uint8_t*>(&sin6->sin6_addr), 16});
}

void readIpv6Ancillary(msghdr& message, ReceiveMeta& meta) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level != IPPROTO_IPV6) continue;
    if (c->cmsg_type == IPV6_HOPLIMIT) {
      int hops = 0;
      std::memcpy(&hops, CMSG_DATA(c), sizeof hops);
      meta.ttl = static_cast<std::uint8_t>(hops);
    } else if (c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      meta.destination = IpAddress::fromBytes(Family::Ipv6, {reinterpret_cast<const std::uint8_t*>(&info.ipi6_addr), 16});
      meta.ifindex = static_cast<int>(info.ipi6_ifindex);
    }
  }
}

}  // namespace tandem::vrrp::linux_
