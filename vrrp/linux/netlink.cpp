#include "vrrp/linux/netlink.h"

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace tandem::vrrp::linux_ {
namespace {

constexpr std::size_t kReceiveBufferBytes = 65536;

}  // namespace

void NlSocketDeleter::operator()(nl_sock* socket) const { nl_socket_free(socket); }
void NlAddrDeleter::operator()(nl_addr* address) const { nl_addr_put(address); }

NlSocket connectRoute(std::string& error) {
  NlSocket socket(nl_socket_alloc());
  if (!socket) {
    error = "netlink: cannot allocate a socket";
    return nullptr;
  }
  if (const int err = nl_connect(socket.get(), NETLINK_ROUTE); err < 0) {
    error = nlErrorText("netlink: cannot connect a NETLINK_ROUTE socket", err);
    return nullptr;
  }
  // One recvmsg per answer instead of a MSG_PEEK to size the buffer and a second read: a VIP added on failover is
  // on the path to the gratuitous ARP. Route messages, even a dump's batches, are far smaller than this buffer.
  nl_socket_disable_msg_peek(socket.get());
  (void)nl_socket_set_msg_buf_size(socket.get(), kReceiveBufferBytes);
  return socket;
}

std::string nlErrorText(std::string_view what, int nlError) {
  std::string text(what);
  text += ": ";
  text += nl_geterror(nlError);
  return text;
}

NlAddr toNlAddr(const IpAddress& address) {
  const auto bytes = address.bytes();
  const int family = address.family() == Family::Ipv4 ? AF_INET : AF_INET6;
  // libnl copies the bytes; the const_cast only satisfies its C signature.
  return NlAddr(nl_addr_build(family, const_cast<std::uint8_t*>(bytes.data()), bytes.size()));
}

std::optional<IpAddress> fromNlAddr(const nl_addr* address) {
  if (address == nullptr) return std::nullopt;
  const int family = nl_addr_get_family(address);
  const auto size = nl_addr_get_len(address);
  const auto* data = static_cast<const std::uint8_t*>(nl_addr_get_binary_addr(address));
  if (family == AF_INET && size == 4) return IpAddress::fromBytes(Family::Ipv4, {data, 4});
  if (family == AF_INET6 && size == 16) return IpAddress::fromBytes(Family::Ipv6, {data, 16});
  return std::nullopt;
}

int ifindexOf(nl_sock* socket, const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ) return 0;
  // SIOCGIFINDEX on any socket answers in that socket's namespace, in one system call: no RTM_GETLINK and its
  // 1.5 KB answer on the way from a master-down timer to the gratuitous ARP.
  ifreq request{};
  std::memcpy(request.ifr_name, name.data(), name.size());
  if (::ioctl(nl_socket_get_fd(socket), SIOCGIFINDEX, &request) == 0) return request.ifr_ifindex;
  if (errno == ENODEV) return 0;
  rtnl_link* link = nullptr;
  if (rtnl_link_get_kernel(socket, 0, name.c_str(), &link) < 0) return 0;
  const int ifindex = rtnl_link_get_ifindex(link);
  rtnl_link_put(link);
  return ifindex;
}

std::optional<std::vector<KernelAddress>> dumpAddresses(nl_sock* socket, std::string& error) {
  nl_cache* cache = nullptr;
  if (const int err = rtnl_addr_alloc_cache(socket, &cache); err < 0) {
    error = nlErrorText("netlink: address dump failed", err);
    return std::nullopt;
  }
  std::vector<KernelAddress> out;
  for (nl_object* object = nl_cache_get_first(cache); object != nullptr; object = nl_cache_get_next(object)) {
    auto* addr = reinterpret_cast<rtnl_addr*>(object);
    const auto local = fromNlAddr(rtnl_addr_get_local(addr));
    if (!local) continue;
    KernelAddress k;
    k.ifindex = rtnl_addr_get_ifindex(addr);
    k.address = *local;
    k.prefixLength = rtnl_addr_get_prefixlen(addr);
    k.flags = rtnl_addr_get_flags(addr);
    if (const char* label = rtnl_addr_get_label(addr)) k.label = label;
    out.push_back(std::move(k));
  }
  nl_cache_free(cache);
  return out;
}

}  // namespace tandem::vrrp::linux_
