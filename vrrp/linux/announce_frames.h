#pragma once
// The Ethernet frames that announce a VIP, built as keepalived builds them (pure, so tests check every byte).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "vrrp/ip_address.h"
#include "vrrp/ports.h"

namespace tandem::vrrp {

inline constexpr std::size_t kEthernetHeaderSize = 14;
inline constexpr std::size_t kArpFrameSize = kEthernetHeaderSize + 28;
inline constexpr std::size_t kNeighbourAdvertFrameSize = kEthernetHeaderSize + 40 + 24 + 8;

// Gratuitous ARP: an ARP request from `mac` to the Ethernet broadcast, sender and target IP both the VIP, and
// target hardware address ff:ff:ff:ff:ff:ff as keepalived sends it.
std::vector<std::uint8_t> buildGratuitousArp(const MacAddress& mac, const IpAddress& vip);

// Unsolicited neighbour advertisement (RFC 4861 section 7.2.6), as keepalived sends it: to ff02::1
// (33:33:00:00:00:01) from the VIP itself, hop limit 255, Override set, Solicited clear, Router set when the
// interface forwards IPv6, target = VIP, and a target link-layer address option carrying `mac`.
std::vector<std::uint8_t> buildUnsolicitedNeighbourAdvert(const MacAddress& mac, const IpAddress& vip, bool router);

}  // namespace tandem::vrrp
