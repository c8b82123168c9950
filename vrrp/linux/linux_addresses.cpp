#include "vrrp/linux/linux_addresses.h"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/route/addr.h>

#include <charconv>
#include <memory>
#include <stdexcept>

namespace tandem::vrrp {
namespace {

constexpr std::uint32_t kInfiniteLifetime = 0xffffffffU;

struct AddrDeleter {
  void operator()(rtnl_addr* addr) const { rtnl_addr_put(addr); }
};
using AddrPtr = std::unique_ptr<rtnl_addr, AddrDeleter>;

const std::string& deviceOf(const VirtualAddress& vip, const std::string& defaultDevice) {
  return vip.device.empty() ? defaultDevice : vip.device;
}

int prefixOf(const VirtualAddress& vip) {
  if (vip.prefixLength >= 0) return vip.prefixLength;
  return vip.address.family() == Family::Ipv4 ? 32 : 128;
}

std::string describe(const VirtualAddress& vip, const std::string& device) {
  return vip.address.toString() + "/" + std::to_string(prefixOf(vip)) + " dev " + device;
}

// The fields both add and remove send: device, family, address and prefix.
AddrPtr baseRequest(const VirtualAddress& vip, int ifindex, std::string& error) {
  AddrPtr addr(rtnl_addr_alloc());
  if (!addr) {
    error = "out of memory";
    return nullptr;
  }
  const int maxPrefix = vip.address.family() == Family::Ipv4 ? 32 : 128;
  if (prefixOf(vip) > maxPrefix) {
    error = "prefix length " + std::to_string(prefixOf(vip)) + " is longer than " + std::to_string(maxPrefix);
    return nullptr;
  }
  rtnl_addr_set_ifindex(addr.get(), ifindex);
  rtnl_addr_set_family(addr.get(), vip.address.family() == Family::Ipv4 ? AF_INET : AF_INET6);
  const auto local = linux_::toNlAddr(vip.address);
  if (const int err = rtnl_addr_set_local(addr.get(), local.get()); err < 0) {
    error = linux_::nlErrorText("address", err);
    return nullptr;
  }
  // After set_local, which resets the prefix length to the address's full length.
  rtnl_addr_set_prefixlen(addr.get(), prefixOf(vip));
  return addr;
}

bool addIpv4Extras(rtnl_addr* addr, const VirtualAddress& vip, std::string& error) {
  const auto scope = parseAddressScope(vip.scope);
  if (!scope) {
    error = "unknown scope '" + vip.scope + "'";
    return false;
  }
  rtnl_addr_set_scope(addr, *scope);
  if (vip.broadcast) {
    if (vip.broadcast->family() != Family::Ipv4) {
      error = "broadcast " + vip.broadcast->toString() + " is not an IPv4 address";
      return false;
    }
    const auto broadcast = linux_::toNlAddr(*vip.broadcast);
    if (const int err = rtnl_addr_set_broadcast(addr, broadcast.get()); err < 0) {
      error = linux_::nlErrorText("broadcast", err);
      return false;
    }
  }
  if (!vip.label.empty()) {
    // The kernel takes any label up to IFNAMSIZ - 1 bytes; the "dev:alias" convention is iproute2's and
    // ifconfig's, not the kernel's, so it is not enforced here.
    if (vip.label.size() >= IFNAMSIZ) {
      error = "label '" + vip.label + "' is longer than " + std::to_string(IFNAMSIZ - 1) + " characters";
      return false;
    }
    if (const int err = rtnl_addr_set_label(addr, vip.label.c_str()); err < 0) {
      error = linux_::nlErrorText("label", err);
      return false;
    }
  }
  return true;
}

void addIpv6Extras(rtnl_addr* addr, const VirtualAddress& vip) {
  rtnl_addr_set_flags(addr, IFA_F_NODAD);
  if (prefixOf(vip) == 128) {
    rtnl_addr_set_preferred_lifetime(addr, 0);
    rtnl_addr_set_valid_lifetime(addr, kInfiniteLifetime);
  }
}

}  // namespace

std::optional<int> parseAddressScope(const std::string& text) {
  if (text.empty() || text == "global") return RT_SCOPE_UNIVERSE;
  if (text == "site") return RT_SCOPE_SITE;
  if (text == "link") return RT_SCOPE_LINK;
  if (text == "host") return RT_SCOPE_HOST;
  if (text == "nowhere") return RT_SCOPE_NOWHERE;
  int value = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 0 || value > 255) return std::nullopt;
  return value;
}

LinuxAddresses::LinuxAddresses() {
  std::string error;
  socket_ = linux_::connectRoute(error);
  if (!socket_) throw std::runtime_error("addresses: " + error);
}

bool LinuxAddresses::add(const VirtualAddress& vip, const std::string& defaultDevice, std::string& error) {
  const auto& device = deviceOf(vip, defaultDevice);
  const std::string what = "adding " + describe(vip, device);
  const int ifindex = linux_::ifindexOf(socket_.get(), device);
  if (ifindex == 0) {
    error = what + ": device " + device + " does not exist";
    return false;
  }
  std::string detail;
  auto addr = baseRequest(vip, ifindex, detail);
  if (!addr) {
    error = what + ": " + detail;
    return false;
  }
  if (vip.address.family() == Family::Ipv4) {
    if (!addIpv4Extras(addr.get(), vip, detail)) {
      error = what + ": " + detail;
      return false;
    }
  } else {
    addIpv6Extras(addr.get(), vip);
  }
  const int err = rtnl_addr_add(socket_.get(), addr.get(), 0);
  if (err >= 0 || err == -NLE_EXIST) return true;
  error = linux_::nlErrorText(what, err);
  return false;
}

bool LinuxAddresses::remove(const VirtualAddress& vip, const std::string& defaultDevice, std::string& error) {
  const auto& device = deviceOf(vip, defaultDevice);
  const std::string what = "removing " + describe(vip, device);
  const int ifindex = linux_::ifindexOf(socket_.get(), device);
  if (ifindex == 0) return true;
  std::string detail;
  auto addr = baseRequest(vip, ifindex, detail);
  if (!addr) {
    error = what + ": " + detail;
    return false;
  }
  const int err = rtnl_addr_delete(socket_.get(), addr.get(), 0);
  if (err >= 0 || err == -NLE_NOADDR || err == -NLE_NODEV) return true;
  error = linux_::nlErrorText(what, err);
  return false;
}

bool LinuxAddresses::present(const VirtualAddress& vip, const std::string& defaultDevice) {
  const int ifindex = linux_::ifindexOf(socket_.get(), deviceOf(vip, defaultDevice));
  if (ifindex == 0) return false;
  std::string error;
  const auto addresses = linux_::dumpAddresses(socket_.get(), error);
  if (!addresses) return false;
  for (const auto& k : *addresses) {
    if (k.ifindex == ifindex && k.address == vip.address) return true;
  }
  return false;
}

}  // namespace tandem::vrrp
