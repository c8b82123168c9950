#include "vrrp/linux/announce_frames.h"

#include <algorithm>
#include <stdexcept>

#include "vrrp/wire.h"

namespace tandem::vrrp {
namespace {

constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kEtherTypeArp = 0x0806;
constexpr std::uint16_t kEtherTypeIpv6 = 0x86dd;
constexpr std::uint8_t kIpProtoIcmpv6 = 58;
constexpr std::uint8_t kNeighbourAdvertType = 136;
constexpr std::uint8_t kTargetLinkLayerOption = 2;
constexpr std::uint8_t kRouterFlag = 0x80;
constexpr std::uint8_t kOverrideFlag = 0x20;
constexpr std::uint8_t kNdHopLimit = 255;

void putEthernet(std::vector<std::uint8_t>& frame, const MacAddress& destination, const MacAddress& source,
                 std::uint16_t etherType) {
  std::copy(destination.begin(), destination.end(), frame.begin());
  std::copy(source.begin(), source.end(), frame.begin() + 6);
  wire::put16(frame, 12, etherType);
}

}  // namespace

std::vector<std::uint8_t> buildGratuitousArp(const MacAddress& mac, const IpAddress& vip) {
  if (vip.family() != Family::Ipv4) throw std::invalid_argument("gratuitous ARP needs an IPv4 address");
  const MacAddress broadcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  std::vector<std::uint8_t> frame(kArpFrameSize);
  putEthernet(frame, broadcast, mac, kEtherTypeArp);
  auto* arp = frame.data() + kEthernetHeaderSize;
  std::span<std::uint8_t> a(arp, 28);
  wire::put16(a, 0, 1);  // hardware: Ethernet
  wire::put16(a, 2, kEtherTypeIpv4);
  a[4] = 6;
  a[5] = 4;
  wire::put16(a, 6, 1);  // request
  std::copy(mac.begin(), mac.end(), a.begin() + 8);
  std::copy(vip.bytes().begin(), vip.bytes().end(), a.begin() + 14);
  std::copy(broadcast.begin(), broadcast.end(), a.begin() + 18);
  std::copy(vip.bytes().begin(), vip.bytes().end(), a.begin() + 24);
  return frame;
}

std::vector<std::uint8_t> buildUnsolicitedNeighbourAdvert(const MacAddress& mac, const IpAddress& vip, bool router) {
  if (vip.family() != Family::Ipv6) throw std::invalid_argument("a neighbour advertisement needs an IPv6 address");
  const MacAddress allNodesMac{0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
  const auto allNodes = IpAddress::parse("ff02::1").value();
  std::vector<std::uint8_t> frame(kNeighbourAdvertFrameSize);
  putEthernet(frame, allNodesMac, mac, kEtherTypeIpv6);

  constexpr std::size_t kIcmpLength = 24 + 8;
  std::span<std::uint8_t> ip(frame.data() + kEthernetHeaderSize, 40);
  ip[0] = 0x60;  // version 6, traffic class and flow label 0
  wire::put16(ip, 4, kIcmpLength);
  ip[6] = kIpProtoIcmpv6;
  ip[7] = kNdHopLimit;
  std::copy(vip.bytes().begin(), vip.bytes().end(), ip.begin() + 8);
  std::copy(allNodes.bytes().begin(), allNodes.bytes().end(), ip.begin() + 24);

  std::span<std::uint8_t> icmp(frame.data() + kEthernetHeaderSize + 40, kIcmpLength);
  icmp[0] = kNeighbourAdvertType;
  icmp[4] = static_cast<std::uint8_t>(kOverrideFlag | (router ? kRouterFlag : 0));
  std::copy(vip.bytes().begin(), vip.bytes().end(), icmp.begin() + 8);
  icmp[24] = kTargetLinkLayerOption;
  icmp[25] = 1;  // in units of 8 bytes
  std::copy(mac.begin(), mac.end(), icmp.begin() + 26);

  wire::ChecksumAccumulator sum;
  sum.add(vip.bytes());
  sum.add(allNodes.bytes());
  sum.add16(0);
  sum.add16(kIcmpLength);
  sum.add16(kIpProtoIcmpv6);
  sum.add(icmp);
  wire::put16(icmp, 2, sum.finish());
  return frame;
}

}  // namespace tandem::vrrp
