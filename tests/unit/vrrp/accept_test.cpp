// Per-instance acceptance checks (the second half of RFC 5798 section 7.1), one reason per failure.
#include <gtest/gtest.h>

#include <set>

#include "tests/unit/vrrp/vrrp_test_support.h"

namespace tandem::vrrp {
namespace {

using namespace test;

struct AcceptCase {
  const char* name;
  void (*mutate)(DecodedAdvert&);
  AcceptReason expected;
};

TEST(VrrpAcceptAdvert, EachMismatchHasItsOwnReason) {
  const AcceptCase cases[] = {
      {"matching", [](DecodedAdvert&) {}, AcceptReason::Accepted},
      {"v2 on v3 instance", [](DecodedAdvert& d) { d.advert.version = Version::V2; }, AcceptReason::VersionMismatch},
      {"ipv6 on ipv4 instance", [](DecodedAdvert& d) { d.advert.family = Family::Ipv6; },
       AcceptReason::FamilyMismatch},
      {"other vrid", [](DecodedAdvert& d) { d.advert.vrid = 52; }, AcceptReason::VridMismatch},
      {"v3 interval differs: learned, not rejected", [](DecodedAdvert& d) { d.advert.advertInterval = 300; },
       AcceptReason::Accepted},
      {"fewer addresses", [](DecodedAdvert& d) { d.advert.addresses.clear(); }, AcceptReason::AddressListMismatch},
      {"more addresses", [](DecodedAdvert& d) { d.advert.addresses.push_back(ip("10.0.0.101")); },
       AcceptReason::AddressListMismatch},
      {"other address", [](DecodedAdvert& d) { d.advert.addresses = {ip("10.0.0.99")}; },
       AcceptReason::AddressListMismatch},
      {"our own source", [](DecodedAdvert& d) { d.meta.source = ip("10.0.0.1"); }, AcceptReason::FromOwnAddress},
  };
  for (const auto& c : cases) {
    DecodedAdvert d = advertFrom("10.0.0.2", 200);
    c.mutate(d);
    EXPECT_EQ(acceptAdvert(baseParams(), d), c.expected) << c.name << ": " << toString(acceptAdvert(baseParams(), d));
  }
}

TEST(VrrpAcceptAdvert, AddressOrderDoesNotMatter) {
  InstanceParams p = baseParams();
  p.virtualAddresses = {ip("10.0.0.100"), ip("10.0.0.101")};
  DecodedAdvert d = advertFrom("10.0.0.2", 200);
  d.advert.addresses = {ip("10.0.0.101"), ip("10.0.0.100")};
  EXPECT_EQ(acceptAdvert(p, d), AcceptReason::Accepted);
  d.advert.addresses = {ip("10.0.0.101"), ip("10.0.0.101")};
  EXPECT_EQ(acceptAdvert(p, d), AcceptReason::AddressListMismatch);
}

TEST(VrrpAcceptAdvert, V2RequiresTheSameInterval) {
  InstanceParams p = baseParams();
  p.version = Version::V2;
  p.advertInterval = Centiseconds{300};
  EXPECT_EQ(acceptAdvert(p, advertFrom("10.0.0.2", 200, 300, Version::V2)), AcceptReason::Accepted);
  EXPECT_EQ(acceptAdvert(p, advertFrom("10.0.0.2", 200, 100, Version::V2)), AcceptReason::IntervalMismatch);
}

TEST(VrrpAcceptAdvert, AddressCheckCanBeSkipped) {
  DecodedAdvert d = advertFrom("10.0.0.2", 200);
  d.advert.addresses.clear();
  EXPECT_EQ(acceptAdvert(baseParams(), d, false), AcceptReason::Accepted);
}

TEST(VrrpAcceptAdvert, ReasonNamesAreDistinct) {
  std::set<std::string_view> names;
  for (std::size_t r = 0; r < kAcceptReasonCount; ++r)
    EXPECT_TRUE(names.insert(toString(static_cast<AcceptReason>(r))).second) << r;
}

}  // namespace
}  // namespace tandem::vrrp
