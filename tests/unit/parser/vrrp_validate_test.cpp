// Semantic checks of the VRRP side: each message, its severity and its line.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/parser/config_test_util.h"

namespace tandem::config {
namespace {
using testing::errors;
using testing::messages;
using testing::parse;

// An instance block with the given body lines and VRID, on eth0 unless the body says otherwise.
std::string instance(const std::string& name, const std::string& body) {
  return "vrrp_instance " + name + " {\n" + body + "}\n";
}

bool contains(const std::vector<std::string>& all, const std::string& m) {
  return std::find(all.begin(), all.end(), m) != all.end();
}

TEST(VrrpValidate, DuplicateVridOnOneInterfaceAndFamilyNamesBothLines) {
  auto c = parse(instance("VI_1", " interface eth0\n virtual_router_id 51\n virtual_ipaddress {\n  10.0.0.1\n }\n") +
                 instance("VI_2", " interface eth0\n virtual_router_id 51\n virtual_ipaddress {\n  10.0.0.2\n }\n"));
  EXPECT_EQ(errors(c), std::vector<std::string>{
                           "t.conf:10: error: 'virtual_router_id' 51 of vrrp_instance VI_2 is already used by "
                           "vrrp_instance VI_1 (line 3) on interface eth0 with IPv4; each instance on a link needs its "
                           "own VRID"});
}

TEST(VrrpValidate, SameVridIsFineOnAnotherInterfaceFamilyOrUnicastSource) {
  auto c = parse(
      instance("A", " interface eth0\n virtual_router_id 51\n virtual_ipaddress {\n  10.0.0.1\n }\n") +
      instance("B", " interface eth1\n virtual_router_id 51\n virtual_ipaddress {\n  10.0.1.1\n }\n") +
      instance("C", " interface eth0\n virtual_router_id 51\n virtual_ipaddress {\n  fe80::1\n }\n") +
      instance("D", " interface eth0\n virtual_router_id 51\n unicast_src_ip 10.0.0.5\n"
                    " unicast_peer {\n  10.0.0.6\n }\n virtual_ipaddress {\n  10.0.0.7\n }\n") +
      instance("E", " interface eth0\n virtual_router_id 51\n unicast_src_ip 10.0.0.8\n"
                    " unicast_peer {\n  10.0.0.9\n }\n virtual_ipaddress {\n  10.0.0.10\n }\n"));
  EXPECT_TRUE(errors(c).empty()) << errors(c)[0];
}

TEST(VrrpValidate, MissingVridAndOutOfRangeValues) {
  auto c = parse(instance("A", " interface eth0\n virtual_router_id 0\n priority 256\n advert_int 0\n"
                               " virtual_ipaddress {\n  10.0.0.1\n }\n"));
  EXPECT_EQ(errors(c), (std::vector<std::string>{
                           "t.conf:3: error: 'virtual_router_id' 0 is out of range 1..255",
                           "t.conf:4: error: 'priority' 256 is out of range 1..255",
                           "t.conf:5: error: 'advert_int' 0 is out of range 0.01..255",
                           "t.conf:1: error: vrrp_instance A has no 'virtual_router_id'; set one in 1..255, the same "
                           "on every router of the group"}));
}

TEST(VrrpValidate, MissingInterfaceIsAnErrorUnlessADefaultOrUnicastSourceIsThere) {
  const std::string body = " virtual_router_id 5\n virtual_ipaddress {\n  10.0.0.1\n }\n";
  EXPECT_EQ(errors(parse(instance("A", body))),
            std::vector<std::string>{"t.conf:1: error: vrrp_instance A has no 'interface'; set one (or 'unicast_peer' "
                                     "with 'unicast_src_ip')"});
  auto withDefault = parse("global_defs {\n default_interface bond0\n}\n" + instance("A", body));
  EXPECT_TRUE(errors(withDefault).empty());
  EXPECT_TRUE(contains(messages(withDefault),
                       "t.conf:4: warning: vrrp_instance A has no 'interface'; using default_interface bond0"));
  EXPECT_EQ(withDefault.config.vrrp.instances[0].effectiveInterface(withDefault.config.global), "bond0");
  auto unicast = parse(instance("A", body + " unicast_src_ip 10.0.0.2\n unicast_peer {\n  10.0.0.3\n }\n"));
  EXPECT_TRUE(messages(unicast).empty()) << messages(unicast)[0];
  auto unicastNoSource = parse(instance("A", body + " unicast_peer {\n  10.0.0.3\n }\n"));
  EXPECT_EQ(errors(unicastNoSource),
            std::vector<std::string>{"t.conf:1: error: vrrp_instance A has 'unicast_peer' but neither 'interface' nor "
                                     "'unicast_src_ip'; keepalived needs one of them to pick the advert source"});
}

TEST(VrrpValidate, UnicastPeersWithoutSourceAndOfTheWrongFamily) {
  auto c = parse(instance("A", " interface eth0\n virtual_router_id 5\n virtual_ipaddress {\n  10.0.0.1\n }\n"
                               " unicast_peer {\n  10.0.0.3\n  2001:db8::3\n }\n"));
  EXPECT_EQ(errors(c), std::vector<std::string>{"t.conf:9: error: 'unicast_peer' 2001:db8::3 is IPv6 but vrrp_instance "
                                                "A is IPv4; all peers must be of the instance's family"});
  EXPECT_TRUE(contains(messages(c), "t.conf:7: warning: 'unicast_peer' without 'unicast_src_ip': adverts to the peers "
                                    "are sent from the primary IPv4 address of interface eth0, which the peers must "
                                    "list as their unicast_peer"));
}

TEST(VrrpValidate, VirtualAddressesOfMixedFamiliesAreAnError) {
  auto c = parse(instance("A", " interface eth0\n virtual_router_id 5\n virtual_ipaddress {\n  10.0.0.1/24\n"
                               "  2001:db8::1/64\n }\n virtual_ipaddress_excluded {\n  2001:db8::2/64\n }\n"));
  EXPECT_EQ(errors(c), std::vector<std::string>{
                           "t.conf:6: error: 'virtual_ipaddress' 2001:db8::1 is IPv6 but vrrp_instance A is IPv4 (its "
                           "first address, line 5); put addresses of the other family in 'virtual_ipaddress_excluded'"});
}

TEST(VrrpValidate, Ipv6InstancesUseVersion3AndWantALinkLocalFirstAddress) {
  auto c = parse(instance("A", " interface eth0\n virtual_router_id 5\n version 2\n virtual_ipaddress {\n"
                               "  2001:db8::1/64\n }\n"));
  const auto all = messages(c);
  EXPECT_TRUE(errors(c).empty());
  EXPECT_TRUE(contains(all, "t.conf:4: warning: 'version' 2 cannot carry IPv6 addresses; vrrp_instance A uses VRRP "
                            "version 3"));
  EXPECT_TRUE(contains(all, "t.conf:6: warning: the first IPv6 virtual address should be link-local (fe80::/10), as "
                            "RFC 5798 expects"));
  EXPECT_EQ(c.config.vrrp.instances[0].effectiveVersion(c.config.global), 3);
}

TEST(VrrpValidate, AdvertIntervalPerVersion) {
  const std::string base = " interface eth0\n virtual_router_id 5\n virtual_ipaddress {\n  10.0.0.1\n }\n";
  auto v2 = parse(instance("A", base + " advert_int 1.6\n"));
  EXPECT_TRUE(errors(v2).empty());
  EXPECT_EQ(messages(v2), std::vector<std::string>{
                              "t.conf:7: warning: 'advert_int' 1.6 is not a whole number of seconds, which VRRP version "
                              "2 requires; rounded to 2 (use 'version 3' for sub-second adverts)"});
  EXPECT_EQ(v2.config.vrrp.instances[0].advertIntervalCentis(v2.config.global), 200);

  auto v3 = parse(instance("A", base + " version 3\n advert_int 0.015\n"));
  EXPECT_EQ(messages(v3), std::vector<std::string>{
                              "t.conf:8: warning: 'advert_int' 0.015 is not a multiple of 0.01 s; rounded to 0.02"});
  EXPECT_EQ(v3.config.vrrp.instances[0].advertIntervalCentis(v3.config.global), 2);

  auto v3TooLong = parse(instance("A", base + " version 3\n advert_int 50\n"));
  EXPECT_EQ(errors(v3TooLong), std::vector<std::string>{
                                   "t.conf:8: error: 'advert_int' 50 is out of range for VRRP version 3 (0.01..40.95)"});
}

TEST(VrrpValidate, NoVirtualAddressIsAWarningForV2AndAnErrorForV3) {
  auto v2 = parse(instance("A", " interface eth0\n virtual_router_id 5\n"));
  EXPECT_TRUE(errors(v2).empty());
  EXPECT_EQ(messages(v2), std::vector<std::string>{
                              "t.conf:1: warning: vrrp_instance A has no 'virtual_ipaddress'; add at least one, or say "
                              "'no_virtual_ipaddress' if that is intended"});
  auto v3 = parse(instance("A", " interface eth0\n virtual_router_id 5\n version 3\n"));
  EXPECT_EQ(errors(v3), std::vector<std::string>{
                            "t.conf:1: error: vrrp_instance A has no 'virtual_ipaddress'; VRRPv3 and strict mode need "
                            "at least one (or say 'no_virtual_ipaddress')"});
  EXPECT_TRUE(messages(parse(instance("A", " interface eth0\n virtual_router_id 5\n version 3\n"
                                           " no_virtual_ipaddress\n")))
                  .empty());
}

TEST(VrrpValidate, TrackScriptMustNameADefinedScript) {
  auto c = parse("vrrp_script chk {\n script /bin/true\n}\n" +
                 instance("A", " interface eth0\n virtual_router_id 5\n virtual_ipaddress {\n  10.0.0.1\n }\n"
                               " track_script {\n  chk\n  chk_typo weight 2\n }\n track_file {\n  nofile\n }\n"));
  EXPECT_EQ(errors(c), (std::vector<std::string>{
                           "t.conf:12: error: 'track_script' names 'chk_typo', which is not a defined vrrp_script",
                           "t.conf:15: error: 'track_file' names 'nofile', which is not a defined track_file"}));
}

TEST(VrrpValidate, UnusedScriptIsAWarning) {
  auto c = parse("vrrp_script lonely {\n script /bin/true\n}\n");
  EXPECT_EQ(messages(c), std::vector<std::string>{
                             "t.conf:1: warning: vrrp_script lonely is not used by any vrrp_instance or vrrp_sync_group"});
}

TEST(VrrpValidate, SyncGroupMembersMustExistAndBelongToOneGroup) {
  const std::string instances =
      instance("VI_1", " interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1\n }\n") +   // 1-7
      instance("VI_2", " interface eth0\n virtual_router_id 2\n virtual_ipaddress {\n  10.0.0.2\n }\n");     // 8-14
  auto c = parse(instances +
                 "vrrp_sync_group G1 {\n group {\n  VI_1\n  VI_2\n }\n}\n"        // 15-20
                 "vrrp_sync_group G2 {\n group {\n  VI_1\n  VI_9\n }\n}\n");      // 21-26
  EXPECT_EQ(errors(c), (std::vector<std::string>{
                           "t.conf:22: error: vrrp_instance VI_1 is already in vrrp_sync_group G1 (line 16); an "
                           "instance can be in one sync group only",
                           "t.conf:22: error: vrrp_sync_group G2: 'group' names 'VI_9', which is not a defined "
                           "vrrp_instance"}));
}

TEST(VrrpValidate, SyncGroupMemberTrackerWeightsAreIgnored) {
  auto c = parse("vrrp_script s {\n script x\n}\n" +
                 instance("VI_1", " interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1\n }\n"
                                  " track_script {\n  s weight 5\n }\n") +
                 instance("VI_2", " interface eth0\n virtual_router_id 2\n virtual_ipaddress {\n  10.0.0.2\n }\n") +
                 "vrrp_sync_group G {\n group {\n  VI_1\n  VI_2\n }\n}\n");
  EXPECT_TRUE(errors(c).empty());
  EXPECT_TRUE(contains(messages(c), "t.conf:11: warning: vrrp_instance VI_1 is in vrrp_sync_group G: the weight of s is "
                                    "ignored unless the group sets 'sync_group_tracking_weight'"));
}

TEST(VrrpValidate, NopreemptOnlyWorksWithBackup) {
  auto c = parse(instance("A", " state MASTER\n priority 150\n nopreempt\n interface eth0\n virtual_router_id 5\n"
                               " virtual_ipaddress {\n  10.0.0.1\n }\n"));
  EXPECT_EQ(messages(c), std::vector<std::string>{
                             "t.conf:4: warning: 'nopreempt' has no effect with 'state MASTER'; keepalived only "
                             "honours it with 'state BACKUP'"});
}

TEST(VrrpValidate, AddressOwnerIgnoresTrackerWeights) {
  auto c = parse(instance("A", " priority 255\n interface eth0\n virtual_router_id 5\n virtual_ipaddress {\n"
                               "  10.0.0.1\n }\n track_interface {\n  eth1 weight 10\n  eth2\n }\n"));
  EXPECT_EQ(messages(c), std::vector<std::string>{
                             "t.conf:9: warning: 'track_interface' eth1: the weight is ignored because priority 255 "
                             "(address owner) cannot change"});
}

TEST(VrrpValidate, AuthenticationRules) {
  const std::string base = " interface eth0\n virtual_router_id 5\n virtual_ipaddress {\n  10.0.0.1\n }\n";
  auto v3 = parse(instance("A", base + " version 3\n authentication {\n  auth_type PASS\n  auth_pass abc\n }\n"));
  EXPECT_EQ(errors(v3), std::vector<std::string>{
                            "t.conf:8: error: 'authentication' is not supported by VRRP version 3; remove it or use "
                            "'version 2'"});
  auto longPass = parse(instance("A", base + " authentication {\n  auth_type PASS\n  auth_pass 123456789\n }\n"));
  EXPECT_EQ(messages(longPass), std::vector<std::string>{
                                    "t.conf:9: warning: 'auth_pass' is longer than 8 characters; only '12345678' is "
                                    "used"});
  auto badType = parse(instance("A", base + " authentication {\n  auth_type MD5\n  auth_pass x\n }\n"));
  EXPECT_EQ(errors(badType), (std::vector<std::string>{"t.conf:8: error: 'auth_type': 'MD5' is not one of PASS, AH",
                                                       "t.conf:7: error: 'authentication' without 'auth_type' (PASS or "
                                                       "AH)"}));
}

TEST(VrrpValidate, DuplicateVirtualAddressesAcrossInstancesAreAWarning) {
  auto c = parse(instance("A", " interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1/24\n }\n") +
                 instance("B", " interface eth0\n virtual_router_id 2\n virtual_ipaddress {\n  10.0.0.1/32\n }\n"));
  EXPECT_EQ(messages(c), std::vector<std::string>{
                             "t.conf:12: warning: virtual address 10.0.0.1 is also configured in vrrp_instance A (line "
                             "5)"});
}

TEST(VrrpValidate, DuplicateNamesAreAnError) {
  const std::string body = " interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1\n }\n";
  auto c = parse(instance("A", body) + instance("A", body));
  EXPECT_TRUE(contains(errors(c), "t.conf:8: error: vrrp_instance 'A' is already defined at line 1"));
}

TEST(VrrpValidate, LvsSyncDaemonMustNameAnInstance) {
  auto c = parse("global_defs {\n lvs_sync_daemon eth0 VI_X\n}\n");
  EXPECT_EQ(errors(c), std::vector<std::string>{
                           "t.conf:2: error: 'lvs_sync_daemon' names vrrp_instance 'VI_X', which is not defined"});
}

}  // namespace
}  // namespace tandem::config
