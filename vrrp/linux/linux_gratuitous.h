#pragma once
// GratuitousPort over one AF_PACKET socket shared by every interface: each frame is sent with its interface's
// index, so no per-interface socket is needed. Protocol 0 makes the socket receive nothing.
//
// Why AF_PACKET for IPv6 too (rather than a raw ICMPv6 socket): keepalived sends its unsolicited NA from the VIP
// itself; a raw socket would need that address bound and usable, and would hand the hop limit and source choice to
// the kernel. A whole frame is exactly what keepalived puts on the wire.
#include <string>

#include "vrrp/linux/socket_util.h"
#include "vrrp/ports.h"

namespace tandem::vrrp {

class LinuxGratuitous final : public GratuitousPort {
 public:
  LinuxGratuitous() = default;

  // Opens the socket ahead of the first announcement, which is on a takeover's critical path. When it fails
  // (no CAP_NET_RAW) announce() tries again and reports the error then.
  bool open(std::string& error);

  // IPv4: gratuitous ARP; IPv6: unsolicited neighbour advertisement. `interface` needs ifindex, name and MAC.
  bool announce(const InterfaceInfo& interface, const IpAddress& vip, std::string& error) override;

 private:
  linux_::UniqueFd socket_;
};

// keepalived sets the NA's Router flag from the interface's IPv6 forwarding sysctl.
bool ipv6Forwarding(const std::string& interfaceName);

}  // namespace tandem::vrrp
