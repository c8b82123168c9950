#include "diagnose/adverts.h"

#include "tests/unit/diagnose/diagnose_test_util.h"

namespace tandem::diagnose {
namespace {

using namespace testing;

struct Sent {
  const char* source = "192.0.2.12";
  std::uint8_t vrid = 51;
  std::uint8_t priority = 150;
  vrrp::Version version = vrrp::Version::V2;
  std::vector<const char*> vips = {"192.0.2.100"};
  vrrp::AuthType auth = vrrp::AuthType::None;
  const char* password = "";
  const char* destination = "224.0.0.18";
};

// The bytes a raw socket on eth0 returns for an advert sent as keepalived sends it.
HeardPacket wire(const Sent& s) {
  vrrp::Advert a;
  a.version = s.version;
  a.vrid = s.vrid;
  a.priority = s.priority;
  a.advertInterval = s.version == vrrp::Version::V2 ? 1 : 100;
  for (const char* v : s.vips) a.addresses.push_back(ip(v));
  a.authType = s.auth;
  a.authData = vrrp::makeAuthData(s.password);
  vrrp::Ipv4PacketParams p;
  p.source = ip(s.source);
  p.destination = ip(s.destination);
  return {"eth0", vrrp::Family::Ipv4, vrrp::encodeIpv4Packet(a, p), {}};
}

ListenResult heard(std::vector<HeardPacket> packets) {
  ListenResult result;
  result.seconds = 3;
  result.packets = std::move(packets);
  return result;
}

std::vector<Finding> check(const Plan& plan, const ListenResult& result, const InterfaceSnapshot& host = healthyHost()) {
  return checkAdverts(plan, result, collectRouters(result, host), host);
}

TEST(DiagnoseAdverts, DecodesWhateverTheAuthentication) {
  std::string error;
  auto r = decodeHeard(wire({}), error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->advert.vrid, 51);
  EXPECT_EQ(r->advert.priority, 150);
  EXPECT_EQ(r->source, ip("192.0.2.12"));
  r = decodeHeard(wire({.auth = vrrp::AuthType::Pass, .password = "secret"}), error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->advert.authType, vrrp::AuthType::Pass);
  EXPECT_EQ(r->advert.authData, vrrp::makeAuthData("secret"));
  r = decodeHeard(wire({.auth = vrrp::AuthType::Ah, .password = "key"}), error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->advert.authType, vrrp::AuthType::Ah);
  EXPECT_TRUE(r->ahUnverified);
  auto broken = wire({});
  broken.bytes.back() ^= 0xff;
  EXPECT_FALSE(decodeHeard(broken, error));
  EXPECT_EQ(error, "bad_checksum");
}

TEST(DiagnoseAdverts, MatchingPeerIsOkAndReported) {
  const auto findings = check(planOf(kPairConfig), heard({wire({}), wire({})}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::Ok);
  EXPECT_EQ(findings[0].reason, "peer router 192.0.2.12 (VRID 51 priority 150 VRRPv2 interval 1s auth none, 2 adverts) heard");
}

TEST(DiagnoseAdverts, NoMasterHeardFailsUnlessThisNodeHoldsTheVips) {
  auto findings = check(planOf(kPairConfig), heard({}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::Fail);
  EXPECT_TRUE(mentions(findings[0], "no master heard in 3.0s"));
  auto master = healthyHost();
  master["eth0"].addresses.push_back({ip("192.0.2.100"), 24});
  findings = check(planOf(kPairConfig), heard({}), master);
  EXPECT_EQ(findings.at(0).severity, Severity::Ok);
  // Our own adverts looped back do not count as a peer.
  findings = check(planOf(kPairConfig), heard({wire({.source = "192.0.2.11"})}));
  EXPECT_EQ(findings.at(0).severity, Severity::Fail);
}

TEST(DiagnoseAdverts, VridClashWithOtherAddressesFails) {
  const auto findings = check(planOf(kPairConfig), heard({wire({.source = "192.0.2.66", .vips = {"192.0.2.200"}})}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::Fail);
  EXPECT_TRUE(mentions(findings[0], "VRID clash: router 192.0.2.66"));
  EXPECT_TRUE(mentions(findings[0], "{192.0.2.200}"));
}

TEST(DiagnoseAdverts, VridClashWithARouterNotAmongTheUnicastPeersFails) {
  const Plan plan = planOf(R"(
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  unicast_peer {
    192.0.2.12
  }
  virtual_ipaddress {
    192.0.2.100
  }
}
)");
  auto findings = check(plan, heard({wire({.source = "192.0.2.12", .destination = "192.0.2.11"})}));
  EXPECT_EQ(findings.at(0).severity, Severity::Ok) << findings[0].reason;
  findings = check(plan, heard({wire({.source = "192.0.2.66"})}));
  EXPECT_EQ(findings.at(0).severity, Severity::Fail);
  EXPECT_TRUE(mentions(findings[0], "is not a unicast_peer"));
}

TEST(DiagnoseAdverts, SamePriorityWarnsAndTwoOwnersFail) {
  auto findings = check(planOf(kPairConfig), heard({wire({.priority = 100})}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::Warn);
  EXPECT_TRUE(mentions(findings[0], "priority 100"));
  std::string owner = kPairConfig;
  owner.replace(owner.find("priority 100"), 12, "priority 255");
  owner.replace(owner.find("state BACKUP"), 12, "state MASTER");
  findings = check(planOf(owner), heard({wire({.priority = 255})}));
  EXPECT_EQ(findings.at(0).severity, Severity::Fail);
}

TEST(DiagnoseAdverts, VersionAndAuthenticationMismatchesFail) {
  auto findings = check(planOf(kPairConfig), heard({wire({.version = vrrp::Version::V3})}));
  EXPECT_EQ(withSeverity(findings, Severity::Fail).size(), 1u);
  EXPECT_TRUE(mentions(findings.at(0), "speaks VRRPv3"));
  findings = check(planOf(kPairConfig), heard({wire({.auth = vrrp::AuthType::Pass, .password = "x"})}));
  EXPECT_TRUE(mentions(withSeverity(findings, Severity::Fail).at(0), "authenticates differently (PASS)"));
}

TEST(DiagnoseAdverts, OtherVridsAreReportedAndListenErrorsWarn) {
  auto result = heard({wire({}), wire({.source = "192.0.2.77", .vrid = 9, .vips = {"192.0.2.9"}})});
  auto findings = check(planOf(kPairConfig), result);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[1].severity, Severity::Ok);
  EXPECT_TRUE(mentions(findings[1], "router 192.0.2.77 heard (VRID 9"));
  result.errors["eth0"] = "socket: Operation not permitted";
  findings = check(planOf(kPairConfig), result);
  EXPECT_EQ(findings.at(0).severity, Severity::Warn);
}

std::vector<std::uint8_t> ethernet(std::uint16_t type, const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> f = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x12, 0x02, 0, 0, 0, 0, 0x0c,
                                 static_cast<std::uint8_t>(type >> 8), static_cast<std::uint8_t>(type)};
  f.insert(f.end(), payload.begin(), payload.end());
  if (f.size() < 60) f.resize(60, 0);  // Ethernet padding, as a short advert arrives
  return f;
}

TEST(DiagnoseAdverts, FramesFromTheWireBecomePackets) {
  const HeardPacket sent = wire({});
  auto packet = packetFromFrame("eth0", ethernet(0x0800, sent.bytes));
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->bytes, sent.bytes);  // the padding is gone
  std::string error;
  EXPECT_TRUE(decodeHeard(*packet, error)) << error;
  // IPv6: the VRRP message and the header's addresses and hop limit.
  vrrp::Advert a;
  a.family = vrrp::Family::Ipv6;
  a.vrid = 52;
  a.addresses = {ip("2001:db8::100")};
  const auto source = ip("fe80::12"), group = ip("ff02::12");
  const auto message = vrrp::encodeAdvert(a, source, group);
  std::vector<std::uint8_t> header = {0x60, 0, 0, 0, 0, static_cast<std::uint8_t>(message.size()), 112, 255};
  header.insert(header.end(), source.bytes().begin(), source.bytes().end());
  header.insert(header.end(), group.bytes().begin(), group.bytes().end());
  header.insert(header.end(), message.begin(), message.end());
  packet = packetFromFrame("eth0", ethernet(0x86dd, header));
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->meta.source, source);
  EXPECT_EQ(packet->meta.ttl, 255);
  const auto router = decodeHeard(*packet, error);
  ASSERT_TRUE(router) << error;
  EXPECT_EQ(router->advert.vrid, 52);
  // Not VRRP: an ARP frame, a UDP packet.
  EXPECT_FALSE(packetFromFrame("eth0", ethernet(0x0806, std::vector<std::uint8_t>(28, 0))));
  auto udp = sent.bytes;
  udp[9] = 17;
  EXPECT_FALSE(packetFromFrame("eth0", ethernet(0x0800, udp)));
}

TEST(DiagnoseAdverts, AdvertsOnTheWireThatTheHostDropsAreNamed) {
  ListenResult result = heard({});
  result.wire = {wire({})};
  auto findings = check(planOf(kPairConfig), result);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::Fail);
  EXPECT_TRUE(mentions(findings[0], "reach eth0 but are not delivered")) << findings[0].reason;
  result.wire.clear();
  findings = check(planOf(kPairConfig), result);
  EXPECT_TRUE(mentions(findings.at(0), "not even on the wire of eth0"));
}

TEST(DiagnoseAdverts, ListenTargetsAndDefaultTime) {
  const Plan plan = planOf(kPairConfig);
  const auto targets = listenTargets(plan);
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0].interface, "eth0");
  EXPECT_EQ(targets[0].group, ip("224.0.0.18"));
  EXPECT_DOUBLE_EQ(defaultListenSeconds(plan), 3.0);
}

}  // namespace
}  // namespace tandem::diagnose
