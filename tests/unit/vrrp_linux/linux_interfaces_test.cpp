// LinuxInterfaces against real rtnetlink, inside a private network namespace (root only).
#include "vrrp/linux/linux_interfaces.h"

#include <net/if.h>

#include <sstream>
#include <vector>

#include "tests/unit/vrrp_linux/netns_fixture.h"

namespace tandem::vrrp {
namespace {

IpAddress ip(const char* text) { return IpAddress::parse(text).value(); }

MacAddress macOf(const std::string& text) {
  MacAddress mac{};
  std::istringstream in(text);
  for (auto& byte : mac) {
    unsigned value = 0;
    char colon = 0;
    in >> std::hex >> value;
    in >> colon;
    byte = static_cast<std::uint8_t>(value);
  }
  return mac;
}

class LinuxInterfacesTest : public test::NetnsFixture {
 protected:
  void SetUp() override {
    NetnsFixture::SetUp();
    if (IsSkipped()) return;
    if (const auto why = addVethPair("tva", "tvb", true); !why.empty()) GTEST_SKIP() << "needs veth: " << why;
  }
  boost::asio::io_context io_;
};

TEST_F(LinuxInterfacesTest, FindsByNameAndIndexWithMacFlagsAndAddresses) {
  ASSERT_TRUE(sh("ip addr add 10.9.0.1/24 dev tva"));
  ASSERT_TRUE(sh("ip addr add 10.9.0.2/24 dev tva"));  // secondary: same subnet
  ASSERT_TRUE(sh("ip addr add fe80::a/64 dev tva"));
  LinuxInterfaces interfaces(io_);

  const auto byName = interfaces.find("tva");
  ASSERT_TRUE(byName) << interfaces.lastError();
  EXPECT_EQ(byName->ifindex, static_cast<int>(if_nametoindex("tva")));
  EXPECT_EQ(byName->name, "tva");
  EXPECT_EQ(byName->mac, macOf(shOutput("ip -o link show tva | sed -n 's/.*link\\/ether \\([0-9a-f:]*\\).*/\\1/p'")));
  EXPECT_EQ(byName->primaryIpv4, ip("10.9.0.1"));
  ASSERT_TRUE(byName->linkLocalIpv6);
  EXPECT_EQ(byName->linkLocalIpv6->bytes()[0], 0xfe);

  const auto byIndex = interfaces.find(byName->ifindex);
  ASSERT_TRUE(byIndex);
  EXPECT_EQ(byIndex->name, "tva");
  EXPECT_EQ(byIndex->mac, byName->mac);

  EXPECT_FALSE(interfaces.find("nosuchif0"));
  EXPECT_NE(interfaces.lastError().find("nosuchif0"), std::string::npos) << interfaces.lastError();
  EXPECT_FALSE(interfaces.find(99999));
}

TEST_F(LinuxInterfacesTest, VirtualAddressesAreNeverThePrimary) {
  ASSERT_TRUE(sh("ip addr add 10.9.1.100/32 dev tva"));  // a VIP added first, as after a restart
  ASSERT_TRUE(sh("ip addr add 10.9.0.1/24 dev tva"));
  LinuxInterfaces plain(io_);
  EXPECT_EQ(plain.find("tva")->primaryIpv4, ip("10.9.1.100"));
  LinuxInterfaces interfaces(io_, [](const IpAddress& a) { return a == ip("10.9.1.100"); });
  EXPECT_EQ(interfaces.find("tva")->primaryIpv4, ip("10.9.0.1"));
}

TEST_F(LinuxInterfacesTest, TentativeLinkLocalIsNotUsable) {
  ASSERT_TRUE(sh("ip link add name tvc type veth peer name tvd"));
  ASSERT_TRUE(sh("ip link set tvc addrgenmode none"));
  ASSERT_TRUE(sh("sysctl -qw net.ipv6.conf.tvc.accept_dad=1"));
  ASSERT_TRUE(sh("ip link set tvd up && ip link set tvc up"));
  ASSERT_TRUE(sh("ip addr add fe80::c/64 dev tvc"));  // DAD runs: tentative for a second or more
  LinuxInterfaces interfaces(io_);
  EXPECT_FALSE(interfaces.find("tvc")->linkLocalIpv6);
  ASSERT_TRUE(sh("ip addr add fe80::d/64 dev tvc nodad"));
  EXPECT_EQ(interfaces.find("tvc")->linkLocalIpv6, ip("fe80::d"));
}

TEST_F(LinuxInterfacesTest, UpNeedsCarrier) {
  LinuxInterfaces interfaces(io_);
  ASSERT_TRUE(runUntil(io_, [&] { return interfaces.find("tva")->up; }));
  // The far end going down takes the carrier away: IFF_UP stays, IFF_RUNNING goes.
  inPeer([] { ASSERT_TRUE(sh("ip link set tvb down")); });
  EXPECT_TRUE(runUntil(io_, [&] { return !interfaces.find("tva")->up; }));
}

TEST_F(LinuxInterfacesTest, WatchReportsLinkDownUpAndAddressChanges) {
  LinuxInterfaces interfaces(io_);
  const int ifindex = interfaces.find("tva")->ifindex;
  std::vector<InterfaceInfo> seen;
  interfaces.watch([&](const InterfaceInfo& info) {
    if (info.ifindex == ifindex) seen.push_back(info);
  });

  ASSERT_TRUE(sh("ip link set tva down"));
  ASSERT_TRUE(runUntil(io_, [&] { return !seen.empty() && !seen.back().up; }));
  EXPECT_EQ(seen.back().name, "tva");

  ASSERT_TRUE(sh("ip link set tva up"));
  ASSERT_TRUE(runUntil(io_, [&] { return seen.back().up; }));

  ASSERT_TRUE(sh("ip addr add 10.9.0.7/24 dev tva"));
  ASSERT_TRUE(runUntil(io_, [&] { return seen.back().primaryIpv4 == ip("10.9.0.7"); }));

  ASSERT_TRUE(sh("ip link del tva"));
  ASSERT_TRUE(runUntil(io_, [&] { return !seen.back().up && !seen.back().primaryIpv4; }));
  EXPECT_EQ(seen.back().name, "tva");
}

}  // namespace
}  // namespace tandem::vrrp
