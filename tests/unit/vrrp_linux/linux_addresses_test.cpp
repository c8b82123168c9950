// LinuxAddresses against real rtnetlink inside a private network namespace (root only).
#include "vrrp/linux/linux_addresses.h"

#include <linux/rtnetlink.h>

#include "tests/unit/vrrp_linux/netns_fixture.h"

namespace tandem::vrrp {
namespace {

IpAddress ip(const char* text) { return IpAddress::parse(text).value(); }

VirtualAddress vip(const char* address) {
  VirtualAddress v;
  v.address = ip(address);
  return v;
}

class LinuxAddressesTest : public test::NetnsFixture {
 protected:
  void SetUp() override {
    NetnsFixture::SetUp();
    if (IsSkipped()) return;
    if (const auto why = addVethPair("tva", "tvb", false); !why.empty()) GTEST_SKIP() << "needs veth: " << why;
    addresses_.emplace();  // only now: its netlink socket must belong to the private namespace
  }
  static std::string shown(const std::string& args) { return shOutput("ip -o " + args); }
  std::optional<LinuxAddresses> addresses_;
  std::string error_;
};

TEST_F(LinuxAddressesTest, Ipv4WithPrefixBroadcastLabelAndScope) {
  auto v = vip("10.9.0.100");
  v.prefixLength = 24;
  v.broadcast = ip("10.9.0.255");
  v.label = "tva:vip";
  ASSERT_TRUE(addresses_->add(v, "tva", error_)) << error_;
  EXPECT_NE(shown("-4 addr show dev tva").find("inet 10.9.0.100/24 brd 10.9.0.255 scope global tva:vip"),
            std::string::npos)
      << shown("-4 addr show dev tva");
  EXPECT_TRUE(addresses_->present(v, "tva"));

  auto linkScoped = vip("10.9.0.101");
  linkScoped.scope = "link";
  ASSERT_TRUE(addresses_->add(linkScoped, "tva", error_)) << error_;
  EXPECT_NE(shown("-4 addr show dev tva").find("inet 10.9.0.101/32 scope link"), std::string::npos);
}

TEST_F(LinuxAddressesTest, AddAndRemoveAreIdempotent) {
  const auto v = vip("10.9.0.100");
  ASSERT_TRUE(addresses_->add(v, "tva", error_)) << error_;
  EXPECT_TRUE(addresses_->add(v, "tva", error_)) << error_;
  EXPECT_TRUE(addresses_->present(v, "tva"));
  ASSERT_TRUE(addresses_->remove(v, "tva", error_)) << error_;
  EXPECT_FALSE(addresses_->present(v, "tva"));
  EXPECT_EQ(shown("-4 addr show dev tva").find("10.9.0.100"), std::string::npos);
  EXPECT_TRUE(addresses_->remove(v, "tva", error_)) << error_;
}

TEST_F(LinuxAddressesTest, Ipv6VipIsUsableAtOnceAndNeverAPreferredSource) {
  // DAD back on for this device, so that "nodad" is what keeps the address from being tentative.
  ASSERT_TRUE(sh("sysctl -qw net.ipv6.conf.tva.accept_dad=1"));
  const auto v = vip("2001:db8::100");
  ASSERT_TRUE(addresses_->add(v, "tva", error_)) << error_;
  const auto text = shown("-6 addr show dev tva");
  EXPECT_NE(text.find("inet6 2001:db8::100/128 scope global nodad"), std::string::npos) << text;
  EXPECT_EQ(text.find("tentative"), std::string::npos) << text;
  EXPECT_NE(text.find("preferred_lft 0sec"), std::string::npos) << text;
  EXPECT_TRUE(addresses_->present(v, "tva"));
  EXPECT_TRUE(addresses_->add(v, "tva", error_)) << error_;

  auto wide = vip("2001:db8:1::100");
  wide.prefixLength = 64;
  ASSERT_TRUE(addresses_->add(wide, "tva", error_)) << error_;
  EXPECT_NE(shown("-6 addr show dev tva").find("2001:db8:1::100/64 scope global nodad \\       valid_lft forever preferred_lft forever"),
            std::string::npos)
      << shown("-6 addr show dev tva");

  ASSERT_TRUE(addresses_->remove(v, "tva", error_)) << error_;
  EXPECT_FALSE(addresses_->present(v, "tva"));
  EXPECT_TRUE(addresses_->remove(v, "tva", error_)) << error_;
}

TEST_F(LinuxAddressesTest, DeviceOfTheVipWinsOverTheInstanceInterface) {
  auto v = vip("10.9.0.50");
  v.device = "tvb";
  ASSERT_TRUE(addresses_->add(v, "tva", error_)) << error_;
  EXPECT_NE(shown("-4 addr show dev tvb").find("10.9.0.50/32"), std::string::npos);
  EXPECT_TRUE(addresses_->present(v, "tva"));
  EXPECT_FALSE(addresses_->present(vip("10.9.0.50"), "tva"));
}

TEST_F(LinuxAddressesTest, ErrorsNameTheAddressAndTheReason) {
  EXPECT_FALSE(addresses_->add(vip("10.9.0.100"), "nosuchif0", error_));
  EXPECT_NE(error_.find("device nosuchif0 does not exist"), std::string::npos) << error_;
  EXPECT_TRUE(addresses_->remove(vip("10.9.0.100"), "nosuchif0", error_));
  EXPECT_FALSE(addresses_->present(vip("10.9.0.100"), "nosuchif0"));

  auto badScope = vip("10.9.0.100");
  badScope.scope = "galaxy";
  EXPECT_FALSE(addresses_->add(badScope, "tva", error_));
  EXPECT_NE(error_.find("adding 10.9.0.100/32 dev tva: unknown scope 'galaxy'"), std::string::npos) << error_;

  auto longLabel = vip("10.9.0.100");
  longLabel.label = "tva:much-too-long-label";
  EXPECT_FALSE(addresses_->add(longLabel, "tva", error_));
  EXPECT_NE(error_.find("label"), std::string::npos) << error_;

  auto badPrefix = vip("10.9.0.100");
  badPrefix.prefixLength = 33;
  EXPECT_FALSE(addresses_->add(badPrefix, "tva", error_));
  EXPECT_NE(error_.find("prefix length 33"), std::string::npos) << error_;
}

TEST(AddressScope, KeepalivedWordsAndNumbers) {
  EXPECT_EQ(parseAddressScope(""), RT_SCOPE_UNIVERSE);
  EXPECT_EQ(parseAddressScope("global"), RT_SCOPE_UNIVERSE);
  EXPECT_EQ(parseAddressScope("site"), RT_SCOPE_SITE);
  EXPECT_EQ(parseAddressScope("link"), RT_SCOPE_LINK);
  EXPECT_EQ(parseAddressScope("host"), RT_SCOPE_HOST);
  EXPECT_EQ(parseAddressScope("nowhere"), RT_SCOPE_NOWHERE);
  EXPECT_EQ(parseAddressScope("42"), 42);
  EXPECT_FALSE(parseAddressScope("256"));
  EXPECT_FALSE(parseAddressScope("4x"));
  EXPECT_FALSE(parseAddressScope("planet"));
}

}  // namespace
}  // namespace tandem::vrrp
