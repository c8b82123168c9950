#include "parser/model.h"

#include <algorithm>
#include <cstring>

#include "parser/model_checkers.h"
#include "parser/model_lvs_fields.h"

namespace tandem::config {

std::vector<std::string> RealServer::blockArgs() const { return lvs::serverAddressWords(server); }

std::vector<std::string> VirtualServer::blockArgs() const {
  switch (kind) {
    case VirtualServerKind::Fwmark: return {"fwmark", std::to_string(fwmark)};
    case VirtualServerKind::Group: return {"group", group};
    case VirtualServerKind::Address: break;
  }
  return lvs::serverAddressWords(server);
}

std::string VirtualServer::describe() const {
  std::string out = "virtual_server";
  for (const auto& word : blockArgs()) out += " " + word;
  return out;
}

const VirtualServerGroup* LvsSection::findGroup(std::string_view name) const {
  for (const auto& g : groups)
    if (g.name == name) return &g;
  return nullptr;
}

namespace lvs {
namespace {

using VS = VirtualServer;
using RS = RealServer;

constexpr long long kUintMax = 4294967295LL;
constexpr long long kMaxWeight = 65535;             // ipvsadm's documented weight range
constexpr long long kMaxPersistence = 86400LL * 31;  // keepalived's LVS_MAX_TIMEOUT

const EnumTable<Scheduler>& schedulerTable() {
  static const EnumTable<Scheduler> table = {
      {"rr", Scheduler::Rr},   {"wrr", Scheduler::Wrr}, {"lc", Scheduler::Lc},   {"wlc", Scheduler::Wlc},
      {"lblc", Scheduler::Lblc}, {"lblcr", Scheduler::Lblcr}, {"dh", Scheduler::Dh}, {"sh", Scheduler::Sh},
      {"sed", Scheduler::Sed}, {"nq", Scheduler::Nq},   {"fo", Scheduler::Fo},   {"ovf", Scheduler::Ovf},
      {"mh", Scheduler::Mh},   {"twos", Scheduler::Twos}};
  return table;
}

Keyword<VS> ipFamilyKeyword() {
  return custom<VS>(
      "ip_family",
      [](VS& vs, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 1, ctx)) return;
        if (auto i = readChoice(n, 0, {"inet", "inet6"}, false, ctx)) vs.ip_family = *i == 0 ? 4 : 6;
      },
      [](const VS& vs, DumpWriter& out) {
        if (vs.ip_family) out.text("ip_family", {*vs.ip_family == 4 ? "inet" : "inet6"});
      });
}

Keyword<VS> persistenceTimeoutKeyword() {
  return custom<VS>(
      "persistence_timeout",
      [](VS& vs, const Node& n, BuildContext& ctx) {
        // Alone, the keyword means keepalived's default of six minutes.
        if (n.args.empty()) { vs.persistence_timeout = kDefaultPersistenceTimeout; return; }
        expectArgs(n, 1, 1, ctx);
        if (n.args[0].text == "0") {
          // keepalived rejects 0 and keeps the service non-persistent, which is what 0 asks for.
          ctx.diags.warning(n.where, "'persistence_timeout 0' means no persistence; remove the line");
          return;
        }
        if (auto v = readInteger(n, 0, 1, kMaxPersistence, ctx)) vs.persistence_timeout = *v;
      },
      [](const VS& vs, DumpWriter& out) {
        if (vs.persistence_timeout) out.integer("persistence_timeout", *vs.persistence_timeout);
      });
}

Keyword<VS> persistenceGranularityKeyword() {
  return custom<VS>(
      "persistence_granularity",
      [](VS& vs, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 1, ctx)) return;
        const std::string& word = n.args[0].text;
        // keepalived tells the two forms apart by the dot: an IPv4 netmask, or an IPv6 prefix length.
        const bool ok = word.find('.') != std::string::npos
                            ? parseIpAddress(word).has_value() && parseIpAddress(word)->family == 4
                            : parseInteger(word).value_or(0) >= 1 && parseInteger(word).value_or(0) <= 128;
        if (!ok) {
          ctx.diags.error(n.where, "'persistence_granularity': '" + word +
                                       "' is neither an IPv4 netmask nor an IPv6 prefix length 1..128");
          return;
        }
        vs.persistence_granularity = word;
      },
      [](const VS& vs, DumpWriter& out) {
        if (!vs.persistence_granularity.empty()) out.text("persistence_granularity", {vs.persistence_granularity});
      });
}

Keyword<VS> sorryServerKeyword() {
  return custom<VS>(
      "sorry_server",
      [](VS& vs, const Node& n, BuildContext& ctx) {
        if (auto s = readServerAddress(n, 0, ctx)) vs.sorry_server = *s;
      },
      [](const VS& vs, DumpWriter& out) {
        if (vs.sorry_server) out.text("sorry_server", serverAddressWords(*vs.sorry_server));
      });
}

}  // namespace

const Schema<RS>& realServerSchema() {
  static const Schema<RS> schema = [] {
    std::vector<Keyword<RS>> k = {
        intField("weight", &RS::weight, 0, kMaxWeight),
        forwardingField("lvs_method", &RS::lvs_method),
        intField("uthreshold", &RS::uthreshold, 0, kUintMax),
        intField("lthreshold", &RS::lthreshold, 0, kUintMax),
        optionalFlagField("inhibit_on_failure", &RS::inhibit_on_failure),
        notifyField("notify_up", &RS::notify_up),
        notifyField("notify_down", &RS::notify_down),
        optionalFlagField("alpha", &RS::alpha),
        intField("retry", &RS::retry, 1, kUintMax),
        timerField("delay_before_retry", &RS::delay_before_retry, true),
        timerField("warmup", &RS::warmup, true),
        timerField("connect_timeout", &RS::connect_timeout, false, kMaxConnectTimeout),
        timerField("delay_loop", &RS::delay_loop, false),
        optionalFlagField("smtp_alert", &RS::smtp_alert),
        wordField("virtualhost", &RS::virtualhost),
        wordField("snmp_name", &RS::snmp_name),
    };
    for (auto& kw : checkerKeywords()) k.push_back(std::move(kw));
    return Schema<RS>("real_server", std::move(k));
  }();
  return schema;
}

const Schema<VS>& virtualServerSchema() {
  static const Schema<VS> schema("virtual_server", {
      ipFamilyKeyword(),
      choiceField("lvs_sched", &VS::lvs_sched, schedulerTable(), false),
      deprecated<VS>("lb_algo", "lvs_sched"),
      flagField("hashed", &VS::hashed),
      flagField("ops", &VS::ops),
      flagField("flag-1", &VS::flag_1),
      flagField("flag-2", &VS::flag_2),
      flagField("flag-3", &VS::flag_3),
      flagField("sh-port", &VS::sh_port),
      flagField("sh-fallback", &VS::sh_fallback),
      flagField("mh-port", &VS::mh_port),
      flagField("mh-fallback", &VS::mh_fallback),
      forwardingField("lvs_method", &VS::lvs_method),
      deprecated<VS>("lb_kind", "lvs_method"),
      wordField("persistence_engine", &VS::persistence_engine),
      persistenceTimeoutKeyword(),
      persistenceGranularityKeyword(),
      choiceField("protocol", &VS::protocol,
                  EnumTable<Protocol>{{"TCP", Protocol::Tcp}, {"UDP", Protocol::Udp}, {"SCTP", Protocol::Sctp}}, true),
      flagField("ha_suspend", &VS::ha_suspend),
      optionalFlagField("smtp_alert", &VS::smtp_alert),
      wordField("virtualhost", &VS::virtualhost),
      wordField("snmp_name", &VS::snmp_name),
      flagField("alpha", &VS::alpha),
      flagField("omega", &VS::omega),
      intField("quorum", &VS::quorum, 1, kUintMax),
      intField("hysteresis", &VS::hysteresis, 0, kUintMax),
      notifyField("quorum_up", &VS::quorum_up),
      notifyField("quorum_down", &VS::quorum_down),
      intField("weight", &VS::weight, 1, kMaxWeight),
      sorryServerKeyword(),
      flagField("sorry_server_inhibit", &VS::sorry_server_inhibit),
      forwardingField("sorry_server_lvs_method", &VS::sorry_server_lvs_method),
      timerField("connect_timeout", &VS::connect_timeout, false, kMaxConnectTimeout),
      intField("retry", &VS::retry, 1, kUintMax),
      timerField("delay_before_retry", &VS::delay_before_retry, true),
      timerField("warmup", &VS::warmup, true),
      timerField("delay_loop", &VS::delay_loop, false),
      flagField("inhibit_on_failure", &VS::inhibit_on_failure),
      namedBlocks("real_server", &VS::real_servers, realServerSchema(),
                  std::function<void(RS&, const Node&, BuildContext&)>([](RS& rs, const Node& n, BuildContext& ctx) {
                    if (auto s = readServerAddress(n, 0, ctx)) rs.server = *s;
                  })),
  });
  return schema;
}

namespace {

// The header of a virtual_server block: ADDRESS [PORT] | fwmark N | group NAME.
bool readVirtualServerHeader(VS& vs, const Node& n, BuildContext& ctx) {
  if (n.args.empty()) {
    ctx.diags.error(n.where, "'virtual_server' expects ADDRESS [PORT], 'fwmark N' or 'group NAME'");
    return false;
  }
  const std::string& first = n.args[0].text;
  if (first == "fwmark" || first == "group") {
    if (n.args.size() != 2) {
      ctx.diags.error(n.where, "'virtual_server " + first + "' expects one " + (first == "fwmark" ? "mark" : "group name"));
      return false;
    }
    if (first == "group") {
      vs.kind = VirtualServerKind::Group;
      vs.group = n.args[1].text;
      return true;
    }
    auto mark = readInteger(n, 1, 1, kUintMax, ctx);
    if (!mark) return false;
    vs.kind = VirtualServerKind::Fwmark;
    vs.fwmark = static_cast<std::uint32_t>(*mark);
    return true;
  }
  auto s = readServerAddress(n, 0, ctx);
  if (!s) return false;
  vs.server = *s;
  return true;
}

Keyword<Config> virtualServerKeyword() {
  Keyword<Config> k = custom<Config>(
      "virtual_server",
      [](Config& c, const Node& n, BuildContext& ctx) {
        VS vs;
        vs.meta.where = n.where;
        const bool headerOk = readVirtualServerHeader(vs, n, ctx);
        if (!n.hasBlock) { ctx.diags.error(n.where, "'virtual_server' expects a block { ... }"); return; }
        // A bad header still gets its block read, so every mistake is reported in one pass.
        virtualServerSchema().read(vs, n.children, ctx);
        if (headerOk) c.lvs.virtual_servers.push_back(std::move(vs));
      },
      [](const Config& c, DumpWriter& out) {
        for (const VS& vs : c.lvs.virtual_servers) {
          out.open("virtual_server", vs.blockArgs());
          virtualServerSchema().write(vs, out);
          out.close();
        }
      },
      true);
  k.open = [](Config& c, const Node& n, BuildContext& ctx) {
    VS& vs = c.lvs.virtual_servers.emplace_back();
    vs.meta.where = n.where;
    const bool headerOk = readVirtualServerHeader(vs, n, ctx);
    // As above: the block is read either way, and the virtual server dropped after it when its header was bad.
    return openBlock(virtualServerSchema(), vs, [&c, headerOk](BuildContext& end) {
      if (!headerOk) {
        c.lvs.virtual_servers.pop_back();
      } else if (end.earlyLvs) {
        end.earlyLvs->check(c.lvs, c.lvs.virtual_servers.size() - 1);
      }
    });
  };
  return k;
}

// Sets every bit after the prefix: the last address of the block.
IpAddress withHostBits(IpAddress a, int prefixLength) {
  const int total = a.family == 6 ? 128 : 32;
  for (int bit = prefixLength; bit < total; ++bit) a.bytes[bit / 8] |= static_cast<std::uint8_t>(0x80 >> (bit % 8));
  return a;
}

std::optional<VirtualServerGroupEntry> readGroupAddress(const Node& line, BuildContext& ctx) {
  VirtualServerGroupEntry e;
  e.where = line.where;
  e.text = line.keyword;
  const std::string& text = line.keyword;
  auto fail = [&](const std::string& why) {
    ctx.diags.error(line.where, "virtual_server_group: '" + text + "' " + why);
    return std::nullopt;
  };
  if (auto slash = text.find('/'); slash != std::string::npos) {
    auto prefix = parseIpPrefix(text);
    if (!prefix || prefix->prefixLength <= 0) return fail("is not an address/prefix");
    e.first = prefix->address;
    e.last = withHostBits(prefix->address, prefix->prefixLength);
    IpAddress masked = e.first;
    const int total = masked.family == 6 ? 128 : 32;
    for (int bit = prefix->prefixLength; bit < total; ++bit)
      masked.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
    if (!(masked == e.first)) return fail("has host bits set beyond the prefix");
  } else if (auto dash = text.find('-'); dash != std::string::npos) {
    auto start = parseIpAddress(text.substr(0, dash));
    if (!start) return fail("is not an address range");
    const std::string end = text.substr(dash + 1);
    e.first = *start;
    if (end.find(start->family == 6 ? ':' : '.') != std::string::npos) {
      auto last = parseIpAddress(end);
      if (!last || last->family != start->family) return fail("is not an address range");
      e.last = *last;
      if (e.last < e.first) return fail("ends before it starts");
    } else {
      // The short form replaces the last byte (IPv4, decimal) or last group (IPv6, hex).
      const bool v6 = start->family == 6;
      char* stop = nullptr;
      const unsigned long value = std::strtoul(end.c_str(), &stop, v6 ? 16 : 10);
      if (end.empty() || *stop != '\0' || value > (v6 ? 0xffffUL : 255UL)) return fail("has a bad range end");
      e.last = *start;
      if (v6) {
        e.last.bytes[14] = static_cast<std::uint8_t>(value >> 8);
        e.last.bytes[15] = static_cast<std::uint8_t>(value & 0xff);
      } else {
        e.last.bytes[3] = static_cast<std::uint8_t>(value);
      }
      if (!(e.first < e.last)) return fail("does not end after it starts");
    }
  } else {
    auto a = parseIpAddress(text);
    if (!a) return fail("is not an address, address range or 'fwmark N'");
    e.first = e.last = *a;
  }
  if (!line.args.empty()) {
    auto port = parseInteger(line.args[0].text);
    if (!port || *port < 0 || *port > 65535) return fail("port '" + line.args[0].text + "' is not in 0..65535");
    e.port = static_cast<int>(*port);
  }
  if (line.args.size() > 1) ctx.diags.warning(line.where, "virtual_server_group: extra words after the port ignored");
  return e;
}

std::optional<VirtualServerGroupEntry> readGroupLine(const Node& line, BuildContext& ctx) {
  if (line.hasBlock) {
    ctx.diags.error(line.where, "virtual_server_group lines take an address or 'fwmark N', not a block");
    return std::nullopt;
  }
  if (line.keyword != "fwmark") return readGroupAddress(line, ctx);
  VirtualServerGroupEntry e;
  e.kind = VirtualServerGroupEntry::Kind::Fwmark;
  e.where = line.where;
  if (!expectArgs(line, 1, 2, ctx)) return std::nullopt;
  auto mark = readInteger(line, 0, 1, kUintMax, ctx);
  if (!mark) return std::nullopt;
  e.fwmark = static_cast<std::uint32_t>(*mark);
  if (line.args.size() == 2) {
    auto family = readChoice(line, 1, {"inet", "inet6"}, false, ctx);
    if (!family) return std::nullopt;
    e.fwmarkFamily = *family == 0 ? 4 : 6;
  }
  return e;
}

std::vector<std::string> groupLineWords(const VirtualServerGroupEntry& e) {
  if (e.kind == VirtualServerGroupEntry::Kind::Fwmark) {
    std::vector<std::string> words{"fwmark", std::to_string(e.fwmark)};
    if (e.fwmarkFamily) words.push_back(*e.fwmarkFamily == 4 ? "inet" : "inet6");
    return words;
  }
  std::vector<std::string> words{e.text};
  if (e.port) words.push_back(std::to_string(e.port));
  return words;
}

Keyword<Config> virtualServerGroupKeyword() {
  return custom<Config>(
      "virtual_server_group",
      [](Config& c, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 1, ctx)) return;
        if (!n.hasBlock) { ctx.diags.error(n.where, "'virtual_server_group' expects a block { ... }"); return; }
        VirtualServerGroup g;
        g.meta.where = n.where;
        g.name = n.args[0].text;
        for (const Node& line : n.children)
          if (auto e = readGroupLine(line, ctx)) g.entries.push_back(*e);
        c.lvs.groups.push_back(std::move(g));
      },
      [](const Config& c, DumpWriter& out) {
        for (const VirtualServerGroup& g : c.lvs.groups) {
          out.open("virtual_server_group", {g.name});
          for (const auto& e : g.entries) out.item(groupLineWords(e));
          out.close();
        }
      },
      true);
}

}  // namespace
}  // namespace lvs

std::vector<Keyword<Config>> lvsTopLevelKeywords() {
  return {lvs::virtualServerGroupKeyword(), lvs::virtualServerKeyword()};
}

// ---- effective values ----

Scheduler effectiveScheduler(const VirtualServer& vs) { return vs.lvs_sched.value_or(Scheduler::Wlc); }

// keepalived leaves the protocol unset and the kernel then uses UDP; keepalived warns and says so.
Protocol effectiveProtocol(const VirtualServer& vs) { return vs.protocol.value_or(Protocol::Udp); }

Forwarding effectiveForwarding(const VirtualServer& vs) { return vs.lvs_method.value_or(Forwarding{}); }

EffectiveRealServer effectiveRealServer(const VirtualServer& vs, const RealServer& rs) {
  EffectiveRealServer e;
  e.server = rs.server;
  e.forwarding = rs.lvs_method.value_or(effectiveForwarding(vs));
  e.weight = rs.weight.value_or(vs.weight.value_or(1));
  e.inhibit_on_failure = rs.inhibit_on_failure.value_or(vs.inhibit_on_failure);
  e.alpha = rs.alpha.value_or(vs.alpha);
  // As keepalived does: NAT fills a missing port from the service; DR/TUN cannot remap ports, so
  // they take the service's port, or none for a fwmark service.
  if (vs.kind == VirtualServerKind::Address) {
    if (e.forwarding.method != LvsMethod::Nat || e.server.port == 0) e.server.port = vs.server.port;
  } else if (vs.kind == VirtualServerKind::Fwmark && e.forwarding.method != LvsMethod::Nat) {
    e.server.port = 0;
  }
  return e;
}

EffectiveChecker effectiveChecker(const VirtualServer& vs, const RealServer& rs, const Checker& c) {
  EffectiveChecker e;
  const EffectiveRealServer server = effectiveRealServer(vs, rs);
  e.connect_ip = c.connect_ip.value_or(server.server.address);
  // The real server's own port, even where IPVS forwards to the service's port (DR, TUN): keepalived checks the
  // port written on the real_server line, and a real server without one on the service's port.
  const int ownPort = rs.server.port != 0 || vs.kind != VirtualServerKind::Address ? rs.server.port : vs.server.port;
  e.connect_port = c.connect_port.value_or(ownPort);
  auto pick = [](const auto& checker, const auto& real, const auto& virt, auto fallback) {
    return checker ? *checker : real ? *real : virt ? *virt : fallback;
  };
  e.connect_timeout = pick(c.connect_timeout, rs.connect_timeout, vs.connect_timeout, kDefaultConnectTimeout);
  e.delay_loop = pick(c.delay_loop, rs.delay_loop, vs.delay_loop, kDefaultDelayLoop);
  e.warmup = pick(c.warmup, rs.warmup, vs.warmup, e.delay_loop);
  const long long defaultRetry = c.type == CheckerType::Misc ? 0 : c.type == CheckerType::Dns ? 3 : 1;
  e.retry = pick(c.retry, rs.retry, vs.retry, defaultRetry);
  const double defaultDelayBeforeRetry = c.type == CheckerType::Http || c.type == CheckerType::Ssl ? 3
                                         : c.type == CheckerType::Dns                              ? e.delay_loop
                                                                                                   : 1;
  e.delay_before_retry = pick(c.delay_before_retry, rs.delay_before_retry, vs.delay_before_retry, defaultDelayBeforeRetry);
  e.alpha = c.alpha.value_or(server.alpha);
  e.virtualhost = pick(c.http().virtualhost, rs.virtualhost, vs.virtualhost, std::string());
  // keepalived times a script out after the service's delay_loop when misc_timeout is unset or 0.
  e.misc_timeout = c.misc().misc_timeout && *c.misc().misc_timeout > 0 ? static_cast<double>(*c.misc().misc_timeout)
                                                          : vs.delay_loop.value_or(kDefaultDelayLoop);
  return e;
}

}  // namespace tandem::config
