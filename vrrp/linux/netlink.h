#pragma once
// libnl-route plumbing shared by LinuxInterfaces and LinuxAddresses: owned sockets, address conversion and the
// one address dump both need.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vrrp/ip_address.h"

struct nl_sock;
struct nl_addr;

namespace tandem::vrrp::linux_ {

struct NlSocketDeleter {
  void operator()(nl_sock* socket) const;
};
using NlSocket = std::unique_ptr<nl_sock, NlSocketDeleter>;

struct NlAddrDeleter {
  void operator()(nl_addr* address) const;
};
using NlAddr = std::unique_ptr<nl_addr, NlAddrDeleter>;

// A NETLINK_ROUTE socket for requests; nullptr with the reason in `error`.
NlSocket connectRoute(std::string& error);

// "<what>: <libnl's text for the error>"
std::string nlErrorText(std::string_view what, int nlError);

NlAddr toNlAddr(const IpAddress& address);
std::optional<IpAddress> fromNlAddr(const nl_addr* address);

// The index of device `name` as the socket's own namespace knows it (if_nametoindex would ask the calling
// thread's namespace, which need not be the socket's). 0 when there is no such device.
int ifindexOf(nl_sock* socket, const std::string& name);

struct KernelAddress {
  int ifindex = 0;
  IpAddress address;
  int prefixLength = 0;
  unsigned flags = 0;  // IFA_F_*
  std::string label;
};

// Every IPv4 and IPv6 address in the namespace, in the kernel's order (primaries before secondaries per device).
// nullopt with the reason in `error` when the dump fails.
std::optional<std::vector<KernelAddress>> dumpAddresses(nl_sock* socket, std::string& error);

}  // namespace tandem::vrrp::linux_
