#pragma once
// AddressPort over libnl-route. Requests are synchronous netlink round trips, which the kernel answers at once.
// keepalived's choices are kept: IPv6 VIPs get IFA_F_NODAD (usable at once, and never stuck in "dadfailed" after a
// split brain), and a /128 gets preferred_lft 0 so the kernel never picks it as a source address. Scope, label and
// broadcast are IPv4 notions; the kernel ignores them for IPv6, so they are not sent there.
#include <optional>
#include <string>

#include "vrrp/linux/netlink.h"
#include "vrrp/ports.h"

namespace tandem::vrrp {

// keepalived's scope words (host, link, site, global, nowhere) or a number 0..255; "" is global.
std::optional<int> parseAddressScope(const std::string& text);

class LinuxAddresses final : public AddressPort {
 public:
  // Throws std::runtime_error when no netlink socket can be opened.
  LinuxAddresses();

  bool add(const VirtualAddress& vip, const std::string& defaultDevice, std::string& error) override;
  // A device that no longer exists holds no address, so removing from it succeeds.
  bool remove(const VirtualAddress& vip, const std::string& defaultDevice, std::string& error) override;
  // The address is on the device, whatever its prefix length.
  bool present(const VirtualAddress& vip, const std::string& defaultDevice) override;

 private:
  linux_::NlSocket socket_;
};

}  // namespace tandem::vrrp
