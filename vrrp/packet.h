#pragma once
// VRRP advertisement codec: VRRPv2 (RFC 3768) and VRRPv3 (RFC 5798 / RFC 9568), wire-compatible with keepalived.
//
// Input choice for decoding: IPv4 adverts are decoded from the whole IPv4 packet (decodeIpv4Packet), because that is
// what a raw IPv4 socket returns and because IPsec AH authenticates the IP header. IPv6 adverts are decoded from the
// IP payload plus receive metadata (decodeAdvert), because a raw IPv6 socket never returns the IPv6 header; the hop
// limit and destination come from IPV6_HOPLIMIT / IPV6_PKTINFO ancillary data.
//
// The decoder runs only the checks that need no instance state beyond authentication settings, in RFC 5798 section
// 7.1 order. VRID, priority, interval and address-list comparisons live in acceptAdvert() (accept.h).
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "vrrp/ip_address.h"

namespace tandem::vrrp {

inline constexpr std::uint8_t kIpProtoVrrp = 112;
inline constexpr std::uint8_t kIpProtoAh = 51;
inline constexpr std::uint8_t kRequiredTtl = 255;
inline constexpr std::uint8_t kAdvertType = 1;
inline constexpr std::size_t kVrrpHeaderSize = 8;
inline constexpr std::size_t kAuthDataSize = 8;
inline constexpr std::size_t kIpv4HeaderSize = 20;
inline constexpr std::size_t kAhHeaderSize = 24;
inline constexpr std::size_t kAhIcvSize = 12;
// keepalived's IPv4 TOS: "internetwork control" precedence.
inline constexpr std::uint8_t kVrrpTos = 0xc0;

enum class Version : std::uint8_t { V2 = 2, V3 = 3 };
enum class AuthType : std::uint8_t { None = 0, Pass = 1, Ah = 2 };
using AuthData = std::array<std::uint8_t, kAuthDataSize>;

// keepalived's auth_pass: at most 8 bytes, zero padded. Longer passwords are truncated, as keepalived does.
AuthData makeAuthData(std::string_view password);

struct Advert {
  Version version = Version::V3;
  std::uint8_t vrid = 1;
  std::uint8_t priority = 100;
  // v2: whole seconds (8 bits on the wire). v3: centiseconds (12 bits on the wire).
  std::uint16_t advertInterval = 100;
  Family family = Family::Ipv4;
  std::vector<IpAddress> addresses;
  // v2 over IPv4 only. PASS: these 8 bytes go on the wire after the addresses. AH: the HMAC-MD5 key, and the
  // 8 bytes on the wire are zero.
  AuthType authType = AuthType::None;
  AuthData authData{};

  bool operator==(const Advert&) const = default;
};

struct ChecksumOptions {
  // keepalived's v3_checksum_as_v2: a VRRPv3 IPv4 checksum over the VRRP message only, without the pseudo-header
  // (what Cisco and RFC 9568 peers expect). No effect on IPv6, whose checksum always has the pseudo-header.
  bool v3ChecksumAsV2 = false;
};

// The VRRP message alone (the IP payload). source/destination are only used for the pseudo-header checksum.
// Throws std::invalid_argument when the advert cannot be represented (interval out of range, more than 255
// addresses, an address of the other family, auth on something other than v2/IPv4).
std::vector<std::uint8_t> encodeAdvert(const Advert& advert, const IpAddress& source, const IpAddress& destination,
                                       ChecksumOptions options = {});

struct Ipv4PacketParams {
  IpAddress source;
  IpAddress destination;
  // keepalived increments the ID per advert, starting at 1 (0 would make the kernel pick one).
  std::uint16_t id = 1;
  // AH only: keepalived increments before each send, so the first advert carries 1.
  std::uint32_t ahSequence = 1;
  // Unicast peers: keepalived zeroes the TTL as a mutable field in the AH ICV.
  bool unicast = false;
  ChecksumOptions checksum{};
};

// Full IPv4 packet as keepalived builds it for an IP_HDRINCL socket: IHL 5, TOS 0xc0, no DF, TTL 255, protocol 112,
// or 51 with an AH header (next header 112, SPI = source address, HMAC-MD5-96 ICV) when advert.authType is Ah.
std::vector<std::uint8_t> encodeIpv4Packet(const Advert& advert, const Ipv4PacketParams& params);

enum class DecodeError : std::uint8_t {
  Ok,
  TooShort,               // fewer bytes than the fixed headers
  BadIpHeader,            // not IPv4, IHL < 5, or header longer than the packet
  IpLengthMismatch,       // IPv4 total length differs from the bytes received
  WrongProtocol,          // IP protocol neither 112 nor 51, or AH not followed by VRRP
  BadTtl,                 // TTL / hop limit is not 255
  AddressFamilyMismatch,  // receive metadata of the other family
  BadVersion,             // version neither 2 nor 3
  BadType,                // type is not ADVERTISEMENT
  Truncated,              // shorter than the address count says
  Oversized,              // longer than the address count says
  BadChecksum,
  InvalidAuthType,        // auth type not 0, 1 or 2
  AuthTypeMismatch,       // auth type differs from the configured one
  AuthFailure,            // PASS data differs from the configured password
  BadAhHeader,            // AH payload length wrong
  AhIcvMismatch,          // HMAC-MD5-96 does not match: wrong key or altered packet
  AhSpiMismatch,          // SPI is not the source address, as keepalived requires (keep last: counters)
};
inline constexpr std::size_t kDecodeErrorCount = static_cast<std::size_t>(DecodeError::AhSpiMismatch) + 1;

std::string_view toString(DecodeError error);

struct ReceiveMeta {
  IpAddress source;
  IpAddress destination;
  std::uint8_t ttl = kRequiredTtl;  // hop limit for IPv6
  int ifindex = 0;
};

struct DecodeOptions {
  AuthType authType = AuthType::None;  // v2 over IPv4 only
  AuthData authData{};
  bool v3ChecksumAsV2 = false;
  // keepalived skips the TTL check for unicast peers (routers may sit between them) and zeroes TTL in the AH ICV.
  bool unicast = false;
};

struct DecodedAdvert {
  Advert advert;  // authData is the wire auth field for PASS, zero otherwise
  ReceiveMeta meta;
  std::optional<std::uint32_t> ahSequence;  // replay protection is stateful: see Instance
};

struct DecodeResult {
  DecodeError error = DecodeError::Ok;
  DecodedAdvert decoded;
  bool ok() const { return error == DecodeError::Ok; }
};

// The VRRP message (IP payload) plus what the socket told us. Both families; AH cannot be verified here.
DecodeResult decodeAdvert(std::span<const std::uint8_t> payload, const ReceiveMeta& meta,
                          const DecodeOptions& options);

// A whole IPv4 packet as read from a raw socket; source, destination and TTL come from its header.
DecodeResult decodeIpv4Packet(std::span<const std::uint8_t> packet, int ifindex, const DecodeOptions& options);

}  // namespace tandem::vrrp
