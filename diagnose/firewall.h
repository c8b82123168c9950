#pragma once
// Would the firewall let VRRP adverts in? nftables rulesets (`nft -j list ruleset`) and iptables-save text are
// read into one small rule model, and each advert path (an instance's interface, family, group or unicast peer)
// is walked through the input-side base chains the way netfilter walks a packet. Matches the model does not
// understand make a rule "maybe" matching: a maybe-drop is a WARN, a sure drop a FAIL.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diagnose/finding.h"
#include "diagnose/interfaces.h"
#include "diagnose/plan.h"

namespace tandem::diagnose {

// One kind of advert that must get in.
struct AdvertPath {
  std::string instance;
  std::string interface;
  vrrp::Family family = vrrp::Family::Ipv4;
  bool multicast = true;
  std::optional<vrrp::IpAddress> source;       // a unicast peer; unknown for multicast
  std::optional<vrrp::IpAddress> destination;  // the group, or our own address when known
  std::string describe() const;                // "adverts to 224.0.0.18", "adverts from peer 10.0.0.2"
};
std::vector<AdvertPath> advertPaths(const Plan& plan, const InterfaceSnapshot& snapshot);

enum class Field { InInterface, Protocol, Source, Destination, ConnState, PacketType, NfProto, Other };
struct RuleMatch {
  Field field = Field::Other;
  bool negated = false;
  std::vector<std::string> values;  // "eth0", "eth*", "vrrp", "112", "10.0.0.0/8", "10.0.0.1-10.0.0.9", "new"
};

enum class Action { Continue, Accept, Drop, Reject, Jump, Goto, Return };
struct FirewallRule {
  std::vector<RuleMatch> matches;
  Action action = Action::Continue;
  std::string target;  // Jump / Goto
  std::string text;    // as the tool would print it, for messages
  std::string handle;  // nft handle, or iptables 1-based position
};

struct FirewallChain {
  std::string table;   // "inet filter" (nft) or "filter" (iptables)
  std::string name;
  std::string family;  // nft: ip, ip6, inet, netdev, bridge, arp; iptables: ip or ip6
  std::string hook;    // base chains: ingress, prerouting, input, ...; empty for regular chains
  std::string device;  // netdev ingress chains
  std::string type;    // nft chain type (filter, nat, route); "filter" for iptables
  int priority = 0;
  Action policy = Action::Accept;
  std::vector<FirewallRule> rules;
};

struct Firewall {
  enum class Tool { Nft, Iptables } tool = Tool::Nft;
  std::vector<FirewallChain> chains;
};

// nullopt with the reason in `error` when the text is not nft's JSON.
std::optional<Firewall> parseNftRuleset(std::string_view json, std::string& error);
Firewall parseIptablesSave(std::string_view text, vrrp::Family family);

std::vector<Finding> checkFirewall(const Firewall& firewall, const std::vector<AdvertPath>& paths);

// What running a tool produced; `present` false when the program is not installed.
struct ToolOutput {
  bool present = false;
  int status = 0;
  std::string output;
  std::string error;
};
struct FirewallInput {
  ToolOutput nft, iptablesSave, ip6tablesSave;
};

// Every source together; iptables-nft rules show up in the nft ruleset too and are then judged once, from
// iptables-save.
std::vector<Finding> checkFirewalls(const FirewallInput& input, const std::vector<AdvertPath>& paths);

}  // namespace tandem::diagnose
