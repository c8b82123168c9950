// Readers for the one-entry-per-line blocks of the VRRP side: addresses, routes, rules, tracked
// objects, unicast peers, and the notify script statement.
#include <algorithm>
#include <array>

#include "parser/model_vrrp.h"

namespace tandem::config {
namespace {

std::vector<std::string> lineWords(const Node& line) {
  std::vector<std::string> words{line.keyword};
  for (const Token& t : line.args) words.push_back(t.text);
  return words;
}

template <std::size_t N>
bool oneOf(const std::string& word, const std::array<std::string_view, N>& names) {
  return std::find(names.begin(), names.end(), word) != names.end();
}

// keepalived resolves scopes through rt_scopes; these are the names every system has.
bool knownScope(const std::string& s) {
  static constexpr std::array<std::string_view, 6> names = {"global", "site", "link", "host", "nowhere", "universe"};
  return oneOf(s, names) || parseInteger(s).has_value();
}

std::optional<IpPrefix> readPrefixWord(const std::string& word) {
  if (word == "default" || word == "all") return IpPrefix{*parseIpAddress("0.0.0.0"), 0};
  if (word == "default6") return IpPrefix{*parseIpAddress("::"), 0};
  return parseIpPrefix(word);
}

const std::vector<std::string_view> kAddressOptions = {
    "dev",        "brd",           "broadcast", "scope",    "label",    "peer",        "home",         "-nodad",
    "mngtmpaddr", "noprefixroute", "autojoin",  "no_track", "use_vmac", "track_group", "preferred_lft"};

}  // namespace

int VirtualAddress::prefixLength() const {
  if (address.prefixLength >= 0) return address.prefixLength;
  return family() == 6 ? 128 : 32;
}

std::vector<std::string> VirtualAddress::words() const {
  std::vector<std::string> w{address.text()};
  auto add = [&](const char* key, const std::string& value) {
    if (!value.empty()) { w.push_back(key); w.push_back(value); }
  };
  add("dev", dev);
  add("brd", broadcast);
  add("scope", scope);
  add("label", label);
  if (peer) add("peer", peer->text());
  if (home) w.push_back("home");
  if (nodad) w.push_back("-nodad");
  if (mngtmpaddr) w.push_back("mngtmpaddr");
  if (noprefixroute) w.push_back("noprefixroute");
  if (autojoin) w.push_back("autojoin");
  if (noTrack) w.push_back("no_track");
  if (useVmac) w.push_back("use_vmac");
  add("track_group", trackGroup);
  add("preferred_lft", preferredLft);
  return w;
}

std::optional<VirtualAddress> readVirtualAddress(const Node& line, BuildContext& ctx) {
  const std::vector<std::string> w = lineWords(line);
  VirtualAddress a;
  a.where = line.where;
  auto prefix = parseIpPrefix(w[0]);
  if (!prefix || prefix->prefixLength == 0) {
    ctx.diags.error(line.where, "'" + w[0] + "' is not an IP address with an optional /prefix (1..32 or 1..128)");
    return std::nullopt;
  }
  a.address = *prefix;
  const bool v6 = a.family() == 6;
  bool ok = true;
  for (std::size_t i = 1; i < w.size() && ok; ++i) {
    const std::string& opt = w[i];
    auto value = [&]() -> const std::string* {
      if (i + 1 >= w.size()) {
        ctx.diags.error(line.where, "address " + w[0] + ": '" + opt + "' needs a value");
        ok = false;
        return nullptr;
      }
      return &w[++i];
    };
    if (opt == "dev") {
      if (const auto* v = value()) a.dev = *v;
    } else if (opt == "brd" || opt == "broadcast") {
      const auto* v = value();
      if (!v) break;
      if (v6) {
        ctx.diags.error(line.where, "address " + w[0] + ": IPv6 addresses have no broadcast address");
        ok = false;
      } else if (*v != "+" && *v != "-" && !(parseIpAddress(*v) && parseIpAddress(*v)->family == 4)) {
        ctx.diags.error(line.where, "address " + w[0] + ": broadcast '" + *v + "' is not an IPv4 address, '+' or '-'");
        ok = false;
      } else {
        a.broadcast = *v;
      }
    } else if (opt == "scope") {
      const auto* v = value();
      if (!v) break;
      if (!knownScope(*v))
        ctx.diags.warning(line.where, "address " + w[0] + ": scope '" + *v +
                                          "' is not global, site, link, host, nowhere or a number");
      if (v6) ctx.diags.warning(line.where, "address " + w[0] + ": scope is ignored for IPv6 addresses");
      else a.scope = *v;
    } else if (opt == "label") {
      const auto* v = value();
      if (!v) break;
      if (v6) ctx.diags.warning(line.where, "address " + w[0] + ": label is ignored for IPv6 addresses");
      else a.label = *v;
    } else if (opt == "peer") {
      const auto* v = value();
      if (!v) break;
      auto p = parseIpPrefix(*v);
      if (!p || p->address.family != a.family()) {
        ctx.diags.error(line.where, "address " + w[0] + ": peer '" + *v + "' is not an IPv" +
                                        std::to_string(a.family()) + " address");
        ok = false;
      } else {
        a.peer = *p;
      }
    } else if (opt == "preferred_lft") {
      const auto* v = value();
      if (!v) break;
      if (*v != "forever" && !parseInteger(*v)) {
        ctx.diags.error(line.where, "address " + w[0] + ": preferred_lft '" + *v + "' is not a number of seconds or 'forever'");
        ok = false;
      } else {
        a.preferredLft = *v;
      }
    } else if (opt == "track_group") {
      if (const auto* v = value()) a.trackGroup = *v;
    } else if (opt == "home") {
      a.home = true;
    } else if (opt == "-nodad") {
      a.nodad = true;
    } else if (opt == "mngtmpaddr") {
      a.mngtmpaddr = true;
    } else if (opt == "noprefixroute") {
      a.noprefixroute = true;
    } else if (opt == "autojoin") {
      a.autojoin = true;
    } else if (opt == "no_track") {
      a.noTrack = true;
    } else if (opt == "use_vmac") {
      a.useVmac = true;
    } else {
      // keepalived logs and skips an unknown word; so do we, loudly.
      std::string message = "address " + w[0] + ": unknown option '" + opt + "' is ignored";
      if (auto guess = closestKeyword(opt, kAddressOptions)) message += "; did you mean '" + *guess + "'?";
      ctx.diags.warning(line.where, message);
    }
  }
  if (!ok) return std::nullopt;
  return a;
}

namespace {

// ip-route / ip-rule options that take one value; their values must not be mistaken for addresses.
constexpr std::array<std::string_view, 32> kRouteValueOptions = {
    "tos", "dsfield", "protocol", "proto", "scope", "mtu", "hoplimit", "advmss", "rtt", "rttvar", "reordering",
    "window", "cwnd", "ssthresh", "realms", "rto_min", "initcwnd", "initrwnd", "features", "congctl", "quickack",
    "fastopen_no_cookie", "pref", "ttl-propagate", "weight", "type", "encap", "mtu_lock", "expires", "nhid",
    "as", "vrf"};
constexpr std::array<std::string_view, 10> kRouteTypes = {"unicast",   "blackhole", "unreachable", "prohibit",
                                                           "throw",     "local",     "broadcast",   "anycast",
                                                           "multicast", "nat"};

}  // namespace

std::optional<IpRoute> readIpRoute(const Node& line, BuildContext& ctx) {
  IpRoute r;
  r.where = line.where;
  r.words = lineWords(line);
  const auto& w = r.words;
  bool inNexthop = false;
  bool forcedV6 = false;
  std::size_t i = 0;
  if (oneOf(w[0], kRouteTypes)) r.type = w[i++];
  for (; i < w.size(); ++i) {
    const std::string& word = w[i];
    const bool hasValue = i + 1 < w.size();
    if (word == "nexthop") {
      inNexthop = true;
    } else if (word == "inet6") {
      forcedV6 = true;
    } else if (word == "inet") {
      forcedV6 = false;
    } else if ((word == "via" || word == "gw") && hasValue) {
      std::size_t at = i + 1;
      if ((w[at] == "inet" || w[at] == "inet6") && at + 1 < w.size()) ++at;
      auto a = parseIpAddress(w[at]);
      if (!a) {
        ctx.diags.error(line.where, "route: gateway '" + w[at] + "' is not an IP address");
        return std::nullopt;
      }
      if (!inNexthop && !r.via) r.via = a;
      i = at;
    } else if (word == "src" && hasValue) {
      auto a = parseIpAddress(w[i + 1]);
      if (!a) {
        ctx.diags.error(line.where, "route: source '" + w[i + 1] + "' is not an IP address");
        return std::nullopt;
      }
      r.src = a;
      ++i;
    } else if (word == "to" && hasValue) {
      auto p = readPrefixWord(w[i + 1]);
      if (!p) {
        ctx.diags.error(line.where, "route: destination '" + w[i + 1] + "' is not an address/prefix or 'default'");
        return std::nullopt;
      }
      r.destination = p;
      ++i;
    } else if ((word == "dev" || word == "oif") && hasValue) {
      if (!inNexthop && r.dev.empty()) r.dev = w[i + 1];
      ++i;
    } else if ((word == "table" || word == "lookup") && hasValue) {
      r.table = w[++i];
    } else if ((word == "metric" || word == "priority" || word == "preference") && hasValue) {
      r.metric = parseInteger(w[++i]);
    } else if (word == "or" && hasValue) {
      ++i;
    } else if (word == "track_group" && hasValue) {
      r.trackGroup = w[++i];
    } else if (word == "no_track") {
      r.noTrack = true;
    } else if (oneOf(word, kRouteValueOptions) && hasValue) {
      ++i;
      if (w[i] == "lock" && i + 1 < w.size()) ++i;
    } else if (!r.destination) {
      if (auto p = readPrefixWord(word)) r.destination = p;
    }
  }
  if (!r.destination) {
    std::string text;
    for (const auto& word : w) text += (text.empty() ? "" : " ") + word;
    ctx.diags.error(line.where, "route '" + text + "' has no destination (ADDRESS/PREFIX or 'default')");
    return std::nullopt;
  }
  r.family = w[0] == "default6" || forcedV6 ? 6 : r.destination->address.family;
  if (r.destination->prefixLength == 0 && r.destination->address.family != r.family)
    r.destination->address = *parseIpAddress(r.family == 6 ? "::" : "0.0.0.0");
  if (r.destination->address.family != r.family) r.family = r.destination->address.family;
  if (r.via && r.via->family != r.family && !inNexthop) {
    // Linux allows an IPv4 route via an IPv6 gateway (RFC 5549), the other way round never.
    if (r.family == 6) {
      ctx.diags.error(line.where, "route: gateway " + r.via->text() + " is IPv4 but the destination is IPv6");
      return std::nullopt;
    }
  }
  return r;
}

namespace {
constexpr std::array<std::string_view, 16> kRuleValueOptions = {
    "tos", "dsfield", "fwmark", "realms", "goto", "uidrange", "ip_proto", "ipproto", "sport", "dport",
    "protocol", "suppress_prefixlength", "suppress_ifgroup", "nat", "type", "l3mdev_table"};
}  // namespace

std::optional<IpRule> readIpRule(const Node& line, BuildContext& ctx) {
  IpRule r;
  r.where = line.where;
  r.words = lineWords(line);
  const auto& w = r.words;
  bool forcedV6 = false;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const std::string& word = w[i];
    const bool hasValue = i + 1 < w.size();
    auto prefix = [&](std::optional<IpPrefix>& slot) {
      auto p = readPrefixWord(w[i + 1]);
      if (!p) {
        ctx.diags.error(line.where, "rule: '" + word + " " + w[i + 1] + "' is not an address/prefix or 'all'");
        return false;
      }
      if (w[i + 1] != "all") slot = p;
      ++i;
      return true;
    };
    if (word == "from" && hasValue) {
      if (!prefix(r.from)) return std::nullopt;
    } else if (word == "to" && hasValue) {
      if (!prefix(r.to)) return std::nullopt;
    } else if ((word == "table" || word == "lookup") && hasValue) {
      r.table = w[++i];
    } else if ((word == "preference" || word == "priority" || word == "pref" || word == "order") && hasValue) {
      r.preference = parseInteger(w[++i]);
    } else if ((word == "iif" || word == "dev") && hasValue) {
      r.iif = w[++i];
    } else if (word == "oif" && hasValue) {
      r.oif = w[++i];
    } else if (word == "track_group" && hasValue) {
      r.trackGroup = w[++i];
    } else if (word == "no_track") {
      r.noTrack = true;
    } else if (word == "inet6") {
      forcedV6 = true;
    } else if (oneOf(word, kRuleValueOptions) && hasValue) {
      ++i;
    }
  }
  if (r.from && r.to && r.from->address.family != r.to->address.family) {
    ctx.diags.error(line.where, "rule: 'from' and 'to' are of different address families");
    return std::nullopt;
  }
  r.family = r.from ? r.from->address.family : r.to ? r.to->address.family : forcedV6 ? 6 : 4;
  return r;
}

std::vector<std::string> TrackedRef::words() const {
  std::vector<std::string> w{name};
  if (weight) {
    w.push_back("weight");
    w.push_back(std::to_string(*weight));
    if (reverse) w.push_back("reverse");
    if (noreverse) w.push_back("noreverse");
  }
  return w;
}

std::optional<TrackedRef> readTrackedRef(const Node& line, std::string_view block, int minWeight, int maxWeight,
                                         BuildContext& ctx) {
  TrackedRef r;
  r.where = line.where;
  r.name = line.keyword;
  const auto& a = line.args;
  const std::string where = "'" + std::string(block) + "' " + r.name;
  if (a.empty()) return r;
  if (a[0].text != "weight") {
    ctx.diags.error(line.where, where + ": unknown option '" + a[0].text + "' (expected 'weight N [reverse]')");
    return std::nullopt;
  }
  if (a.size() < 2) {
    ctx.diags.error(line.where, where + ": 'weight' needs a number " + std::to_string(minWeight) + ".." +
                                    std::to_string(maxWeight));
    return std::nullopt;
  }
  auto v = parseInteger(a[1].text);
  if (!v || *v < minWeight || *v > maxWeight) {
    ctx.diags.error(line.where, where + ": weight '" + a[1].text + "' is out of range " + std::to_string(minWeight) +
                                    ".." + std::to_string(maxWeight));
    return std::nullopt;
  }
  r.weight = static_cast<int>(*v);
  for (std::size_t i = 2; i < a.size(); ++i) {
    if (a[i].text == "reverse") r.reverse = true;
    else if (a[i].text == "noreverse") r.noreverse = true;
    else {
      ctx.diags.error(line.where, where + ": unknown option '" + a[i].text + "' (expected 'reverse' or 'noreverse')");
      return std::nullopt;
    }
  }
  return r;
}

std::vector<std::string> UnicastPeer::words() const {
  std::vector<std::string> w{address.text()};
  if (minTtl) { w.push_back("min_ttl"); w.push_back(std::to_string(*minTtl)); }
  if (maxTtl) { w.push_back("max_ttl"); w.push_back(std::to_string(*maxTtl)); }
  return w;
}

std::optional<UnicastPeer> readUnicastPeer(const Node& line, BuildContext& ctx) {
  UnicastPeer p;
  p.where = line.where;
  auto a = parseIpAddress(line.keyword);
  if (!a) {
    ctx.diags.error(line.where, "'unicast_peer': '" + line.keyword + "' is not an IPv4 or IPv6 address");
    return std::nullopt;
  }
  p.address = *a;
  for (std::size_t i = 0; i < line.args.size(); i += 2) {
    const std::string& opt = line.args[i].text;
    if ((opt != "min_ttl" && opt != "max_ttl") || i + 1 >= line.args.size()) {
      ctx.diags.error(line.where, "'unicast_peer' " + line.keyword + ": expected 'min_ttl N' or 'max_ttl N', got '" +
                                      opt + "'");
      return std::nullopt;
    }
    auto v = parseInteger(line.args[i + 1].text);
    if (!v || *v < 0 || *v > 255) {
      ctx.diags.error(line.where, "'unicast_peer' " + line.keyword + ": " + opt + " '" + line.args[i + 1].text +
                                      "' is out of range 0..255");
      return std::nullopt;
    }
    (opt == "min_ttl" ? p.minTtl : p.maxTtl) = static_cast<int>(*v);
  }
  if (p.minTtl && p.maxTtl && *p.minTtl > *p.maxTtl) {
    ctx.diags.error(line.where, "'unicast_peer' " + line.keyword + ": min_ttl is greater than max_ttl");
    return std::nullopt;
  }
  return p;
}

}  // namespace tandem::config
