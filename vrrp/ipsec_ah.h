#pragma once
// IPsec AH (RFC 2402) as keepalived uses it for VRRPv2 over IPv4: a 24-byte header between the IPv4 header and
// the VRRP message, keyed HMAC-MD5 truncated to 96 bits, SPI = sender's IPv4 address.
#include <array>
#include <cstdint>
#include <span>

#include "vrrp/packet.h"

namespace tandem::vrrp {

using AhIcv = std::array<std::uint8_t, kAhIcvSize>;

// AH payload length field: header length in 32-bit words minus 2 (RFC 2402 section 2.2).
inline constexpr std::uint8_t kAhPayloadLength = kAhHeaderSize / 4 - 2;
inline constexpr std::size_t kAhSpiOffset = 4;
inline constexpr std::size_t kAhSequenceOffset = 8;
inline constexpr std::size_t kAhIcvOffset = 12;

// The ICV of an IPv4 packet laid out as IP header + AH + VRRP: computed over a copy in which the mutable IP fields
// (TOS, fragment offset, header checksum, and TTL when unicast) and the ICV itself are zero, as keepalived does.
AhIcv computeAhIcv(std::span<const std::uint8_t> packet, std::size_t ipHeaderLength, const AuthData& key,
                   bool unicast);

}  // namespace tandem::vrrp
