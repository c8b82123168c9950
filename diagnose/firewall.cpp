#include "diagnose/firewall.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace tandem::diagnose {

std::string AdvertPath::describe() const {
  if (multicast) return "adverts to " + (destination ? destination->toString() : std::string("the VRRP group"));
  return "adverts from peer " + (source ? source->toString() : std::string("?"));
}

std::vector<AdvertPath> advertPaths(const Plan& plan, const InterfaceSnapshot& snapshot) {
  std::vector<AdvertPath> out;
  for (const auto& instance : plan.instances) {
    AdvertPath base;
    base.instance = instance.params.name;
    base.interface = instance.interface;
    base.family = instance.channel.family;
    if (instance.channel.unicastPeers.empty()) {
      base.destination = instance.channel.multicastGroup;
      out.push_back(base);
      continue;
    }
    base.multicast = false;
    base.destination = instance.channel.sourceAddress;
    if (!base.destination) {
      if (auto found = snapshot.find(instance.interface); found != snapshot.end())
        for (const auto& a : found->second.addresses)
          if (a.address.family() == base.family && !(base.family == vrrp::Family::Ipv6 && !isIpv6LinkLocal(a.address))) {
            base.destination = a.address;
            break;
          }
    }
    for (const auto& peer : instance.channel.unicastPeers) {
      AdvertPath path = base;
      path.source = peer;
      out.push_back(path);
    }
  }
  return out;
}

namespace {

// ---------------------------------------------------------------- matching

enum class Tri { No, Maybe, Yes };

Tri both(Tri a, Tri b) { return std::min(a, b); }
Tri negate(Tri t) { return t == Tri::Yes ? Tri::No : t == Tri::No ? Tri::Yes : Tri::Maybe; }

bool wildcardMatch(const std::string& pattern, const std::string& name) {
  if (!pattern.empty() && pattern.back() == '*')
    return name.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  return pattern == name;
}

// An address value: "a", "a/len" or "a-b". nullopt when it is none of these (a named set, a variable).
struct AddressRange {
  vrrp::IpAddress first, last;
};
std::optional<AddressRange> parseRange(const std::string& text) {
  if (auto dash = text.find('-'); dash != std::string::npos) {
    auto a = vrrp::IpAddress::parse(text.substr(0, dash)), b = vrrp::IpAddress::parse(text.substr(dash + 1));
    if (!a || !b) return std::nullopt;
    return AddressRange{*a, *b};
  }
  const auto slash = text.find('/');
  auto address = vrrp::IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  if (slash == std::string::npos) return AddressRange{*address, *address};
  int length = 0;
  const std::string lengthText = text.substr(slash + 1);
  if (auto mask = vrrp::IpAddress::parse(lengthText)) {  // iptables-save never does, but -s 10.0.0.0/255.0.0.0 is valid
    for (auto byte : mask->bytes()) length += __builtin_popcount(byte);
  } else {
    try {
      length = std::stoi(lengthText);
    } catch (...) {
      return std::nullopt;
    }
  }
  auto bytes = address->bytes();
  std::array<std::uint8_t, 16> low{}, high{};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const int keep = std::clamp(length - static_cast<int>(i) * 8, 0, 8);
    const std::uint8_t mask = static_cast<std::uint8_t>(keep == 0 ? 0 : 0xff << (8 - keep));
    low[i] = bytes[i] & mask;
    high[i] = static_cast<std::uint8_t>(bytes[i] | static_cast<std::uint8_t>(~mask));
  }
  const auto family = address->family();
  return AddressRange{vrrp::IpAddress::fromBytes(family, std::span(low).first(bytes.size())),
                      vrrp::IpAddress::fromBytes(family, std::span(high).first(bytes.size()))};
}

bool isVrrpProtocol(const std::string& value) { return value == "vrrp" || value == "112" || value == "all"; }

Tri valueMatches(const RuleMatch& m, const std::string& value, const AdvertPath& path) {
  switch (m.field) {
    case Field::InInterface: return wildcardMatch(value, path.interface) ? Tri::Yes : Tri::No;
    case Field::Protocol: return isVrrpProtocol(value) ? Tri::Yes : Tri::No;
    case Field::Source:
    case Field::Destination: {
      const auto range = parseRange(value);
      if (!range) return Tri::Maybe;
      if (range->first.family() != path.family) return Tri::No;
      const auto& address = m.field == Field::Source ? path.source : path.destination;
      if (!address) return Tri::Maybe;
      return range->first <= *address && *address <= range->last ? Tri::Yes : Tri::No;
    }
    case Field::ConnState:
      // Adverts never get a reply, so conntrack keeps them NEW.
      return value == "new" || value == "NEW" ? Tri::Yes : Tri::No;
    case Field::PacketType:
      if (value == "multicast") return path.multicast ? Tri::Yes : Tri::No;
      if (value == "host" || value == "unicast") return path.multicast ? Tri::No : Tri::Yes;
      return Tri::No;
    case Field::NfProto:
      return (value == "ipv4") == (path.family == vrrp::Family::Ipv4) ? Tri::Yes : Tri::No;
    case Field::Other: return Tri::Maybe;
  }
  return Tri::Maybe;
}

Tri matchOne(const RuleMatch& m, const AdvertPath& path) {
  if (m.field == Field::Other || m.values.empty()) return Tri::Maybe;
  Tri any = Tri::No;  // a set matches when one of its values does
  for (const auto& value : m.values) any = std::max(any, valueMatches(m, value, path));
  // "address of the other family" is No either way: nft's `ip saddr != X` never matches an IPv6 packet.
  if ((m.field == Field::Source || m.field == Field::Destination) && any == Tri::No) {
    const bool otherFamily = std::all_of(m.values.begin(), m.values.end(), [&](const std::string& v) {
      auto r = parseRange(v);
      return r && r->first.family() != path.family;
    });
    if (otherFamily) return Tri::No;
  }
  return m.negated ? negate(any) : any;
}

Tri ruleMatches(const FirewallRule& rule, const AdvertPath& path) {
  Tri result = Tri::Yes;
  for (const auto& m : rule.matches) result = both(result, matchOne(m, path));
  return result;
}

// ---------------------------------------------------------------- walking

struct Verdict {
  Action action = Action::Continue;  // Accept, Drop (Reject folded in) or Continue
  bool certain = true;
  const FirewallChain* chain = nullptr;
  const FirewallRule* rule = nullptr;  // nullptr: the chain's policy
};

class Walker {
 public:
  Walker(const Firewall& firewall, const AdvertPath& path) : firewall_(firewall), path_(path) {}

  // The first sure drop, else the first possible one; Accept/Continue when neither.
  Verdict run(const FirewallChain& chain, int depth = 0) {
    if (depth > 16) return {Action::Continue, false, &chain, nullptr};
    for (const auto& rule : chain.rules) {
      const Tri t = ruleMatches(rule, path_);
      if (t == Tri::No) continue;
      Verdict v;
      switch (rule.action) {
        case Action::Continue: continue;
        case Action::Accept: v = {Action::Accept, true, &chain, &rule}; break;
        case Action::Drop:
        case Action::Reject: v = {Action::Drop, true, &chain, &rule}; break;
        case Action::Return:
          if (t == Tri::Yes) return {Action::Continue, true, &chain, &rule};
          continue;
        case Action::Jump:
        case Action::Goto: {
          const FirewallChain* target = find(chain.table, rule.target);
          if (!target) continue;
          v = run(*target, depth + 1);
          if (v.action == Action::Continue) {
            if (rule.action == Action::Goto && t == Tri::Yes) return v;
            continue;
          }
          break;
        }
      }
      if (t == Tri::Maybe) v.certain = false;
      if (v.action == Action::Accept) {
        if (v.certain) return v;
        maybeAccepted_ = true;  // a later drop is then only possible
        continue;
      }
      // Drop
      if (maybeAccepted_) v.certain = false;
      if (v.certain) return v;
      if (!firstMaybeDrop_.chain) firstMaybeDrop_ = v;
    }
    return {Action::Continue, true, &chain, nullptr};
  }

  Verdict runBase(const FirewallChain& chain) {
    maybeAccepted_ = false;
    firstMaybeDrop_ = {};
    Verdict v = run(chain);
    if (v.action == Action::Continue && chain.policy == Action::Drop)
      v = {Action::Drop, !maybeAccepted_, &chain, nullptr};
    if (v.action == Action::Drop && v.certain) return v;
    if (firstMaybeDrop_.chain) return firstMaybeDrop_;
    return v;
  }

 private:
  const FirewallChain* find(const std::string& table, const std::string& name) const {
    for (const auto& c : firewall_.chains)
      if (c.table == table && c.name == name) return &c;
    return nullptr;
  }

  const Firewall& firewall_;
  const AdvertPath& path_;
  bool maybeAccepted_ = false;
  Verdict firstMaybeDrop_;
};

int hookOrder(const std::string& hook) { return hook == "ingress" ? 0 : hook == "prerouting" ? 1 : 2; }

bool appliesTo(const FirewallChain& chain, const AdvertPath& path) {
  if (chain.hook.empty() || chain.type == "nat") return false;
  const bool v4 = path.family == vrrp::Family::Ipv4;
  if (chain.family == "netdev") return chain.hook == "ingress" && (chain.device.empty() || chain.device == path.interface);
  if (chain.hook != "prerouting" && chain.hook != "input") return false;
  return chain.family == "inet" || (chain.family == "ip" && v4) || (chain.family == "ip6" && !v4);
}

std::string where(const Firewall& firewall, const FirewallChain& chain) {
  if (firewall.tool == Firewall::Tool::Nft) return "nftables " + chain.table + " chain " + chain.name;
  return std::string(chain.family == "ip6" ? "ip6tables" : "iptables") + " -t " + chain.table + " " + chain.name;
}

std::string acceptCommand(const Firewall& firewall, const FirewallChain& chain, const AdvertPath& path,
                          const std::string& beforeHandle) {
  if (firewall.tool == Firewall::Tool::Nft) {
    std::string command = "nft " + std::string(beforeHandle.empty() ? "add" : "insert") + " rule " + chain.table +
                          " " + chain.name + (beforeHandle.empty() ? "" : " position " + beforeHandle);
    if (chain.family != "netdev") command += " iifname \"" + path.interface + "\"";
    if (path.source) command += std::string(path.family == vrrp::Family::Ipv4 ? " ip" : " ip6") + " saddr " + path.source->toString();
    return command + " meta l4proto vrrp accept";
  }
  std::string command = std::string(chain.family == "ip6" ? "ip6tables" : "iptables") + " -t " + chain.table +
                        (beforeHandle.empty() ? " -A " + chain.name : " -I " + chain.name + " " + beforeHandle) +
                        " -i " + path.interface;
  if (path.source) command += " -s " + path.source->toString();
  return command + " -p vrrp -j ACCEPT";
}

}  // namespace

std::vector<Finding> checkFirewall(const Firewall& firewall, const std::vector<AdvertPath>& paths) {
  std::vector<const FirewallChain*> bases;
  for (const auto& chain : firewall.chains)
    if (!chain.hook.empty()) bases.push_back(&chain);
  std::stable_sort(bases.begin(), bases.end(), [](const FirewallChain* a, const FirewallChain* b) {
    return std::pair(hookOrder(a->hook), a->priority) < std::pair(hookOrder(b->hook), b->priority);
  });
  const std::string tool = firewall.tool == Firewall::Tool::Nft ? "nftables" : "iptables";
  std::vector<Finding> out;
  for (const auto& path : paths) {
    const std::string subject = "firewall " + path.interface + " (" + path.instance + ")";
    std::optional<Verdict> worst;
    for (const auto* chain : bases) {
      if (!appliesTo(*chain, path)) continue;
      Walker walker(firewall, path);
      Verdict v = walker.runBase(*chain);
      // nft 1.0's JSON leaves out an ingress chain's device: it may be another interface's.
      if (chain->family == "netdev" && chain->device.empty()) v.certain = false;
      if (v.action != Action::Drop) continue;
      if (v.certain) {
        worst = v;
        break;
      }
      if (!worst) worst = v;
    }
    if (!worst) {
      const std::string name = firewall.tool == Firewall::Tool::Nft ? tool
                               : path.family == vrrp::Family::Ipv6 ? "ip6tables" : "iptables";
      out.push_back(ok(subject, name + " lets " + path.describe() + " in"));
      continue;
    }
    const FirewallChain& chain = *worst->chain;
    std::string reason;
    std::string fix;
    if (worst->rule) {
      reason = where(firewall, chain) + " rule '" + worst->rule->text + "'";
      fix = acceptCommand(firewall, chain, path, worst->rule->handle);
    } else {
      reason = where(firewall, chain) + " policy drop (no rule accepts VRRP)";
      fix = acceptCommand(firewall, chain, path, "");
    }
    if (worst->certain)
      out.push_back(fail(subject, reason + " drops " + path.describe() + ": both nodes would become MASTER", fix));
    else
      out.push_back(warn(subject, reason + " may drop " + path.describe() + " (it depends on matches this check cannot evaluate)", fix));
  }
  return out;
}

// ---------------------------------------------------------------- nftables JSON

namespace {

using nlohmann::json;

std::string scalarText(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object() && j.contains("elem") && j["elem"].is_object()) return scalarText(j["elem"].value("val", json()));
  if (j.is_number_integer()) return std::to_string(j.get<long long>());
  if (j.is_object() && j.contains("prefix")) {
    const json& p = j["prefix"];
    return scalarText(p.value("addr", json())) + "/" + std::to_string(p.value("len", 0));
  }
  if (j.is_object() && j.contains("range") && j["range"].is_array() && j["range"].size() == 2)
    return scalarText(j["range"][0]) + "-" + scalarText(j["range"][1]);
  return "?";  // a variable, a concatenation, ...: matched as unknown
}

std::vector<std::string> values(const json& right) {
  std::vector<std::string> out;
  const json* items = &right;
  if (right.is_object() && right.contains("set")) items = &right["set"];
  if (items->is_array()) {
    for (const auto& item : *items) out.push_back(scalarText(item));
  } else {
    out.push_back(scalarText(*items));
  }
  return out;
}

bool isTransportProtocol(const std::string& protocol) {
  static const std::set<std::string> known = {"tcp", "udp", "udplite", "sctp", "dccp", "icmp", "icmpv6", "ah", "esp", "comp", "igmp"};
  return known.count(protocol) > 0;
}

// Named sets' elements by "family table name".
using NamedSets = std::map<std::string, json>;

RuleMatch parseMatch(const json& match, const NamedSets& sets, const std::string& table) {
  RuleMatch m;
  const std::string op = match.value("op", "==");
  if (op != "==" && op != "!=" && op != "in") return m;  // comparisons and bit tests: unknown
  m.negated = op == "!=";
  const json& left = match.value("left", json());
  const json& right = match.value("right", json());
  if (right.is_string() && !right.get<std::string>().empty() && right.get<std::string>()[0] == '@') {
    auto set = sets.find(table + " " + right.get<std::string>().substr(1));
    if (set == sets.end()) return m;  // unknown: matched as maybe
    m.values = values(set->second);
  } else {
    m.values = values(right);
  }
  if (left.contains("meta")) {
    const std::string key = left["meta"].value("key", "");
    if (key == "iifname" || key == "iif") m.field = Field::InInterface;
    else if (key == "l4proto") m.field = Field::Protocol;
    else if (key == "pkttype") m.field = Field::PacketType;
    else if (key == "nfproto") m.field = Field::NfProto;
  } else if (left.contains("payload")) {
    const json& p = left["payload"];
    const std::string protocol = p.value("protocol", ""), field = p.value("field", "");
    if ((protocol == "ip" && field == "protocol") || (protocol == "ip6" && field == "nexthdr")) m.field = Field::Protocol;
    else if ((protocol == "ip" || protocol == "ip6") && field == "saddr") m.field = Field::Source;
    else if ((protocol == "ip" || protocol == "ip6") && field == "daddr") m.field = Field::Destination;
    else if (isTransportProtocol(protocol)) {
      // `tcp dport 22` only matches TCP: for an advert it is a protocol mismatch.
      m.field = Field::Protocol;
      m.negated = false;
      m.values = {protocol};
    }
  } else if (left.contains("ct") && left["ct"].value("key", "") == "state") {
    m.field = Field::ConnState;
  }
  // Addresses of a family other than the payload's are compared as the payload protocol says.
  if ((m.field == Field::Source || m.field == Field::Destination) && left.contains("payload")) {
    const bool v6 = left["payload"].value("protocol", "") == "ip6";
    for (auto& v : m.values)
      if (!parseRange(v)) v = v6 ? "::/0" : "0.0.0.0/0";  // unknown element: any address of that family
  }
  return m;
}

std::string describeMatch(const json& match) {
  const json& left = match.value("left", json());
  std::string text;
  if (left.contains("meta")) text = "meta " + left["meta"].value("key", "?");
  else if (left.contains("payload")) text = left["payload"].value("protocol", "?") + " " + left["payload"].value("field", "?");
  else if (left.contains("ct")) text = "ct " + left["ct"].value("key", "?");
  else text = left.dump();
  const std::string op = match.value("op", "==");
  if (op != "==" && op != "in") text += " " + op;
  const auto vs = values(match.value("right", json()));
  if (vs.size() == 1) return text + " " + vs[0];
  std::string joined;
  for (const auto& v : vs) joined += (joined.empty() ? "" : ", ") + v;
  return text + " { " + joined + " }";
}

FirewallRule parseNftRule(const json& rule, const NamedSets& sets, const std::string& table) {
  FirewallRule r;
  r.handle = std::to_string(rule.value("handle", 0));
  std::vector<std::string> words;
  for (const auto& statement : rule.value("expr", json::array())) {
    if (!statement.is_object() || statement.empty()) continue;
    const std::string kind = statement.begin().key();
    const json& body = statement.begin().value();
    if (kind == "match") {
      r.matches.push_back(parseMatch(body, sets, table));
      // `ip ...` and `ip6 ...` also say which family the packet is (in inet and netdev tables).
      if (const json& left = body.value("left", json()); left.contains("payload")) {
        const std::string protocol = left["payload"].value("protocol", "");
        if (protocol == "ip" || protocol == "ip6")
          r.matches.push_back(RuleMatch{Field::NfProto, false, {protocol == "ip" ? "ipv4" : "ipv6"}});
      }
      words.push_back(describeMatch(body));
    } else if (kind == "accept") { r.action = Action::Accept; words.push_back("accept");
    } else if (kind == "drop") { r.action = Action::Drop; words.push_back("drop");
    } else if (kind == "reject") { r.action = Action::Reject; words.push_back("reject");
    } else if (kind == "return") { r.action = Action::Return; words.push_back("return");
    } else if (kind == "jump" || kind == "goto") {
      r.action = kind == "jump" ? Action::Jump : Action::Goto;
      r.target = body.value("target", "");
      words.push_back(kind + " " + r.target);
    } else if (kind == "limit" || kind == "quota" || kind == "xt" || kind == "meter" || kind == "set") {
      r.matches.push_back(RuleMatch{});  // decides whether the verdict applies in ways this check cannot see
      words.push_back(kind);
    } else if (kind == "counter" || kind == "log") {
      words.push_back(kind);
    }
  }
  for (const auto& w : words) r.text += (r.text.empty() ? "" : " ") + w;
  return r;
}

}  // namespace

std::optional<Firewall> parseNftRuleset(std::string_view text, std::string& error) {
  json document = json::parse(text, nullptr, false);
  if (document.is_discarded() || !document.is_object() || !document.contains("nftables") ||
      !document["nftables"].is_array()) {
    error = "not an nftables JSON ruleset";
    return std::nullopt;
  }
  Firewall firewall;
  firewall.tool = Firewall::Tool::Nft;
  std::map<std::pair<std::string, std::string>, std::size_t> index;  // (table, chain) -> position
  auto tableOf = [](const json& j) { return j.value("family", "") + " " + j.value("table", ""); };
  NamedSets sets;
  for (const auto& item : document["nftables"])
    if (item.contains("set") && item["set"].is_object())
      sets[tableOf(item["set"]) + " " + item["set"].value("name", "")] = item["set"].value("elem", json::array());
  for (const auto& item : document["nftables"]) {
    if (item.contains("chain")) {
      const json& c = item["chain"];
      FirewallChain chain;
      chain.table = tableOf(c);
      chain.name = c.value("name", "");
      chain.family = c.value("family", "");
      chain.hook = c.value("hook", "");
      chain.type = c.value("type", "");
      chain.priority = c.contains("prio") && c["prio"].is_number() ? c["prio"].get<int>() : 0;
      if (c.contains("dev")) chain.device = c["dev"].is_string() ? c["dev"].get<std::string>() : std::string();
      chain.policy = c.value("policy", "accept") == "drop" ? Action::Drop : Action::Accept;
      index[{chain.table, chain.name}] = firewall.chains.size();
      firewall.chains.push_back(std::move(chain));
    } else if (item.contains("rule")) {
      const json& r = item["rule"];
      auto found = index.find({tableOf(r), r.value("chain", "")});
      if (found == index.end()) continue;
      firewall.chains[found->second].rules.push_back(parseNftRule(r, sets, tableOf(r)));
    }
  }
  return firewall;
}

// ---------------------------------------------------------------- iptables-save

namespace {

std::vector<std::string> splitWords(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') { quoted = !quoted; continue; }
    if (!quoted && (c == ' ' || c == '\t')) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
      continue;
    }
    word += c;
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

FirewallRule parseIptablesRule(const std::vector<std::string>& words, std::string& chainName) {
  FirewallRule r;
  bool negated = false;
  std::set<std::string> protocols;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    const bool hasValue = i + 1 < words.size();
    auto take = [&](Field field) {
      RuleMatch m{field, negated, {}};
      if (hasValue) m.values.push_back(words[++i]);
      if (field == Field::InInterface && !m.values.empty() && m.values[0].back() == '+') m.values[0].back() = '*';
      if (field == Field::Protocol && !m.values.empty()) protocols.insert(m.values[0]);
      r.matches.push_back(std::move(m));
      negated = false;
    };
    if (w == "!") { negated = true; continue; }
    if (w == "-A" && hasValue) { chainName = words[++i]; continue; }
    if (w == "-i" || w == "--in-interface") take(Field::InInterface);
    else if (w == "-p" || w == "--protocol") take(Field::Protocol);
    else if (w == "-s" || w == "--source") take(Field::Source);
    else if (w == "-d" || w == "--destination") take(Field::Destination);
    else if (w == "--state" || w == "--ctstate" || w == "--pkt-type") {
      RuleMatch m{w == "--pkt-type" ? Field::PacketType : Field::ConnState, negated, {}};
      if (hasValue) {
        std::string list = words[++i];
        std::transform(list.begin(), list.end(), list.begin(), [](unsigned char c) { return std::tolower(c); });
        std::stringstream in(list);
        for (std::string item; std::getline(in, item, ',');) m.values.push_back(item);
      }
      r.matches.push_back(std::move(m));
      negated = false;
    } else if (w == "-m" && hasValue) {
      const std::string& module = words[++i];
      // Modules whose options are read above, or that never change the verdict.
      if (module != "state" && module != "conntrack" && module != "pkttype" && module != "comment" &&
          !protocols.count(module))
        r.matches.push_back(RuleMatch{});
    } else if (w == "--comment" && hasValue) {
      ++i;
    } else if ((w == "-j" || w == "-g") && hasValue) {
      const std::string& target = words[++i];
      if (target == "ACCEPT") r.action = Action::Accept;
      else if (target == "DROP") r.action = Action::Drop;
      else if (target == "REJECT") r.action = Action::Reject;
      else if (target == "RETURN") r.action = Action::Return;
      else if (target == "LOG" || target == "NFLOG" || target == "MARK" || target == "CONNMARK" || target == "TRACE" ||
               target == "CT" || target == "NOTRACK")
        r.action = Action::Continue;
      else {
        r.action = w == "-j" ? Action::Jump : Action::Goto;
        r.target = target;
      }
      // Target options (--reject-with ...) follow; they change nothing here.
      while (i + 1 < words.size() && words[i + 1].rfind("--", 0) == 0 && words[i + 1] != "--comment") i += 2;
    } else if (w.rfind("--", 0) == 0) {
      // A module option (--dport 22 of -m tcp, ...): already accounted for by its module.
      if (hasValue && words[i + 1].rfind("-", 0) != 0) ++i;
    }
  }
  return r;
}

}  // namespace

Firewall parseIptablesSave(std::string_view text, vrrp::Family family) {
  Firewall firewall;
  firewall.tool = Firewall::Tool::Iptables;
  const std::string familyName = family == vrrp::Family::Ipv4 ? "ip" : "ip6";
  std::string table;
  std::map<std::string, std::size_t> index;  // chain -> position, within the current table
  auto chainAt = [&](const std::string& name) -> FirewallChain& {
    auto found = index.find(name);
    if (found != index.end()) return firewall.chains[found->second];
    FirewallChain chain;
    chain.table = table;
    chain.name = name;
    chain.family = familyName;
    chain.type = "filter";
    if (name == "PREROUTING") chain.hook = "prerouting";
    if (name == "INPUT") chain.hook = "input";
    // The tables' fixed priorities: raw -300, mangle -150, filter 0, security 50.
    chain.priority = table == "raw" ? -300 : table == "mangle" ? -150 : table == "security" ? 50 : 0;
    if (table == "nat") chain.type = "nat";
    index[name] = firewall.chains.size();
    firewall.chains.push_back(std::move(chain));
    return firewall.chains.back();
  };
  std::stringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '*') {
      table = line.substr(1);
      index.clear();
    } else if (line[0] == ':') {
      const auto words = splitWords(line.substr(1));
      if (words.empty()) continue;
      FirewallChain& chain = chainAt(words[0]);
      chain.policy = words.size() > 1 && words[1] == "DROP" ? Action::Drop : Action::Accept;
    } else if (line.rfind("-A ", 0) == 0) {
      std::string name;
      FirewallRule rule = parseIptablesRule(splitWords(line), name);
      rule.text = line.substr(3 + name.size() + 1);
      FirewallChain& chain = chainAt(name);
      rule.handle = std::to_string(chain.rules.size() + 1);
      chain.rules.push_back(std::move(rule));
    }
  }
  return firewall;
}

// ---------------------------------------------------------------- all sources

namespace {

std::set<std::string> savedTables(const std::string& text) {
  std::set<std::string> tables;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] == '*') tables.insert(line.substr(1));
  return tables;
}

bool usable(const ToolOutput& tool) { return tool.present && tool.status == 0; }

std::string firstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

std::vector<Finding> checkFirewalls(const FirewallInput& input, const std::vector<AdvertPath>& paths) {
  std::vector<Finding> out;
  auto unusable = [&](const ToolOutput& tool, const std::string& name, const std::string& what) {
    const auto said = [&](const char* text) { return tool.error.find(text) != std::string::npos; };
    if (!tool.present)
      out.push_back(ok("firewall", name + " is not installed: " + what + " not checked"));
    else if (said("Protocol not supported"))  // the kernel has no nf_tables: no such rules can exist
      out.push_back(ok("firewall", name + ": the kernel has no nf_tables, so there are no " + what));
    else
      out.push_back(warn("firewall", name + " failed (exit " + std::to_string(tool.status) + "): " +
                                         firstLine(tool.error) + "; " + what + " not checked",
                         said("not permitted") || said("Permission denied") ? "run tandemd --diagnose as root" : ""));
  };
  // iptables-nft keeps its rules in nftables tables named after the iptables tables: judge them once, as iptables.
  std::set<std::string> iptablesOwned;
  for (const auto* tool : {&input.iptablesSave, &input.ip6tablesSave}) {
    if (!usable(*tool) || tool->output.find("nf_tables") == std::string::npos) continue;
    const std::string family = tool == &input.iptablesSave ? "ip " : "ip6 ";
    for (const auto& table : savedTables(tool->output)) iptablesOwned.insert(family + table);
  }
  if (usable(input.nft)) {
    std::string error;
    if (auto firewall = parseNftRuleset(input.nft.output, error)) {
      std::erase_if(firewall->chains, [&](const FirewallChain& c) { return iptablesOwned.count(c.table) > 0; });
      auto findings = checkFirewall(*firewall, paths);
      out.insert(out.end(), findings.begin(), findings.end());
    } else {
      out.push_back(warn("firewall", "nft -j list ruleset: " + error + "; nftables rules not checked"));
    }
  } else {
    unusable(input.nft, "nft", "nftables rules");
  }
  const std::pair<const ToolOutput*, vrrp::Family> saves[] = {{&input.iptablesSave, vrrp::Family::Ipv4},
                                                              {&input.ip6tablesSave, vrrp::Family::Ipv6}};
  for (const auto& [tool, family] : saves) {
    std::vector<AdvertPath> ofFamily;
    std::copy_if(paths.begin(), paths.end(), std::back_inserter(ofFamily),
                 [&](const AdvertPath& p) { return p.family == family; });
    if (ofFamily.empty()) continue;
    const std::string name = family == vrrp::Family::Ipv4 ? "iptables-save" : "ip6tables-save";
    if (!usable(*tool)) {
      unusable(*tool, name, family == vrrp::Family::Ipv4 ? "iptables rules" : "ip6tables rules");
      continue;
    }
    auto findings = checkFirewall(parseIptablesSave(tool->output, family), ofFamily);
    out.insert(out.end(), findings.begin(), findings.end());
  }
  return out;
}

}  // namespace tandem::diagnose
