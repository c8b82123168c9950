#include "diagnose/firewall.h"

#include "tests/unit/diagnose/diagnose_test_util.h"

namespace tandem::diagnose {
namespace {

using namespace testing;

// Recorded with nft 1.0.6: `nft add rule inet t input iifname eth0 ip protocol vrrp drop` and
// `... ip daddr 224.0.0.18 counter reject`.
const char* kDropVrrp = R"({"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "t", "handle": 1}}, {"chain": {"family": "inet", "table": "t", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}, {"rule": {"family": "inet", "table": "t", "chain": "input", "handle": 2, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "eth0"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "protocol"}}, "right": "vrrp"}}, {"drop": null}]}}]})";

const char* kRejectGroup = R"({"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "t", "handle": 1}}, {"chain": {"family": "inet", "table": "t", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}, {"rule": {"family": "inet", "table": "t", "chain": "input", "handle": 3, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "224.0.0.18"}}, {"counter": {"packets": 0, "bytes": 0}}, {"reject": {"type": "icmp", "expr": "port-unreachable"}}]}}]})";

// A typical host firewall (policy drop), recorded with nft 1.0.6.
const char* kHostFirewall = R"({"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "filter", "handle": 1}}, {"set": {"family": "inet", "name": "peers", "table": "filter", "type": "ipv4_addr", "handle": 2, "elem": ["10.0.0.2"]}}, {"chain": {"family": "inet", "table": "filter", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}}, {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 3, "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 4, "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": "invalid"}}, {"drop": null}]}}, {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 5, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iif"}}, "right": "lo"}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 6, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 7, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"prefix": {"addr": "10.0.0.0", "len": 8}}}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "protocol"}}, "right": "vrrp"}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 8, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@peers"}}, {"accept": null}]}}, {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 10, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": {"set": ["224.0.0.18", "224.0.0.251"]}}}, {"counter": {"packets": 0, "bytes": 0}}, {"reject": {"type": "icmp", "expr": "port-unreachable"}}]}}]})";

const char* kUnicastConfig = R"(
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  unicast_peer {
    10.0.0.2
  }
  virtual_ipaddress {
    10.0.0.100
  }
}
)";

std::vector<Finding> nft(const char* json, const Plan& plan) {
  std::string error;
  auto firewall = parseNftRuleset(json, error);
  EXPECT_TRUE(firewall) << error;
  return checkFirewall(*firewall, advertPaths(plan, healthyHost()));
}

TEST(DiagnoseFirewall, NftDropOfProtocol112OnTheInterfaceFails) {
  const auto findings = nft(kDropVrrp, planOf(kPairConfig));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::Fail);
  EXPECT_EQ(findings[0].subject, "firewall eth0 (VI_1)");
  EXPECT_TRUE(mentions(findings[0], "meta iifname eth0 ip protocol vrrp drop")) << findings[0].reason;
  EXPECT_EQ(findings[0].fix, "nft insert rule inet t input position 2 iifname \"eth0\" meta l4proto vrrp accept");
}

TEST(DiagnoseFirewall, NftDropOnAnotherInterfaceOrFamilyIsOk) {
  std::string other = kDropVrrp;
  other.replace(other.find("\"eth0\""), 6, "\"eth1\"");
  EXPECT_EQ(nft(other.c_str(), planOf(kPairConfig)).at(0).severity, Severity::Ok);
  std::string wildcard = kDropVrrp;
  wildcard.replace(wildcard.find("\"eth0\""), 6, "\"eth*\"");
  EXPECT_EQ(nft(wildcard.c_str(), planOf(kPairConfig)).at(0).severity, Severity::Fail);
  // ip protocol never matches an IPv6 advert.
  const Plan v6 = planOf(R"(
vrrp_instance V6 {
  interface eth0
  virtual_router_id 7
  virtual_ipaddress {
    2001:db8::100
  }
}
)");
  EXPECT_EQ(nft(kDropVrrp, v6).at(0).severity, Severity::Ok);
}

TEST(DiagnoseFirewall, NftRejectOfTheGroupFailsForMulticastOnly) {
  EXPECT_EQ(nft(kRejectGroup, planOf(kPairConfig)).at(0).severity, Severity::Fail);
  const auto unicast = nft(kRejectGroup, planOf(kUnicastConfig));
  EXPECT_EQ(unicast.at(0).severity, Severity::Ok) << unicast[0].reason;
}

TEST(DiagnoseFirewall, HostFirewallWithPolicyDrop) {
  // Unicast peer 10.0.0.2: accepted by the 10.0.0.0/8 rule before anything drops it.
  auto findings = nft(kHostFirewall, planOf(kUnicastConfig));
  EXPECT_EQ(findings.at(0).severity, Severity::Ok) << findings[0].reason;
  // Multicast from an unknown source: maybe accepted (10/8, @peers), then rejected: only a WARN.
  findings = nft(kHostFirewall, planOf(kPairConfig));
  EXPECT_EQ(findings.at(0).severity, Severity::Warn) << findings[0].reason;
  EXPECT_TRUE(mentions(findings[0], "may drop"));
}

TEST(DiagnoseFirewall, PolicyDropWithoutAnAcceptForVrrpFails) {
  const char* json = R"({"nftables": [{"chain": {"family": "ip", "table": "f", "name": "in", "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},
    {"rule": {"family": "ip", "table": "f", "chain": "in", "handle": 4, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}, {"accept": null}]}}]})";
  const auto findings = nft(json, planOf(kPairConfig));
  EXPECT_EQ(findings.at(0).severity, Severity::Fail);
  EXPECT_TRUE(mentions(findings[0], "policy drop"));
  EXPECT_EQ(findings[0].fix, "nft add rule ip f in iifname \"eth0\" meta l4proto vrrp accept");
}

TEST(DiagnoseFirewall, UnicastPeerDroppedByAddressFailsAndJumpsAreFollowed) {
  const char* json = R"({"nftables": [
    {"chain": {"family": "inet", "table": "f", "name": "in", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}},
    {"chain": {"family": "inet", "table": "f", "name": "blocked"}},
    {"rule": {"family": "inet", "table": "f", "chain": "in", "handle": 2, "expr": [{"jump": {"target": "blocked"}}]}},
    {"rule": {"family": "inet", "table": "f", "chain": "blocked", "handle": 3, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"range": ["10.0.0.1", "10.0.0.5"]}}}, {"drop": null}]}}]})";
  EXPECT_EQ(nft(json, planOf(kUnicastConfig)).at(0).severity, Severity::Fail);
  // Multicast adverts' sources are not known in advance: the range may hold the peer.
  EXPECT_EQ(nft(json, planOf(kPairConfig)).at(0).severity, Severity::Warn);
}

TEST(DiagnoseFirewall, RulesItCannotReadGiveWarnNotFail) {
  const char* json = R"({"nftables": [
    {"chain": {"family": "inet", "table": "f", "name": "in", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}},
    {"rule": {"family": "inet", "table": "f", "chain": "in", "handle": 2, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "mark"}}, "right": 7}}, {"drop": null}]}}]})";
  EXPECT_EQ(nft(json, planOf(kPairConfig)).at(0).severity, Severity::Warn);
  std::string error;
  EXPECT_FALSE(parseNftRuleset("not json", error));
  EXPECT_FALSE(error.empty());
}

TEST(DiagnoseFirewall, NatChainsAndOutputHooksAreIgnored) {
  const char* json = R"({"nftables": [
    {"chain": {"family": "ip", "table": "n", "name": "pre", "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}},
    {"chain": {"family": "ip", "table": "n", "name": "out", "type": "filter", "hook": "output", "prio": 0, "policy": "drop"}},
    {"rule": {"family": "ip", "table": "n", "chain": "pre", "handle": 2, "expr": [{"drop": null}]}}]})";
  EXPECT_EQ(nft(json, planOf(kPairConfig)).at(0).severity, Severity::Ok);
}

// iptables-save v1.8.9 (nf_tables) after `iptables -A INPUT -i eth0 -p vrrp -j DROP`,
// `iptables -A INPUT -d 224.0.0.18 -j REJECT` and `iptables -P INPUT DROP`.
const char* kIptablesSave = R"(# Generated by iptables-save v1.8.9 (nf_tables) on Sat Nov 21 13:32:59 2026
*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i eth0 -p vrrp -j DROP
-A INPUT -d 224.0.0.18/32 -j REJECT --reject-with icmp-port-unreachable
COMMIT
# Completed on Sat Nov 21 13:32:59 2026
)";

std::vector<Finding> ipt(const char* text, const Plan& plan) {
  return checkFirewall(parseIptablesSave(text, vrrp::Family::Ipv4), advertPaths(plan, healthyHost()));
}

TEST(DiagnoseFirewall, IptablesDropOfVrrpFails) {
  const auto findings = ipt(kIptablesSave, planOf(kPairConfig));
  EXPECT_EQ(findings.at(0).severity, Severity::Fail);
  EXPECT_TRUE(mentions(findings[0], "iptables -t filter INPUT rule '-i eth0 -p vrrp -j DROP'")) << findings[0].reason;
  EXPECT_EQ(findings[0].fix, "iptables -t filter -I INPUT 1 -i eth0 -p vrrp -j ACCEPT");
}

TEST(DiagnoseFirewall, IptablesPolicyDropAcceptedByAnEarlierRule) {
  const char* text = R"(*filter
:INPUT DROP [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -i eth+ -p vrrp -m comment --comment "keepalived" -j ACCEPT
COMMIT
)";
  EXPECT_EQ(ipt(text, planOf(kPairConfig)).at(0).severity, Severity::Ok);
  const char* without = R"(*filter
:INPUT DROP [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
)";
  const auto findings = ipt(without, planOf(kPairConfig));
  EXPECT_EQ(findings.at(0).severity, Severity::Fail);
  EXPECT_EQ(findings[0].fix, "iptables -t filter -A INPUT -i eth0 -p vrrp -j ACCEPT");
}

TEST(DiagnoseFirewall, IptablesNegationAndSourceOfUnicastPeers) {
  const char* text = R"(*raw
:PREROUTING ACCEPT [0:0]
-A PREROUTING ! -s 10.0.0.3/32 -p 112 -j DROP
COMMIT
)";
  const auto findings = ipt(text, planOf(kUnicastConfig));
  EXPECT_EQ(findings.at(0).severity, Severity::Fail);
  EXPECT_TRUE(mentions(findings[0], "peer 10.0.0.2"));
}

TEST(DiagnoseFirewall, IptablesNftRulesAreJudgedOnceAndMissingToolsAreSaid) {
  FirewallInput input;
  input.nft = {true, 0, kDropVrrp, ""};
  // iptables-nft's table "ip filter" in the nft ruleset is left to iptables-save.
  std::string both = kDropVrrp;
  const std::string table = "\"inet\", \"name\": \"t\"";
  both.replace(both.find(table), table.size(), "\"ip\", \"name\": \"filter\"");
  for (std::string key = "\"family\": \"inet\", \"table\": \"t\""; both.find(key) != std::string::npos;)
    both.replace(both.find(key), key.size(), "\"family\": \"ip\", \"table\": \"filter\"");
  input.nft.output = both;
  input.iptablesSave = {true, 0, "# Generated by iptables-save v1.8.9 (nf_tables)\n*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n", ""};
  input.ip6tablesSave = {false, 127, "", ""};
  auto findings = checkFirewalls(input, advertPaths(planOf(kPairConfig), healthyHost()));
  EXPECT_TRUE(withSeverity(findings, Severity::Fail).empty());
  input.iptablesSave = {false, 127, "", ""};
  findings = checkFirewalls(input, advertPaths(planOf(kPairConfig), healthyHost()));
  ASSERT_EQ(withSeverity(findings, Severity::Fail).size(), 1u);
  EXPECT_TRUE(std::any_of(findings.begin(), findings.end(), [](const Finding& f) {
    return f.severity == Severity::Ok && mentions(f, "iptables-save is not installed");
  }));
  input.nft = {true, 1, "", "Operation not permitted"};
  findings = checkFirewalls(input, advertPaths(planOf(kPairConfig), healthyHost()));
  EXPECT_EQ(findings.at(0).severity, Severity::Warn);
  EXPECT_EQ(findings[0].fix, "run tandemd --diagnose as root");
  // Recorded in the test VM, whose kernel has no nf_tables.
  input.nft = {true, 3, "", "mnl.c:60: Unable to initialize Netlink socket: Protocol not supported\n"};
  findings = checkFirewalls(input, advertPaths(planOf(kPairConfig), healthyHost()));
  EXPECT_EQ(findings.at(0).severity, Severity::Ok);
  EXPECT_TRUE(mentions(findings[0], "no nf_tables"));
}

}  // namespace
}  // namespace tandem::diagnose
