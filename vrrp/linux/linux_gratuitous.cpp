#include "vrrp/linux/linux_gratuitous.h"

#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "vrrp/linux/announce_frames.h"

namespace tandem::vrrp {

bool ipv6Forwarding(const std::string& interfaceName) {
  std::ifstream in("/proc/sys/net/ipv6/conf/" + interfaceName + "/forwarding");
  int value = 0;
  return in >> value && value != 0;
}

bool LinuxGratuitous::open(std::string& error) {
  if (socket_.valid()) return true;
  socket_ = linux_::UniqueFd(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
  if (socket_.valid()) return true;
  error = linux_::errnoText("socket(AF_PACKET, SOCK_RAW)", errno);
  return false;
}

bool LinuxGratuitous::announce(const InterfaceInfo& interface, const IpAddress& vip, std::string& error) {
  const bool v4 = vip.family() == Family::Ipv4;
  const std::string what = std::string(v4 ? "gratuitous ARP" : "unsolicited neighbour advertisement") + " for " +
                           vip.toString() + " on " + interface.name;
  if (interface.ifindex <= 0) {
    error = what + ": the interface has no index (does it exist?)";
    return false;
  }
  if (std::string detail; !open(detail)) {
    error = what + ": " + detail;
    return false;
  }
  const auto frame = v4 ? buildGratuitousArp(interface.mac, vip)
                        : buildUnsolicitedNeighbourAdvert(interface.mac, vip, ipv6Forwarding(interface.name));
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_ifindex = interface.ifindex;
  to.sll_halen = ETH_ALEN;
  std::memcpy(to.sll_addr, frame.data(), ETH_ALEN);  // the frame's destination
  const auto sent = ::sendto(socket_.get(), frame.data(), frame.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                             sizeof to);
  if (sent == static_cast<ssize_t>(frame.size())) return true;
  error = sent < 0 ? linux_::errnoText(what, errno) : what + ": short send";
  return false;
}

}  // namespace tandem::vrrp
