// Golden bytes for the VRRP codec. Expected checksums were worked out by hand and are re-derived here with an
// independent RFC 1071 implementation, so a wrong literal and a wrong codec cannot agree by accident.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string_view>
#include <vector>

#include "vrrp/packet.h"

namespace tandem::vrrp {
namespace {

using Bytes = std::vector<std::uint8_t>;

// RFC 1071, byte at a time: deliberately not the codec's word-wise accumulator.
std::uint16_t referenceChecksum(const Bytes& data) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < data.size(); ++i) sum += (i % 2 == 0) ? data[i] << 8 : data[i];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

IpAddress ip(const char* text) { return IpAddress::parse(text).value(); }
Bytes raw(const IpAddress& a) { return Bytes(a.bytes().begin(), a.bytes().end()); }

const IpAddress kSrc4 = ip("192.168.1.10");
const IpAddress kGroup4 = ip("224.0.0.18");
const IpAddress kVip4 = ip("192.168.1.100");
const IpAddress kSrc6 = ip("fe80::1");
const IpAddress kGroup6 = ip("ff02::12");
const IpAddress kVip6 = ip("2001:db8::100");

Advert v2Advert(AuthType auth = AuthType::None, const char* pass = "") {
  Advert a;
  a.version = Version::V2;
  a.vrid = 51;
  a.priority = 100;
  a.advertInterval = 1;
  a.addresses = {kVip4};
  a.authType = auth;
  a.authData = makeAuthData(pass);
  return a;
}

Advert v3Advert4() {
  Advert a;
  a.version = Version::V3;
  a.vrid = 51;
  a.priority = 100;
  a.advertInterval = 100;
  a.addresses = {kVip4};
  return a;
}

Advert v3Advert6() {
  Advert a;
  a.version = Version::V3;
  a.family = Family::Ipv6;
  a.vrid = 7;
  a.priority = 200;
  a.advertInterval = 50;
  a.addresses = {kVip6};
  return a;
}

ReceiveMeta meta4() { return {kSrc4, kGroup4, 255, 2}; }
ReceiveMeta meta6() { return {kSrc6, kGroup6, 255, 2}; }

TEST(VrrpPacketGolden, V2WithoutAuthentication) {
  const Bytes expected = {0x21, 0x33, 0x64, 0x01, 0x00, 0x01, 0xb8, 0xbd, 0xc0, 0xa8, 0x01, 0x64,
                          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(referenceChecksum(expected), 0);
  EXPECT_EQ(encodeAdvert(v2Advert(), kSrc4, kGroup4), expected);
}

TEST(VrrpPacketGolden, V2SimplePasswordIsZeroPaddedAfterAddresses) {
  const Bytes expected = {0x21, 0x33, 0x64, 0x01, 0x01, 0x01, 0x7b, 0x71, 0xc0, 0xa8, 0x01, 0x64,
                          's',  'e',  'c',  'r',  'e',  't',  0x00, 0x00};
  EXPECT_EQ(referenceChecksum(expected), 0);
  EXPECT_EQ(encodeAdvert(v2Advert(AuthType::Pass, "secret"), kSrc4, kGroup4), expected);
}

TEST(VrrpPacketGolden, V2PasswordLongerThanEightBytesIsTruncatedLikeKeepalived) {
  EXPECT_EQ(makeAuthData("0123456789"), (AuthData{'0', '1', '2', '3', '4', '5', '6', '7'}));
}

TEST(VrrpPacketGolden, V3Ipv4ChecksumCoversPseudoHeader) {
  const Bytes message = {0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0x06, 0x19, 0xc0, 0xa8, 0x01, 0x64};
  const Bytes pseudo = concat({raw(kSrc4), raw(kGroup4), {0x00, 112, 0x00, 12}});
  EXPECT_EQ(referenceChecksum(concat({pseudo, message})), 0);
  EXPECT_EQ(encodeAdvert(v3Advert4(), kSrc4, kGroup4), message);
}

TEST(VrrpPacketGolden, V3Ipv4ChecksumAsV2LeavesPseudoHeaderOut) {
  const Bytes message = {0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0xa8, 0x5a, 0xc0, 0xa8, 0x01, 0x64};
  EXPECT_EQ(referenceChecksum(message), 0);
  EXPECT_EQ(encodeAdvert(v3Advert4(), kSrc4, kGroup4, {.v3ChecksumAsV2 = true}), message);
}

TEST(VrrpPacketGolden, V3Ipv6ChecksumCoversIpv6PseudoHeader) {
  const Bytes message = concat({{0x31, 0x07, 0xc8, 0x01, 0x00, 0x32, 0xd9, 0xec}, raw(kVip6)});
  const Bytes pseudo = concat({raw(kSrc6), raw(kGroup6), {0, 0, 0, 24}, {0, 0, 0, 112}});
  EXPECT_EQ(referenceChecksum(concat({pseudo, message})), 0);
  EXPECT_EQ(encodeAdvert(v3Advert6(), kSrc6, kGroup6), message);
}

TEST(VrrpPacketGolden, V3IntervalUsesTwelveBitsWithReservedBitsZero) {
  Advert a = v3Advert4();
  a.advertInterval = 4095;
  const Bytes m = encodeAdvert(a, kSrc4, kGroup4);
  EXPECT_EQ(m[4], 0x0f);
  EXPECT_EQ(m[5], 0xff);
}

TEST(VrrpPacketGolden, Ipv4PacketHeaderMatchesKeepalived) {
  Ipv4PacketParams params{.source = kSrc4, .destination = kGroup4};
  const Bytes header = {0x45, 0xc0, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0xff, 112, 0x18, 0xe0,
                        0xc0, 0xa8, 0x01, 0x0a, 0xe0, 0x00, 0x00, 0x12};
  EXPECT_EQ(referenceChecksum(header), 0);
  EXPECT_EQ(encodeIpv4Packet(v2Advert(), params), concat({header, encodeAdvert(v2Advert(), kSrc4, kGroup4)}));
}

TEST(VrrpPacketGolden, EncodeRejectsUnrepresentableAdverts) {
  Advert a = v2Advert();
  a.advertInterval = 256;
  EXPECT_THROW(encodeAdvert(a, kSrc4, kGroup4), std::invalid_argument);
  a = v3Advert4();
  a.advertInterval = 4096;
  EXPECT_THROW(encodeAdvert(a, kSrc4, kGroup4), std::invalid_argument);
  a = v3Advert4();
  a.addresses.push_back(kVip6);
  EXPECT_THROW(encodeAdvert(a, kSrc4, kGroup4), std::invalid_argument);
  a = v3Advert4();
  a.authType = AuthType::Pass;
  EXPECT_THROW(encodeAdvert(a, kSrc4, kGroup4), std::invalid_argument);
  EXPECT_THROW(encodeAdvert(v3Advert4(), kSrc6, kGroup6), std::invalid_argument);
}

TEST(VrrpPacketRoundTrip, V2PassThroughIpv4Packet) {
  const Advert a = v2Advert(AuthType::Pass, "secret");
  const auto r = decodeIpv4Packet(encodeIpv4Packet(a, {.source = kSrc4, .destination = kGroup4}), 3,
                                  {.authType = AuthType::Pass, .authData = makeAuthData("secret")});
  ASSERT_TRUE(r.ok()) << toString(r.error);
  EXPECT_EQ(r.decoded.advert, a);
  EXPECT_EQ(r.decoded.meta.source, kSrc4);
  EXPECT_EQ(r.decoded.meta.destination, kGroup4);
  EXPECT_EQ(r.decoded.meta.ifindex, 3);
  EXPECT_FALSE(r.decoded.ahSequence);
}

TEST(VrrpPacketRoundTrip, V3Ipv4BothChecksumFlavours) {
  Advert a = v3Advert4();
  a.addresses = {kVip4, ip("10.0.0.1"), ip("10.0.0.2")};
  for (bool asV2 : {false, true}) {
    const auto r = decodeAdvert(encodeAdvert(a, kSrc4, kGroup4, {.v3ChecksumAsV2 = asV2}), meta4(),
                                {.v3ChecksumAsV2 = asV2});
    ASSERT_TRUE(r.ok()) << toString(r.error);
    EXPECT_EQ(r.decoded.advert, a);
    // The other flavour must not verify: that is what makes the option necessary.
    EXPECT_EQ(decodeAdvert(encodeAdvert(a, kSrc4, kGroup4, {.v3ChecksumAsV2 = asV2}), meta4(),
                           {.v3ChecksumAsV2 = !asV2})
                  .error,
              DecodeError::BadChecksum);
  }
}

TEST(VrrpPacketRoundTrip, V3Ipv6) {
  const Advert a = v3Advert6();
  const auto r = decodeAdvert(encodeAdvert(a, kSrc6, kGroup6), meta6(), {});
  ASSERT_TRUE(r.ok()) << toString(r.error);
  EXPECT_EQ(r.decoded.advert, a);
}

TEST(VrrpPacketRoundTrip, V2OverIpv6HasNoAuthFieldAsInKeepalived) {
  Advert a = v3Advert6();
  a.version = Version::V2;
  a.advertInterval = 1;
  const Bytes m = encodeAdvert(a, kSrc6, kGroup6);
  EXPECT_EQ(m.size(), 8u + 16u);
  const auto r = decodeAdvert(m, meta6(), {});
  ASSERT_TRUE(r.ok()) << toString(r.error);
  EXPECT_EQ(r.decoded.advert, a);
}

TEST(VrrpPacketRoundTrip, NoVirtualAddresses) {
  Advert a = v3Advert4();
  a.addresses.clear();
  const auto r = decodeAdvert(encodeAdvert(a, kSrc4, kGroup4), meta4(), {});
  ASSERT_TRUE(r.ok()) << toString(r.error);
  EXPECT_TRUE(r.decoded.advert.addresses.empty());
}

// Rewrites the VRRP checksum after a deliberate corruption, so that the check under test is the one that fires.
Bytes withV2Checksum(Bytes m) {
  m[6] = m[7] = 0;
  const std::uint16_t c = referenceChecksum(m);
  m[6] = static_cast<std::uint8_t>(c >> 8);
  m[7] = static_cast<std::uint8_t>(c);
  return m;
}

struct DecodeCase {
  const char* name;
  Bytes message;
  ReceiveMeta meta;
  DecodeOptions options;
  DecodeError expected;
};

std::vector<DecodeCase> decodeCases() {
  const Bytes good = encodeAdvert(v2Advert(), kSrc4, kGroup4);
  const Bytes pass = encodeAdvert(v2Advert(AuthType::Pass, "secret"), kSrc4, kGroup4);
  const DecodeOptions passOptions{.authType = AuthType::Pass, .authData = makeAuthData("secret")};
  auto mutate = [&](Bytes b, std::size_t at, std::uint8_t v) {
    b[at] = v;
    return withV2Checksum(b);
  };
  Bytes badChecksum = good;
  badChecksum[7] ^= 0x01;
  Bytes longer = good;
  longer.push_back(0);
  Bytes shorter = good;
  shorter.pop_back();
  ReceiveMeta ttl254 = meta4();
  ttl254.ttl = 254;
  ReceiveMeta mixed = meta4();
  mixed.destination = kGroup6;
  return {
      {"ok", good, meta4(), {}, DecodeError::Ok},
      {"ttl", good, ttl254, {}, DecodeError::BadTtl},
      {"ttl_ignored_for_unicast", good, ttl254, {.unicast = true}, DecodeError::Ok},
      {"family", good, mixed, {}, DecodeError::AddressFamilyMismatch},
      {"too_short", Bytes(good.begin(), good.begin() + 7), meta4(), {}, DecodeError::TooShort},
      {"version_1", mutate(good, 0, 0x11), meta4(), {}, DecodeError::BadVersion},
      {"version_4", mutate(good, 0, 0x41), meta4(), {}, DecodeError::BadVersion},
      {"type_2", mutate(good, 0, 0x22), meta4(), {}, DecodeError::BadType},
      {"truncated", shorter, meta4(), {}, DecodeError::Truncated},
      {"count_too_high", mutate(good, 3, 2), meta4(), {}, DecodeError::Truncated},
      {"oversized", longer, meta4(), {}, DecodeError::Oversized},
      {"count_too_low", mutate(good, 3, 0), meta4(), {}, DecodeError::Oversized},
      {"checksum", badChecksum, meta4(), {}, DecodeError::BadChecksum},
      {"auth_type_3", mutate(good, 4, 3), meta4(), {}, DecodeError::InvalidAuthType},
      {"auth_expected_pass", good, meta4(), passOptions, DecodeError::AuthTypeMismatch},
      {"auth_unexpected_pass", pass, meta4(), {}, DecodeError::AuthTypeMismatch},
      {"auth_ah_without_ah_header", mutate(good, 4, 2), meta4(), {.authType = AuthType::Ah},
       DecodeError::AuthTypeMismatch},
      {"pass_ok", pass, meta4(), passOptions, DecodeError::Ok},
      {"pass_wrong", pass, meta4(), {.authType = AuthType::Pass, .authData = makeAuthData("secreT")},
       DecodeError::AuthFailure},
  };
}

TEST(VrrpPacketDecodeErrors, EachCheckHasItsOwnReason) {
  for (const auto& c : decodeCases()) {
    EXPECT_EQ(decodeAdvert(c.message, c.meta, c.options).error, c.expected)
        << c.name << ": got " << toString(decodeAdvert(c.message, c.meta, c.options).error);
  }
}

TEST(VrrpPacketDecodeErrors, Ipv6HopLimitAndChecksum) {
  Bytes m = encodeAdvert(v3Advert6(), kSrc6, kGroup6);
  ReceiveMeta hop = meta6();
  hop.ttl = 1;
  EXPECT_EQ(decodeAdvert(m, hop, {}).error, DecodeError::BadTtl);
  ReceiveMeta otherSource = meta6();
  otherSource.source = ip("fe80::2");  // the pseudo-header must be covered
  EXPECT_EQ(decodeAdvert(m, otherSource, {}).error, DecodeError::BadChecksum);
  m.resize(m.size() - 4);
  EXPECT_EQ(decodeAdvert(m, meta6(), {}).error, DecodeError::Truncated);
}

TEST(VrrpPacketDecodeErrors, Ipv4PacketLevelChecks) {
  const Bytes good = encodeIpv4Packet(v2Advert(), {.source = kSrc4, .destination = kGroup4});
  ASSERT_TRUE(decodeIpv4Packet(good, 1, {}).ok());

  EXPECT_EQ(decodeIpv4Packet(Bytes(good.begin(), good.begin() + 19), 1, {}).error, DecodeError::TooShort);
  Bytes b = good;
  b[0] = 0x65;
  EXPECT_EQ(decodeIpv4Packet(b, 1, {}).error, DecodeError::BadIpHeader);
  b = good;
  b[0] = 0x44;
  EXPECT_EQ(decodeIpv4Packet(b, 1, {}).error, DecodeError::BadIpHeader);
  b = good;
  b[3] = 0x29;
  EXPECT_EQ(decodeIpv4Packet(b, 1, {}).error, DecodeError::IpLengthMismatch);
  b = good;
  b[9] = 17;
  EXPECT_EQ(decodeIpv4Packet(b, 1, {}).error, DecodeError::WrongProtocol);
  b = good;
  b[8] = 64;
  EXPECT_EQ(decodeIpv4Packet(b, 1, {}).error, DecodeError::BadTtl);
  // A v3 checksum depends on the IP header's addresses, so a changed destination must be caught.
  b = encodeIpv4Packet(v3Advert4(), {.source = kSrc4, .destination = kGroup4});
  ASSERT_TRUE(decodeIpv4Packet(b, 1, {}).ok());
  b[19] = 0x13;
  EXPECT_EQ(decodeIpv4Packet(b, 1, {}).error, DecodeError::BadChecksum);
}

TEST(VrrpPacketDecodeErrors, Ipv4HeaderWithOptionsIsSkipped) {
  const Bytes plain = encodeIpv4Packet(v2Advert(), {.source = kSrc4, .destination = kGroup4});
  Bytes withOptions(plain.begin(), plain.begin() + 20);
  withOptions.insert(withOptions.end(), {0x94, 0x04, 0x00, 0x00});  // router alert
  withOptions.insert(withOptions.end(), plain.begin() + 20, plain.end());
  withOptions[0] = 0x46;
  withOptions[3] = static_cast<std::uint8_t>(withOptions.size());
  const auto r = decodeIpv4Packet(withOptions, 1, {});
  ASSERT_TRUE(r.ok()) << toString(r.error);
  EXPECT_EQ(r.decoded.advert, v2Advert());
}

TEST(VrrpPacketDecodeErrors, EveryReasonHasADistinctName) {
  std::set<std::string_view> names;
  for (std::size_t e = 0; e < kDecodeErrorCount; ++e)
    EXPECT_TRUE(names.insert(toString(static_cast<DecodeError>(e))).second) << e;
  EXPECT_EQ(toString(DecodeError::BadTtl), "bad_ttl");
}

}  // namespace
}  // namespace tandem::vrrp
