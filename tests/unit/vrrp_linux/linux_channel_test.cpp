// LinuxChannelFactory across a veth pair whose far end lives in a second private namespace (root only).
#include "vrrp/linux/linux_channel.h"

#include <net/if.h>

#include <memory>
#include <vector>

#include "tests/unit/vrrp_linux/netns_fixture.h"
#include "vrrp/linux/linux_interfaces.h"
#include "vrrp/packet.h"

namespace tandem::vrrp {
namespace {

IpAddress ip(const char* text) { return IpAddress::parse(text).value(); }

struct Got {
  Family family;
  std::vector<std::uint8_t> bytes;
  ReceiveMeta meta;
};

Advert advertV3(Family family, const char* vip) {
  Advert a;
  a.version = Version::V3;
  a.vrid = 51;
  a.priority = 150;
  a.advertInterval = 100;
  a.family = family;
  a.addresses = {ip(vip)};
  return a;
}

ChannelSpec multicastSpec(const char* interface, Family family) {
  ChannelSpec spec;
  spec.interface = interface;
  spec.family = family;
  spec.multicastGroup = ip(family == Family::Ipv4 ? "224.0.0.18" : "ff02::12");
  return spec;
}

// One side of the link: its own interface lookups and channel factory, in the namespace it was made in.
struct Side {
  explicit Side(boost::asio::io_context& io) : interfaces(io), factory(io, interfaces) {}
  LinuxInterfaces interfaces;
  LinuxChannelFactory factory;
};

class LinuxChannelTest : public test::NetnsFixture {
 protected:
  void SetUp() override {
    NetnsFixture::SetUp();
    if (IsSkipped()) return;
    if (const auto why = addVethPair("tva", "tvb", true); !why.empty()) GTEST_SKIP() << "needs veth: " << why;
    ASSERT_TRUE(sh("ip addr add 10.9.0.1/24 dev tva"));
    local_ = std::make_unique<Side>(io_);
    inPeer([&] {
      ASSERT_TRUE(sh("ip addr add 10.9.0.2/24 dev tvb"));
      remote_ = std::make_unique<Side>(io_);
    });
    // Both ends carry traffic only once the carrier is up on each.
    ASSERT_TRUE(runUntil(io_, [&] {
      const auto a = local_->interfaces.find("tva");
      const auto b = remote_->interfaces.find("tvb");
      return a && a->up && a->linkLocalIpv6 && b && b->up && b->linkLocalIpv6;
    }));
    remoteIfindex_ = remote_->interfaces.find("tvb")->ifindex;
  }

  // Opens on the far end (sockets belong to the namespace they are made in), recording what arrives.
  std::shared_ptr<AdvertChannel> listen(const ChannelSpec& spec, std::vector<Got>& into) {
    std::string error;
    std::shared_ptr<AdvertChannel> channel;
    inPeer([&] {
      channel = remote_->factory.open(
          spec,
          [&into](const ReceivedPacket& p) { into.push_back({p.family, {p.bytes.begin(), p.bytes.end()}, p.meta}); },
          error);
    });
    EXPECT_TRUE(channel) << error;
    return channel;
  }

  std::shared_ptr<AdvertChannel> sender(const ChannelSpec& spec) {
    std::string error;
    auto channel = local_->factory.open(spec, [](const ReceivedPacket&) {}, error);
    EXPECT_TRUE(channel) << error;
    return channel;
  }

  boost::asio::io_context io_;
  std::unique_ptr<Side> local_;
  std::unique_ptr<Side> remote_;
  int remoteIfindex_ = 0;
};

TEST_F(LinuxChannelTest, Ipv4MulticastAdvertArrivesWithItsMetadata) {
  std::vector<Got> got;
  const auto rx = listen(multicastSpec("tvb", Family::Ipv4), got);
  const auto tx = sender(multicastSpec("tva", Family::Ipv4));
  ASSERT_TRUE(rx && tx);
  const auto advert = advertV3(Family::Ipv4, "10.9.0.100");
  const auto packet = encodeIpv4Packet(advert, {.source = ip("10.9.0.1"), .destination = ip("224.0.0.18")});
  ASSERT_TRUE(tx->send(packet, ip("224.0.0.18")));

  ASSERT_TRUE(runUntil(io_, [&] { return !got.empty(); }));
  EXPECT_EQ(got[0].family, Family::Ipv4);
  EXPECT_EQ(got[0].bytes, packet);
  EXPECT_EQ(got[0].meta.ttl, 255);
  EXPECT_EQ(got[0].meta.source, ip("10.9.0.1"));
  EXPECT_EQ(got[0].meta.destination, ip("224.0.0.18"));
  EXPECT_EQ(got[0].meta.ifindex, remoteIfindex_);
  const auto decoded = decodeIpv4Packet(got[0].bytes, got[0].meta.ifindex, {});
  ASSERT_TRUE(decoded.ok()) << toString(decoded.error);
  EXPECT_EQ(decoded.decoded.advert, advert);
}

TEST_F(LinuxChannelTest, Ipv6MulticastAdvertComesFromTheLinkLocalAddressWithHopLimit255) {
  std::vector<Got> got;
  const auto rx = listen(multicastSpec("tvb", Family::Ipv6), got);
  const auto tx = sender(multicastSpec("tva", Family::Ipv6));
  ASSERT_TRUE(rx && tx);
  const auto source = *local_->interfaces.find("tva")->linkLocalIpv6;
  const auto advert = advertV3(Family::Ipv6, "2001:db8::100");
  const auto message = encodeAdvert(advert, source, ip("ff02::12"));
  ASSERT_TRUE(tx->send(message, ip("ff02::12")));

  ASSERT_TRUE(runUntil(io_, [&] { return !got.empty(); }));
  EXPECT_EQ(got[0].family, Family::Ipv6);
  EXPECT_EQ(got[0].bytes, message);
  EXPECT_EQ(got[0].meta.ttl, 255);
  EXPECT_EQ(got[0].meta.source, source);
  EXPECT_EQ(got[0].meta.destination, ip("ff02::12"));
  EXPECT_EQ(got[0].meta.ifindex, remoteIfindex_);
  const auto decoded = decodeAdvert(got[0].bytes, got[0].meta, {});
  ASSERT_TRUE(decoded.ok()) << toString(decoded.error);
  EXPECT_EQ(decoded.decoded.advert, advert);
}

TEST_F(LinuxChannelTest, Ipv6ChecksumIsTheKernelsAsInKeepalived) {
  std::vector<Got> got;
  const auto rx = listen(multicastSpec("tvb", Family::Ipv6), got);
  const auto tx = sender(multicastSpec("tva", Family::Ipv6));
  ASSERT_TRUE(rx && tx);
  const auto source = *local_->interfaces.find("tva")->linkLocalIpv6;
  const auto good = encodeAdvert(advertV3(Family::Ipv6, "2001:db8::100"), source, ip("ff02::12"));
  auto garbled = good;
  garbled[6] ^= 0x5a;  // IPV6_CHECKSUM offset 6: the kernel recomputes the field
  ASSERT_TRUE(tx->send(garbled, ip("ff02::12")));
  ASSERT_TRUE(runUntil(io_, [&] { return !got.empty(); }));
  EXPECT_EQ(got[0].bytes, good);
}

TEST_F(LinuxChannelTest, Ipv4UnicastGoesToThePeer) {
  ChannelSpec remoteSpec;
  remoteSpec.interface = "tvb";
  remoteSpec.unicastPeers = {ip("10.9.0.1")};
  remoteSpec.sourceAddress = ip("10.9.0.2");
  std::vector<Got> got;
  const auto rx = listen(remoteSpec, got);
  ChannelSpec localSpec;
  localSpec.interface = "tva";
  localSpec.unicastPeers = {ip("10.9.0.2")};
  localSpec.sourceAddress = ip("10.9.0.1");
  const auto tx = sender(localSpec);
  ASSERT_TRUE(rx && tx);
  const auto packet = encodeIpv4Packet(advertV3(Family::Ipv4, "10.9.0.100"),
                                       {.source = ip("10.9.0.1"), .destination = ip("10.9.0.2"), .unicast = true});
  ASSERT_TRUE(tx->send(packet, ip("10.9.0.2")));
  ASSERT_TRUE(runUntil(io_, [&] { return !got.empty(); }));
  EXPECT_EQ(got[0].bytes, packet);
  EXPECT_EQ(got[0].meta.source, ip("10.9.0.1"));
  EXPECT_EQ(got[0].meta.destination, ip("10.9.0.2"));
  EXPECT_EQ(got[0].meta.ifindex, remoteIfindex_);
}

TEST_F(LinuxChannelTest, AhPacketArrivesThroughTheAhSocket) {
  std::vector<Got> got;
  const auto rx = listen(multicastSpec("tvb", Family::Ipv4), got);
  const auto tx = sender(multicastSpec("tva", Family::Ipv4));
  ASSERT_TRUE(rx && tx);
  Advert advert = advertV3(Family::Ipv4, "10.9.0.100");
  advert.version = Version::V2;
  advert.advertInterval = 1;
  advert.authType = AuthType::Ah;
  advert.authData = makeAuthData("secret");
  const auto packet = encodeIpv4Packet(advert, {.source = ip("10.9.0.1"), .destination = ip("224.0.0.18")});
  ASSERT_EQ(packet[9], kIpProtoAh);
  ASSERT_TRUE(tx->send(packet, ip("224.0.0.18")));

  ASSERT_TRUE(runUntil(io_, [&] { return !got.empty(); }));
  EXPECT_EQ(got[0].bytes, packet);
  const auto decoded =
      decodeIpv4Packet(got[0].bytes, got[0].meta.ifindex, {.authType = AuthType::Ah, .authData = advert.authData});
  ASSERT_TRUE(decoded.ok()) << toString(decoded.error);
  EXPECT_EQ(decoded.decoded.ahSequence, 1U);
}

TEST_F(LinuxChannelTest, InstancesShareOneSocketSetThatClosesWithTheLastHandle) {
  std::vector<Got> first;
  std::vector<Got> second;
  auto one = listen(multicastSpec("tvb", Family::Ipv4), first);
  auto two = listen(multicastSpec("tvb", Family::Ipv4), second);
  ASSERT_TRUE(one && two);
  EXPECT_EQ(remote_->factory.openSocketSets(), 1U);
  const auto tx = sender(multicastSpec("tva", Family::Ipv4));
  const auto packet =
      encodeIpv4Packet(advertV3(Family::Ipv4, "10.9.0.100"), {.source = ip("10.9.0.1"), .destination = ip("224.0.0.18")});

  ASSERT_TRUE(tx->send(packet, ip("224.0.0.18")));
  ASSERT_TRUE(runUntil(io_, [&] { return first.size() == 1 && second.size() == 1; }));

  one.reset();  // the other instance keeps receiving
  ASSERT_TRUE(tx->send(packet, ip("224.0.0.18")));
  ASSERT_TRUE(runUntil(io_, [&] { return second.size() == 2; }));
  EXPECT_EQ(first.size(), 1U);
  EXPECT_EQ(remote_->factory.openSocketSets(), 1U);

  two.reset();
  EXPECT_EQ(remote_->factory.openSocketSets(), 0U);
}

TEST_F(LinuxChannelTest, OpenExplainsWhatIsWrong) {
  std::string error;
  EXPECT_FALSE(local_->factory.open(multicastSpec("nosuchif0", Family::Ipv4), {}, error));
  EXPECT_NE(error.find("nosuchif0"), std::string::npos) << error;

  auto wrongGroup = multicastSpec("tva", Family::Ipv4);
  wrongGroup.multicastGroup = ip("10.0.0.1");
  EXPECT_FALSE(local_->factory.open(wrongGroup, {}, error));
  EXPECT_NE(error.find("not an IPv4 multicast group"), std::string::npos) << error;

  ChannelSpec unicast;
  unicast.interface = "tva";
  unicast.unicastPeers = {ip("10.9.0.2")};
  unicast.sourceAddress = ip("10.77.0.1");  // not ours: keepalived's "src address not configured"
  EXPECT_FALSE(local_->factory.open(unicast, {}, error));
  EXPECT_NE(error.find("bind to 10.77.0.1"), std::string::npos) << error;
}

}  // namespace
}  // namespace tandem::vrrp
