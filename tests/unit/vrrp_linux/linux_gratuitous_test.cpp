// LinuxGratuitous: frames sent on one veth end are captured on the other, in a second private namespace.
#include "vrrp/linux/linux_gratuitous.h"

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>

#include <optional>
#include <vector>

#include "tests/unit/vrrp_linux/netns_fixture.h"
#include "vrrp/linux/linux_interfaces.h"
#include "vrrp/wire.h"

namespace tandem::vrrp {
namespace {

IpAddress ip(const char* text) { return IpAddress::parse(text).value(); }

std::vector<std::uint8_t> bytesOf(const IpAddress& a) { return {a.bytes().begin(), a.bytes().end()}; }
std::vector<std::uint8_t> bytesOf(const MacAddress& m) { return {m.begin(), m.end()}; }
std::vector<std::uint8_t> slice(const std::vector<std::uint8_t>& v, std::size_t at, std::size_t n) {
  return {v.begin() + static_cast<std::ptrdiff_t>(at), v.begin() + static_cast<std::ptrdiff_t>(at + n)};
}

class LinuxGratuitousTest : public test::NetnsFixture {
 protected:
  void SetUp() override {
    NetnsFixture::SetUp();
    if (IsSkipped()) return;
    if (const auto why = addVethPair("tva", "tvb", true); !why.empty()) GTEST_SKIP() << "needs veth: " << why;
    interfaces_.emplace(io_);
    ASSERT_TRUE(runUntil(io_, [&] { return interfaces_->find("tva")->up; }));
    // The capture socket sees everything that reaches the far end.
    inPeer([&] {
      capture_ = linux_::UniqueFd(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL)));
      ASSERT_TRUE(capture_.valid()) << std::strerror(errno);
      sockaddr_ll at{};
      at.sll_family = AF_PACKET;
      at.sll_protocol = htons(ETH_P_ALL);
      at.sll_ifindex = static_cast<int>(if_nametoindex("tvb"));
      ASSERT_EQ(::bind(capture_.get(), reinterpret_cast<sockaddr*>(&at), sizeof at), 0) << std::strerror(errno);
    });
  }

  // The first captured frame that `wanted` accepts, within a few seconds.
  std::optional<std::vector<std::uint8_t>> captureFirst(const std::function<bool(const std::vector<std::uint8_t>&)>& wanted) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{capture_.get(), POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      std::vector<std::uint8_t> frame(2048);
      const auto got = ::recv(capture_.get(), frame.data(), frame.size(), 0);
      if (got <= 0) continue;
      frame.resize(static_cast<std::size_t>(got));
      if (wanted(frame)) return frame;
    }
    return std::nullopt;
  }

  boost::asio::io_context io_;
  std::optional<LinuxInterfaces> interfaces_;
  LinuxGratuitous gratuitous_;
  linux_::UniqueFd capture_;
  std::string error_;
};

TEST_F(LinuxGratuitousTest, GratuitousArpCarriesOurMacAndTheVip) {
  const auto info = *interfaces_->find("tva");
  const auto vip = ip("10.9.0.100");
  ASSERT_TRUE(gratuitous_.announce(info, vip, error_)) << error_;
  const auto frame = captureFirst([](const auto& f) { return f.size() >= 42 && wire::get16(f, 12) == 0x0806; });
  ASSERT_TRUE(frame);
  const auto& f = *frame;
  EXPECT_EQ(slice(f, 0, 6), (std::vector<std::uint8_t>(6, 0xff)));
  EXPECT_EQ(slice(f, 6, 6), bytesOf(info.mac));
  EXPECT_EQ(wire::get16(f, 20), 1);  // request, as keepalived sends
  EXPECT_EQ(slice(f, 22, 6), bytesOf(info.mac));
  EXPECT_EQ(slice(f, 28, 4), bytesOf(vip));
  EXPECT_EQ(slice(f, 32, 6), (std::vector<std::uint8_t>(6, 0xff)));
  EXPECT_EQ(slice(f, 38, 4), bytesOf(vip));
}

TEST_F(LinuxGratuitousTest, UnsolicitedNeighbourAdvertIsValidAndOverrides) {
  const auto info = *interfaces_->find("tva");
  const auto vip = ip("2001:db8::100");
  ASSERT_TRUE(gratuitous_.announce(info, vip, error_)) << error_;
  const auto frame = captureFirst([&](const auto& f) {
    return f.size() >= 86 && wire::get16(f, 12) == 0x86dd && f[20] == 58 && f[54] == 136 && slice(f, 62, 16) == bytesOf(vip);
  });
  ASSERT_TRUE(frame);
  const auto& f = *frame;
  EXPECT_EQ(slice(f, 0, 6), (std::vector<std::uint8_t>{0x33, 0x33, 0, 0, 0, 1}));
  EXPECT_EQ(slice(f, 6, 6), bytesOf(info.mac));
  EXPECT_EQ(f[21], 255);  // hop limit
  EXPECT_EQ(slice(f, 22, 16), bytesOf(vip));
  EXPECT_EQ(slice(f, 38, 16), bytesOf(ip("ff02::1")));
  EXPECT_EQ(f[58] & 0x20, 0x20);  // Override
  EXPECT_EQ(f[58] & 0x40, 0);     // not Solicited
  EXPECT_EQ(f[78], 2);            // target link-layer address option
  EXPECT_EQ(f[79], 1);
  EXPECT_EQ(slice(f, 80, 6), bytesOf(info.mac));
  const std::uint16_t payload = wire::get16(f, 18);
  wire::ChecksumAccumulator sum;
  sum.add(std::span<const std::uint8_t>(f.data() + 22, 32));
  sum.add16(0);
  sum.add16(payload);
  sum.add16(58);
  sum.add(std::span<const std::uint8_t>(f.data() + 54, payload));
  EXPECT_EQ(sum.finish(), 0) << "ICMPv6 checksum does not verify";
}

TEST_F(LinuxGratuitousTest, AnInterfaceWithoutIndexIsRefused) {
  InterfaceInfo gone;
  gone.name = "tvz";
  EXPECT_FALSE(gratuitous_.announce(gone, ip("10.9.0.100"), error_));
  EXPECT_NE(error_.find("gratuitous ARP for 10.9.0.100 on tvz"), std::string::npos) << error_;
}

}  // namespace
}  // namespace tandem::vrrp
