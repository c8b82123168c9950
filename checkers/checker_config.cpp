#include "checkers/checker_config.h"

#include <cmath>

#include "checkers/script_words.h"

namespace tandem::check {
namespace {

using config::Checker;
using config::CheckerType;
using config::RealServer;
using config::VirtualServer;
using config::VirtualServerKind;

// A group range of more addresses than this is refused here as it is by keepalived's parser (a /16 of services
// is a typing error, not a load balancer).
constexpr std::size_t kMaxRangeAddresses = 65536;

Duration duration(double seconds) { return Duration{std::llround(seconds * 1e6)}; }
std::chrono::milliseconds millis(double seconds) { return std::chrono::milliseconds{std::llround(seconds * 1000)}; }

std::string location(const config::Location& where) {
  return where.valid() ? where.fileName() + ":" + std::to_string(where.line) + ": " : "";
}

std::string schedulerName(config::Scheduler s) {
  using S = config::Scheduler;
  switch (s) {
    case S::Rr: return "rr";
    case S::Wrr: return "wrr";
    case S::Lc: return "lc";
    case S::Wlc: return "wlc";
    case S::Lblc: return "lblc";
    case S::Lblcr: return "lblcr";
    case S::Dh: return "dh";
    case S::Sh: return "sh";
    case S::Sed: return "sed";
    case S::Nq: return "nq";
    case S::Fo: return "fo";
    case S::Ovf: return "ovf";
    case S::Mh: return "mh";
    case S::Twos: return "twos";
  }
  return "wlc";
}

ipvs::Protocol protocolOf(config::Protocol p) {
  switch (p) {
    case config::Protocol::Tcp: return ipvs::Protocol::Tcp;
    case config::Protocol::Udp: return ipvs::Protocol::Udp;
    case config::Protocol::Sctp: return ipvs::Protocol::Sctp;
  }
  return ipvs::Protocol::Tcp;
}

ipvs::ForwardingMethod methodOf(config::LvsMethod m) {
  switch (m) {
    case config::LvsMethod::Nat: return ipvs::ForwardingMethod::Nat;
    case config::LvsMethod::Dr: return ipvs::ForwardingMethod::Dr;
    case config::LvsMethod::Tun: return ipvs::ForwardingMethod::Tun;
  }
  return ipvs::ForwardingMethod::Nat;
}

// persistence_granularity: an IPv4 netmask ("255.255.255.0") or an IPv6 prefix length ("64").
std::optional<std::uint8_t> prefixOf(const std::string& granularity) {
  if (granularity.empty()) return std::nullopt;
  if (granularity.find('.') == std::string::npos) return static_cast<std::uint8_t>(std::stoi(granularity));
  const auto mask = config::parseIpAddress(granularity);
  if (!mask) return std::nullopt;
  std::uint8_t bits = 0;
  for (int i = 0; i < 4; ++i)
    for (int b = 7; b >= 0; --b)
      if (mask->bytes[i] & (1u << b)) ++bits;
  return bits;
}

std::uint32_t flagsOf(const VirtualServer& vs) {
  namespace f = ipvs::svc_flag;
  std::uint32_t flags = 0;
  if (vs.persistence_timeout) flags |= f::kPersistent;
  if (vs.hashed) flags |= f::kHashed;
  if (vs.ops) flags |= f::kOnePacket;
  if (vs.flag_1 || vs.sh_fallback || vs.mh_fallback) flags |= f::kSched1;
  if (vs.flag_2 || vs.sh_port || vs.mh_port) flags |= f::kSched2;
  if (vs.flag_3) flags |= f::kSched3;
  return flags;
}

ipvs::Service serviceWith(const VirtualServer& vs, const ipvs::ServiceKey& key) {
  ipvs::Service service;
  service.key = key;
  service.scheduler = schedulerName(config::effectiveScheduler(vs));
  service.flags = flagsOf(vs);
  if (vs.persistence_timeout) {
    service.timeout = static_cast<std::uint32_t>(*vs.persistence_timeout);
    service.netmaskPrefix = prefixOf(vs.persistence_granularity);
  }
  return service;
}

// The family of a fwmark service: ip_family, else that of its real servers that are not tunnelled (a tunnel may
// cross families), else IPv4.
ipvs::Family fwmarkFamily(const VirtualServer& vs, std::optional<int> entryFamily) {
  if (entryFamily) return *entryFamily == 6 ? ipvs::Family::Ipv6 : ipvs::Family::Ipv4;
  if (vs.ip_family) return *vs.ip_family == 6 ? ipvs::Family::Ipv6 : ipvs::Family::Ipv4;
  for (const RealServer& rs : vs.real_servers)
    if (config::effectiveRealServer(vs, rs).forwarding.method != config::LvsMethod::Tun)
      return rs.server.address.family == 6 ? ipvs::Family::Ipv6 : ipvs::Family::Ipv4;
  return ipvs::Family::Ipv4;
}

// Every address from `first` to `last`, inclusive, counting on the low-order bytes.
std::vector<ipvs::Address> addressRange(const ipvs::Address& first, const ipvs::Address& last) {
  std::vector<ipvs::Address> out;
  ipvs::Address a = first;
  while (out.size() < kMaxRangeAddresses) {
    out.push_back(a);
    if (!(a < last)) break;
    for (std::size_t i = a.size(); i-- > 0;)
      if (++a.bytes[i] != 0) break;
  }
  return out;
}

std::vector<ipvs::Service> servicesOf(const config::LvsSection& lvs, const VirtualServer& vs) {
  std::vector<ipvs::Service> services;
  const ipvs::Protocol protocol = protocolOf(config::effectiveProtocol(vs));
  switch (vs.kind) {
    case VirtualServerKind::Address:
      services.push_back(serviceWith(
          vs, ipvs::ServiceKey::of(protocol, toIpvsAddress(vs.server.address), static_cast<std::uint16_t>(vs.server.port))));
      break;
    case VirtualServerKind::Fwmark:
      services.push_back(serviceWith(vs, ipvs::ServiceKey::fwmark(vs.fwmark, fwmarkFamily(vs, std::nullopt))));
      break;
    case VirtualServerKind::Group: {
      const config::VirtualServerGroup* group = lvs.findGroup(vs.group);
      if (!group) break;
      for (const auto& entry : group->entries) {
        if (entry.kind == config::VirtualServerGroupEntry::Kind::Fwmark) {
          if (entry.fwmark == 0) continue;
          services.push_back(serviceWith(vs, ipvs::ServiceKey::fwmark(entry.fwmark, fwmarkFamily(vs, entry.fwmarkFamily))));
          continue;
        }
        for (const ipvs::Address& a : addressRange(toIpvsAddress(entry.first), toIpvsAddress(entry.last)))
          services.push_back(serviceWith(vs, ipvs::ServiceKey::of(protocol, a, static_cast<std::uint16_t>(entry.port))));
      }
      break;
    }
  }
  return services;
}

std::string userSpec(const std::string& user, const std::string& group) {
  if (user.empty()) return {};
  return group.empty() ? user : user + ":" + group;
}

// global_defs script_user "USER [GROUP]" as "user[:group]".
std::string defaultScriptUser(const config::GlobalDefs& global) {
  const ScriptWords words = splitScriptWords(global.script_user);
  if (words.words.empty()) return {};
  return userSpec(words.words[0], words.words.size() > 1 ? words.words[1] : "");
}

ScriptSpec scriptOf(const config::NotifyScript& script, const std::string& fallbackUser) {
  if (!script.set()) return {};
  ScriptSpec spec;
  spec.argv = splitScriptWords(script.command).words;
  spec.user = script.user.empty() ? fallbackUser : userSpec(script.user, script.group);
  return spec;
}

std::optional<CheckKind> kindOf(CheckerType type) {
  switch (type) {
    case CheckerType::Tcp: return CheckKind::Tcp;
    case CheckerType::Http: return CheckKind::Http;
    case CheckerType::Ssl: return CheckKind::Ssl;
    case CheckerType::Misc: return CheckKind::Misc;
    default: return std::nullopt;
  }
}

CheckerSpec checkerOf(const VirtualServer& vs, const RealServer& rs, const Checker& c, CheckKind kind,
                      const std::string& scriptUser) {
  const config::EffectiveChecker e = config::effectiveChecker(vs, rs, c);
  CheckerSpec spec;
  spec.kind = kind;
  spec.where = c.meta.where;
  spec.timing.delayLoop = duration(e.delay_loop);
  spec.timing.retry = static_cast<unsigned>(std::max(0LL, e.retry));
  spec.timing.delayBeforeRetry = duration(e.delay_before_retry);
  spec.timing.warmup = duration(e.warmup);
  spec.timing.alpha = e.alpha;

  spec.connect.address = toIpvsAddress(e.connect_ip);
  spec.connect.port = static_cast<std::uint16_t>(e.connect_port);
  if (c.bindto) spec.connect.bindTo = toIpvsAddress(*c.bindto);
  spec.connect.bindPort = static_cast<std::uint16_t>(c.bind_port.value_or(0));
  spec.connect.bindInterface = c.bind_if;
  spec.connect.fwmark = c.fwmark;
  spec.connect.timeout = millis(e.connect_timeout);

  for (const config::HttpUrl& url : c.http().urls) {
    UrlCheck check;
    check.spec.path = url.path;
    check.spec.digest = url.digest;
    for (const auto& [low, high] : url.status_code) check.spec.statusCodes.push_back({low, high});
    check.virtualhost = url.virtualhost.value_or("");
    spec.urls.push_back(std::move(check));
  }
  spec.virtualhost = e.virtualhost;
  spec.httpProtocol = c.http().http_protocol.value_or(config::HttpProtocol::V1_0);
  spec.enableSni = c.http().enable_sni;
  spec.sniName = c.http().sni_name;

  spec.miscPath = c.misc().misc_path;
  spec.user = c.misc().user.empty() ? scriptUser : c.misc().user;
  spec.miscTimeout = millis(e.misc_timeout);
  spec.miscDynamic = c.misc().misc_dynamic;
  return spec;
}

RealServerSpec realServerOf(const VirtualServer& vs, const RealServer& rs, const std::string& scriptUser,
                            std::vector<std::string>& warnings) {
  const config::EffectiveRealServer e = config::effectiveRealServer(vs, rs);
  RealServerSpec spec;
  spec.where = rs.meta.where;
  spec.destination.key = {toIpvsAddress(e.server.address), static_cast<std::uint16_t>(e.server.port)};
  spec.destination.weight = static_cast<std::uint32_t>(std::max(0LL, e.weight));
  spec.destination.method = methodOf(e.forwarding.method);
  spec.destination.upperThreshold = static_cast<std::uint32_t>(rs.uthreshold.value_or(0));
  spec.destination.lowerThreshold = static_cast<std::uint32_t>(rs.lthreshold.value_or(0));
  spec.inhibitOnFailure = e.inhibit_on_failure;
  spec.notifyUp = scriptOf(rs.notify_up.valueOrDefault(), scriptUser);
  spec.notifyDown = scriptOf(rs.notify_down.valueOrDefault(), scriptUser);
  for (const Checker& c : rs.checkers) {
    if (const auto kind = kindOf(c.type)) {
      spec.checkers.push_back(checkerOf(vs, rs, c, *kind, scriptUser));
      continue;
    }
    warnings.push_back(location(c.meta.where) + std::string(config::checkerKeyword(c.type)) +
                       " is not run by Tandem yet: real server " + spec.name() + " of " + vs.describe() +
                       " is judged by its other checkers, if any");
  }
  return spec;
}

}  // namespace

ipvs::Address toIpvsAddress(const config::IpAddress& address) {
  ipvs::Address a;
  a.family = address.family == 6 ? ipvs::Family::Ipv6 : ipvs::Family::Ipv4;
  for (std::size_t i = 0; i < a.size(); ++i) a.bytes[i] = address.bytes[i];
  return a;
}

ipvs::Destination destinationIn(const ipvs::ServiceKey& service, const ipvs::Destination& destination) {
  ipvs::Destination d = destination;
  if (d.method != ipvs::ForwardingMethod::Nat || d.key.port == 0) d.key.port = service.port();
  return d;
}

std::string CheckerSpec::label() const {
  switch (kind) {
    case CheckKind::Tcp: return "TCP_CHECK " + ipvs::endpointText(connect.address, connect.port);
    case CheckKind::Http: return "HTTP_GET " + ipvs::endpointText(connect.address, connect.port);
    case CheckKind::Ssl: return "SSL_GET " + ipvs::endpointText(connect.address, connect.port);
    case CheckKind::Misc: return "MISC_CHECK " + miscPath;
  }
  return "checker";
}

bool CheckerSpec::sameCheck(const CheckerSpec& o) const {
  return kind == o.kind && timing == o.timing && connect == o.connect && urls == o.urls &&
         virtualhost == o.virtualhost && httpProtocol == o.httpProtocol && enableSni == o.enableSni &&
         sniName == o.sniName && miscPath == o.miscPath && user == o.user && miscTimeout == o.miscTimeout &&
         miscDynamic == o.miscDynamic;
}

ipvs::Table configuredServices(const CheckerConfig& config) {
  ipvs::Table table;
  for (const VirtualServerSpec& vs : config.virtualServers)
    for (const ipvs::Service& service : vs.services) table.addService(service);
  return table;
}

std::string RealServerSpec::name() const { return ipvs::destinationName(destination.key); }

CheckerConfig mapCheckerConfig(const config::Config& config) {
  CheckerConfig out;
  out.lvsTimeouts = config.global.lvs_timeouts;
  out.scriptSecurity = config.global.enable_script_security;
  const std::string scriptUser = defaultScriptUser(config.global);
  for (const VirtualServer& vs : config.lvs.virtual_servers) {
    VirtualServerSpec spec;
    spec.where = vs.meta.where;
    spec.services = servicesOf(config.lvs, vs);
    if (spec.services.empty()) continue;  // an empty or unknown group: validation has said so
    spec.name = vs.kind == VirtualServerKind::Group ? "group " + vs.group : ipvs::serviceName(spec.services[0].key);
    for (const RealServer& rs : vs.real_servers) spec.realServers.push_back(realServerOf(vs, rs, scriptUser, out.warnings));
    if (vs.sorry_server) {
      ipvs::SorryServer sorry;
      sorry.destination.key = {toIpvsAddress(vs.sorry_server->address), static_cast<std::uint16_t>(vs.sorry_server->port)};
      sorry.destination.method =
          methodOf(vs.sorry_server_lvs_method.value_or(config::effectiveForwarding(vs)).method);
      sorry.destination.weight = 1;  // keepalived's
      sorry.inhibit = vs.sorry_server_inhibit;
      spec.sorryServer = sorry;
    }
    spec.quorum.quorum = static_cast<std::uint32_t>(std::max(0LL, vs.quorum));
    spec.quorum.hysteresis = static_cast<std::uint32_t>(std::max(0LL, vs.hysteresis));
    spec.quorumUp = scriptOf(vs.quorum_up.valueOrDefault(), scriptUser);
    spec.quorumDown = scriptOf(vs.quorum_down.valueOrDefault(), scriptUser);
    spec.omega = vs.omega;
    out.virtualServers.push_back(std::move(spec));
  }
  return out;
}

}  // namespace tandem::check
