#include "vrrp/packet.h"

#include <algorithm>
#include <stdexcept>

#include "vrrp/ipsec_ah.h"
#include "vrrp/wire.h"

namespace tandem::vrrp {
namespace {

using wire::get16;
using wire::get32;
using wire::put16;
using wire::put32;

bool hasAuthField(Version version, Family family) { return version == Version::V2 && family == Family::Ipv4; }

std::size_t messageLength(Version version, Family family, std::size_t count) {
  return kVrrpHeaderSize + count * addressSize(family) + (hasAuthField(version, family) ? kAuthDataSize : 0);
}

// RFC 5798 section 5.2.8 (IPv4 reading used by keepalived and Wireshark) and RFC 2460 section 8.1 (IPv6).
std::uint16_t vrrpChecksum(std::span<const std::uint8_t> message, Version version, const IpAddress& source,
                           const IpAddress& destination, bool v3ChecksumAsV2) {
  wire::ChecksumAccumulator acc;
  if (source.family() == Family::Ipv6) {
    acc.add(source.bytes());
    acc.add(destination.bytes());
    acc.add16(static_cast<std::uint16_t>(message.size() >> 16));
    acc.add16(static_cast<std::uint16_t>(message.size()));
    acc.add16(kIpProtoVrrp);
  } else if (version == Version::V3 && !v3ChecksumAsV2) {
    acc.add(source.bytes());
    acc.add(destination.bytes());
    acc.add16(kIpProtoVrrp);
    acc.add16(static_cast<std::uint16_t>(message.size()));
  }
  acc.add(message);
  return acc.finish();
}

void requireRepresentable(const Advert& a, const IpAddress& source, const IpAddress& destination) {
  if (a.version == Version::V2 && a.advertInterval > 0xff)
    throw std::invalid_argument("VRRPv2 advert interval is at most 255 seconds");
  if (a.version == Version::V3 && a.advertInterval > 0x0fff)
    throw std::invalid_argument("VRRPv3 advert interval is at most 4095 centiseconds");
  if (a.addresses.size() > 0xff) throw std::invalid_argument("at most 255 addresses fit in an advert");
  for (const auto& address : a.addresses)
    if (address.family() != a.family) throw std::invalid_argument("advert mixes address families");
  if (a.authType != AuthType::None && !hasAuthField(a.version, a.family))
    throw std::invalid_argument("authentication exists only for VRRPv2 over IPv4");
  if (source.family() != a.family || destination.family() != a.family)
    throw std::invalid_argument("source/destination family differs from the advert's");
}

DecodeResult fail(DecodeError e) { return DecodeResult{e, {}}; }

// Shared by both entry points. ahPresent: the IPv4 packet carried an AH header, to be verified by the caller.
DecodeResult decodeMessage(std::span<const std::uint8_t> b, const ReceiveMeta& meta, const DecodeOptions& options,
                           bool ahPresent) {
  const Family family = meta.source.family();
  if (meta.destination.family() != family) return fail(DecodeError::AddressFamilyMismatch);
  if (!options.unicast && meta.ttl != kRequiredTtl) return fail(DecodeError::BadTtl);
  if (b.size() < kVrrpHeaderSize) return fail(DecodeError::TooShort);

  const unsigned versionField = b[0] >> 4;
  if (versionField != 2 && versionField != 3) return fail(DecodeError::BadVersion);
  const auto version = static_cast<Version>(versionField);
  if ((b[0] & 0x0f) != kAdvertType) return fail(DecodeError::BadType);

  const std::size_t count = b[3];
  const std::size_t expected = messageLength(version, family, count);
  if (b.size() < expected) return fail(DecodeError::Truncated);
  if (b.size() > expected) return fail(DecodeError::Oversized);

  if (vrrpChecksum(b, version, meta.source, meta.destination, options.v3ChecksumAsV2) != 0)
    return fail(DecodeError::BadChecksum);

  DecodeResult r;
  Advert& a = r.decoded.advert;
  a.version = version;
  a.vrid = b[1];
  a.priority = b[2];
  a.family = family;
  const std::size_t size = addressSize(family);
  for (std::size_t i = 0; i < count; ++i)
    a.addresses.push_back(IpAddress::fromBytes(family, b.subspan(kVrrpHeaderSize + i * size, size)));

  if (version == Version::V3) {
    a.advertInterval = get16(b, 4) & 0x0fff;
  } else {
    a.advertInterval = b[5];
    if (b[4] > static_cast<std::uint8_t>(AuthType::Ah)) return fail(DecodeError::InvalidAuthType);
    a.authType = static_cast<AuthType>(b[4]);
    if (a.authType != options.authType || (a.authType == AuthType::Ah) != ahPresent)
      return fail(DecodeError::AuthTypeMismatch);
    if (a.authType == AuthType::Pass) {
      std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(expected - kAuthDataSize), kAuthDataSize,
                  a.authData.begin());
      if (a.authData != options.authData) return fail(DecodeError::AuthFailure);
    }
  }
  if (version == Version::V3 && ahPresent) return fail(DecodeError::AuthTypeMismatch);
  r.decoded.meta = meta;
  return r;
}

}  // namespace

AuthData makeAuthData(std::string_view password) {
  AuthData data{};
  std::copy_n(password.begin(), std::min(password.size(), data.size()), data.begin());
  return data;
}

std::vector<std::uint8_t> encodeAdvert(const Advert& advert, const IpAddress& source, const IpAddress& destination,
                                       ChecksumOptions options) {
  requireRepresentable(advert, source, destination);
  std::vector<std::uint8_t> m(messageLength(advert.version, advert.family, advert.addresses.size()), 0);
  m[0] = static_cast<std::uint8_t>((static_cast<unsigned>(advert.version) << 4) | kAdvertType);
  m[1] = advert.vrid;
  m[2] = advert.priority;
  m[3] = static_cast<std::uint8_t>(advert.addresses.size());
  if (advert.version == Version::V3) {
    put16(m, 4, advert.advertInterval);
  } else {
    m[4] = static_cast<std::uint8_t>(advert.authType);
    m[5] = static_cast<std::uint8_t>(advert.advertInterval);
  }
  auto out = m.begin() + kVrrpHeaderSize;
  for (const auto& address : advert.addresses) out = std::copy(address.bytes().begin(), address.bytes().end(), out);
  if (advert.authType == AuthType::Pass) std::copy(advert.authData.begin(), advert.authData.end(), out);

  put16(m, 6, vrrpChecksum(m, advert.version, source, destination, options.v3ChecksumAsV2));
  return m;
}

std::vector<std::uint8_t> encodeIpv4Packet(const Advert& advert, const Ipv4PacketParams& params) {
  if (advert.family != Family::Ipv4) throw std::invalid_argument("encodeIpv4Packet needs an IPv4 advert");
  const auto message = encodeAdvert(advert, params.source, params.destination, params.checksum);
  const bool ah = advert.authType == AuthType::Ah;
  const std::size_t vrrpOffset = kIpv4HeaderSize + (ah ? kAhHeaderSize : 0);

  std::vector<std::uint8_t> p(vrrpOffset + message.size(), 0);
  p[0] = 0x45;  // version 4, IHL 5: keepalived never sends IP options
  p[1] = kVrrpTos;
  put16(p, 2, static_cast<std::uint16_t>(p.size()));
  put16(p, 4, params.id);
  // bytes 6-7 stay zero: keepalived sets neither DF nor a fragment offset
  p[8] = kRequiredTtl;
  p[9] = ah ? kIpProtoAh : kIpProtoVrrp;
  std::copy(params.source.bytes().begin(), params.source.bytes().end(), p.begin() + 12);
  std::copy(params.destination.bytes().begin(), params.destination.bytes().end(), p.begin() + 16);
  std::copy(message.begin(), message.end(), p.begin() + static_cast<std::ptrdiff_t>(vrrpOffset));

  if (ah) {
    p[kIpv4HeaderSize] = kIpProtoVrrp;
    p[kIpv4HeaderSize + 1] = kAhPayloadLength;
    // keepalived's SPI is the source address, copied in network order.
    std::copy(params.source.bytes().begin(), params.source.bytes().end(),
              p.begin() + kIpv4HeaderSize + kAhSpiOffset);
    put32(p, kIpv4HeaderSize + kAhSequenceOffset, params.ahSequence);
    const AhIcv icv = computeAhIcv(p, kIpv4HeaderSize, advert.authData, params.unicast);
    std::copy(icv.begin(), icv.end(), p.begin() + kIpv4HeaderSize + kAhIcvOffset);
  }
  // The kernel rewrites this on an IP_HDRINCL socket; filled in so that the bytes are a valid packet on their own.
  put16(p, 10, wire::internetChecksum(std::span(p).first(kIpv4HeaderSize)));
  return p;
}

DecodeResult decodeAdvert(std::span<const std::uint8_t> payload, const ReceiveMeta& meta,
                          const DecodeOptions& options) {
  return decodeMessage(payload, meta, options, false);
}

DecodeResult decodeIpv4Packet(std::span<const std::uint8_t> packet, int ifindex, const DecodeOptions& options) {
  if (packet.size() < kIpv4HeaderSize) return fail(DecodeError::TooShort);
  const std::size_t ihl = std::size_t{packet[0] & 0x0fu} * 4;
  if ((packet[0] >> 4) != 4 || ihl < kIpv4HeaderSize || ihl > packet.size()) return fail(DecodeError::BadIpHeader);
  if (get16(packet, 2) != packet.size()) return fail(DecodeError::IpLengthMismatch);

  const bool ah = packet[9] == kIpProtoAh;
  if (!ah && packet[9] != kIpProtoVrrp) return fail(DecodeError::WrongProtocol);
  std::size_t vrrpOffset = ihl;
  if (ah) {
    if (packet.size() < ihl + kAhHeaderSize) return fail(DecodeError::TooShort);
    if (packet[ihl] != kIpProtoVrrp) return fail(DecodeError::WrongProtocol);
    if (packet[ihl + 1] != kAhPayloadLength) return fail(DecodeError::BadAhHeader);
    vrrpOffset += kAhHeaderSize;
  }

  ReceiveMeta meta;
  meta.source = IpAddress::fromBytes(Family::Ipv4, packet.subspan(12, 4));
  meta.destination = IpAddress::fromBytes(Family::Ipv4, packet.subspan(16, 4));
  meta.ttl = packet[8];
  meta.ifindex = ifindex;

  DecodeResult r = decodeMessage(packet.subspan(vrrpOffset), meta, options, ah);
  if (!r.ok() || !ah) return r;

  const AhIcv icv = computeAhIcv(packet, ihl, options.authData, options.unicast);
  if (!std::equal(icv.begin(), icv.end(), packet.begin() + static_cast<std::ptrdiff_t>(ihl + kAhIcvOffset)))
    return fail(DecodeError::AhIcvMismatch);
  if (!std::equal(meta.source.bytes().begin(), meta.source.bytes().end(),
                  packet.begin() + static_cast<std::ptrdiff_t>(ihl + kAhSpiOffset)))
    return fail(DecodeError::AhSpiMismatch);
  r.decoded.ahSequence = get32(packet, ihl + kAhSequenceOffset);
  return r;
}

std::string_view toString(DecodeError error) {
  switch (error) {
    case DecodeError::Ok: return "ok";
    case DecodeError::TooShort: return "too_short";
    case DecodeError::BadIpHeader: return "bad_ip_header";
    case DecodeError::IpLengthMismatch: return "ip_length_mismatch";
    case DecodeError::WrongProtocol: return "wrong_protocol";
    case DecodeError::BadTtl: return "bad_ttl";
    case DecodeError::AddressFamilyMismatch: return "address_family_mismatch";
    case DecodeError::BadVersion: return "bad_version";
    case DecodeError::BadType: return "bad_type";
    case DecodeError::Truncated: return "truncated";
    case DecodeError::Oversized: return "oversized";
    case DecodeError::BadChecksum: return "bad_checksum";
    case DecodeError::InvalidAuthType: return "invalid_auth_type";
    case DecodeError::AuthTypeMismatch: return "auth_type_mismatch";
    case DecodeError::AuthFailure: return "auth_failure";
    case DecodeError::BadAhHeader: return "bad_ah_header";
    case DecodeError::AhIcvMismatch: return "ah_icv_mismatch";
    case DecodeError::AhSpiMismatch: return "ah_spi_mismatch";
  }
  return "unknown";
}

}  // namespace tandem::vrrp
