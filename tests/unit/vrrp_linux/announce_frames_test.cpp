// The announcement frames, byte by byte (no root needed).
#include "vrrp/linux/announce_frames.h"

#include <gtest/gtest.h>

#include <vector>

#include "vrrp/wire.h"

namespace tandem::vrrp {
namespace {

const MacAddress kMac{0x02, 0x11, 0x22, 0x33, 0x44, 0x55};

IpAddress ip(const char* text) { return IpAddress::parse(text).value(); }

std::vector<std::uint8_t> slice(const std::vector<std::uint8_t>& v, std::size_t at, std::size_t n) {
  return {v.begin() + static_cast<std::ptrdiff_t>(at), v.begin() + static_cast<std::ptrdiff_t>(at + n)};
}

TEST(AnnounceFrames, GratuitousArpIsABroadcastRequestForTheVip) {
  const auto f = buildGratuitousArp(kMac, ip("192.0.2.10"));
  const std::vector<std::uint8_t> expected = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x06,  // Ethernet
      0x00, 0x01, 0x08, 0x00, 6,    4,    0x00, 0x01,                                      // Ethernet/IPv4, request
      0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 192,  0,    2,    10,                            // sender MAC, IP
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 192,  0,    2,    10};                           // target MAC, IP
  EXPECT_EQ(f, expected);
}

TEST(AnnounceFrames, NeighbourAdvertHeadersFlagsAndOption) {
  const auto vip = ip("2001:db8::10");
  const auto f = buildUnsolicitedNeighbourAdvert(kMac, vip, false);
  ASSERT_EQ(f.size(), kNeighbourAdvertFrameSize);
  EXPECT_EQ(slice(f, 0, 6), (std::vector<std::uint8_t>{0x33, 0x33, 0, 0, 0, 1}));
  EXPECT_EQ(slice(f, 6, 6), (std::vector<std::uint8_t>(kMac.begin(), kMac.end())));
  EXPECT_EQ(wire::get16(f, 12), 0x86dd);
  const std::size_t ipAt = 14;
  EXPECT_EQ(f[ipAt] >> 4, 6);
  EXPECT_EQ(wire::get16(f, ipAt + 4), 32);  // payload length
  EXPECT_EQ(f[ipAt + 6], 58);               // ICMPv6
  EXPECT_EQ(f[ipAt + 7], 255);              // hop limit
  EXPECT_EQ(slice(f, ipAt + 8, 16), (std::vector<std::uint8_t>(vip.bytes().begin(), vip.bytes().end())));
  const auto allNodes = ip("ff02::1");
  EXPECT_EQ(slice(f, ipAt + 24, 16), (std::vector<std::uint8_t>(allNodes.bytes().begin(), allNodes.bytes().end())));
  const std::size_t icmp = ipAt + 40;
  EXPECT_EQ(f[icmp], 136);
  EXPECT_EQ(f[icmp + 1], 0);
  EXPECT_EQ(f[icmp + 4], 0x20);  // Override only: not solicited, not a router
  EXPECT_EQ(slice(f, icmp + 8, 16), (std::vector<std::uint8_t>(vip.bytes().begin(), vip.bytes().end())));
  EXPECT_EQ(f[icmp + 24], 2);  // target link-layer address
  EXPECT_EQ(f[icmp + 25], 1);
  EXPECT_EQ(slice(f, icmp + 26, 6), (std::vector<std::uint8_t>(kMac.begin(), kMac.end())));
}

TEST(AnnounceFrames, NeighbourAdvertChecksumVerifiesAndRouterFlagFollowsForwarding) {
  const auto vip = ip("fe80::1234");
  for (const bool router : {false, true}) {
    const auto f = buildUnsolicitedNeighbourAdvert(kMac, vip, router);
    const std::span<const std::uint8_t> message(f.data() + 54, 32);
    wire::ChecksumAccumulator sum;
    sum.add(std::span<const std::uint8_t>(f.data() + 22, 32));  // source and destination
    sum.add16(0);
    sum.add16(32);
    sum.add16(58);
    sum.add(message);
    EXPECT_EQ(sum.finish(), 0) << "router=" << router;
    EXPECT_EQ(f[54 + 4], router ? 0xa0 : 0x20);
  }
}

TEST(AnnounceFrames, WrongFamilyIsRefused) {
  EXPECT_THROW(buildGratuitousArp(kMac, ip("2001:db8::1")), std::invalid_argument);
  EXPECT_THROW(buildUnsolicitedNeighbourAdvert(kMac, ip("192.0.2.1"), false), std::invalid_argument);
}

}  // namespace
}  // namespace tandem::vrrp
