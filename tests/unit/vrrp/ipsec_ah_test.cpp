// IPsec AH as keepalived puts it on VRRPv2 adverts. The expected ICV is computed here through OpenSSL's EVP_MAC
// interface (the codec uses HMAC()), over bytes laid out by hand.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "vrrp/ipsec_ah.h"
#include "vrrp/packet.h"

namespace tandem::vrrp {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes hmacMd5(const Bytes& key, const Bytes& data) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  char digest[] = "MD5";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  Bytes out(16);
  std::size_t length = 0;
  EXPECT_EQ(EVP_MAC_init(ctx, key.data(), key.size(), params), 1);
  EXPECT_EQ(EVP_MAC_update(ctx, data.data(), data.size()), 1);
  EXPECT_EQ(EVP_MAC_final(ctx, out.data(), &length, out.size()), 1);
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  out.resize(length);
  return out;
}

std::uint16_t referenceChecksum(const Bytes& data, std::size_t from, std::size_t length) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < length; ++i) sum += (i % 2 == 0) ? data[from + i] << 8 : data[from + i];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

void putChecksum(Bytes& b, std::size_t field, std::size_t from, std::size_t length) {
  b[field] = b[field + 1] = 0;
  const auto c = referenceChecksum(b, from, length);
  b[field] = static_cast<std::uint8_t>(c >> 8);
  b[field + 1] = static_cast<std::uint8_t>(c);
}

IpAddress ip(const char* text) { return IpAddress::parse(text).value(); }

const IpAddress kSrc = ip("192.168.1.10");
const IpAddress kGroup = ip("224.0.0.18");

Advert ahAdvert() {
  Advert a;
  a.version = Version::V2;
  a.vrid = 51;
  a.priority = 100;
  a.advertInterval = 1;
  a.addresses = {ip("192.168.1.100")};
  a.authType = AuthType::Ah;
  a.authData = makeAuthData("secret");
  return a;
}

const DecodeOptions kAhOptions{.authType = AuthType::Ah, .authData = makeAuthData("secret")};

// IP header (ID 7) + AH (seq 5) + VRRPv2 with auth type 2 and zero auth data, ICV filled as keepalived does.
Bytes expectedPacket(bool unicast) {
  Bytes p = {
      0x45, 0xc0, 0x00, 0x40, 0x00, 0x07, 0x00, 0x00, 0xff, 51,   0x00, 0x00,  // IPv4, protocol AH
      0xc0, 0xa8, 0x01, 0x0a, 0xe0, 0x00, 0x00, 0x12,                          // source, 224.0.0.18
      112,  0x04, 0x00, 0x00, 0xc0, 0xa8, 0x01, 0x0a, 0x00, 0x00, 0x00, 0x05,  // next hdr, len, SPI, seq
      0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,     // ICV
      0x21, 0x33, 0x64, 0x01, 0x02, 0x01, 0x00, 0x00, 0xc0, 0xa8, 0x01, 0x64,  // VRRPv2, auth type AH
      0,    0,    0,    0,    0,    0,    0,    0,                             // auth data stays zero
  };
  putChecksum(p, 44 + 6, 44, 20);
  Bytes forIcv = p;
  forIcv[1] = 0;  // TOS is mutable
  if (unicast) forIcv[8] = 0;
  const Bytes digest = hmacMd5({'s', 'e', 'c', 'r', 'e', 't', 0, 0}, forIcv);
  std::copy(digest.begin(), digest.begin() + 12, p.begin() + 32);
  putChecksum(p, 10, 0, 20);
  return p;
}

Ipv4PacketParams params(bool unicast = false) {
  Ipv4PacketParams p{.source = kSrc, .destination = kGroup};
  p.id = 7;
  p.ahSequence = 5;
  p.unicast = unicast;
  return p;
}

TEST(VrrpIpsecAh, ReferenceHmacMatchesRfc2202) {
  const std::string data = "what do ya want for nothing?";
  const Bytes expected = {0x75, 0x0c, 0x78, 0x3e, 0x6a, 0xb0, 0xb5, 0x03,
                          0xea, 0xa8, 0x6e, 0x31, 0x0a, 0x5d, 0xb7, 0x38};
  EXPECT_EQ(hmacMd5({'J', 'e', 'f', 'e'}, Bytes(data.begin(), data.end())), expected);
}

TEST(VrrpIpsecAh, PacketLayoutAndIcvMatchKeepalived) {
  EXPECT_EQ(encodeIpv4Packet(ahAdvert(), params()), expectedPacket(false));
}

TEST(VrrpIpsecAh, UnicastZeroesTtlInTheIcv) {
  EXPECT_EQ(encodeIpv4Packet(ahAdvert(), params(true)), expectedPacket(true));
  EXPECT_NE(expectedPacket(true), expectedPacket(false));
}

TEST(VrrpIpsecAh, DecodeVerifiesAndReportsSequence) {
  const auto r = decodeIpv4Packet(expectedPacket(false), 4, kAhOptions);
  ASSERT_TRUE(r.ok()) << toString(r.error);
  EXPECT_EQ(r.decoded.ahSequence, 5u);
  EXPECT_EQ(r.decoded.advert.authType, AuthType::Ah);
  EXPECT_EQ(r.decoded.advert.priority, 100);
  EXPECT_EQ(r.decoded.advert.authData, AuthData{});  // the key never travels
}

TEST(VrrpIpsecAh, MutableFieldsDoNotBreakTheIcv) {
  Bytes p = expectedPacket(false);
  p[1] = 0x00;  // TOS rewritten on the way
  p[6] = 0x40;  // DF set on the way
  p[10] ^= 0xff;
  EXPECT_EQ(decodeIpv4Packet(p, 1, kAhOptions).error, DecodeError::Ok);

  Bytes u = expectedPacket(true);
  u[8] = 60;  // unicast: routed, TTL decremented
  DecodeOptions unicast = kAhOptions;
  unicast.unicast = true;
  EXPECT_EQ(decodeIpv4Packet(u, 1, unicast).error, DecodeError::Ok);
}

TEST(VrrpIpsecAh, ImmutableChangesAreCaught) {
  Bytes p = expectedPacket(false);
  p[5] = 0x08;  // IP ID is covered
  EXPECT_EQ(decodeIpv4Packet(p, 1, kAhOptions).error, DecodeError::AhIcvMismatch);

  p = expectedPacket(false);
  p[44 + 2] = 200;  // priority, with a valid VRRP checksum: only the ICV can tell
  putChecksum(p, 44 + 6, 44, 20);
  EXPECT_EQ(decodeIpv4Packet(p, 1, kAhOptions).error, DecodeError::AhIcvMismatch);

  DecodeOptions wrongKey = kAhOptions;
  wrongKey.authData = makeAuthData("secreT");
  EXPECT_EQ(decodeIpv4Packet(expectedPacket(false), 1, wrongKey).error, DecodeError::AhIcvMismatch);
}

TEST(VrrpIpsecAh, SpiMustBeTheSourceAddress) {
  Bytes p = expectedPacket(false);
  p[27] = 0x0b;
  const AhIcv icv = computeAhIcv(p, 20, makeAuthData("secret"), false);
  std::copy(icv.begin(), icv.end(), p.begin() + 32);
  EXPECT_EQ(decodeIpv4Packet(p, 1, kAhOptions).error, DecodeError::AhSpiMismatch);
}

TEST(VrrpIpsecAh, HeaderChecks) {
  Bytes p = expectedPacket(false);
  p[21] = 5;
  EXPECT_EQ(decodeIpv4Packet(p, 1, kAhOptions).error, DecodeError::BadAhHeader);
  p = expectedPacket(false);
  p[20] = 17;
  EXPECT_EQ(decodeIpv4Packet(p, 1, kAhOptions).error, DecodeError::WrongProtocol);
  p = expectedPacket(false);
  p.resize(40);
  p[3] = 40;
  EXPECT_EQ(decodeIpv4Packet(p, 1, kAhOptions).error, DecodeError::TooShort);
  // An AH packet where PASS is configured, and a plain packet where AH is configured.
  EXPECT_EQ(decodeIpv4Packet(expectedPacket(false), 1, {.authType = AuthType::Pass}).error,
            DecodeError::AuthTypeMismatch);
  Advert plain = ahAdvert();
  plain.authType = AuthType::None;
  EXPECT_EQ(decodeIpv4Packet(encodeIpv4Packet(plain, params()), 1, kAhOptions).error,
            DecodeError::AuthTypeMismatch);
}

}  // namespace
}  // namespace tandem::vrrp
