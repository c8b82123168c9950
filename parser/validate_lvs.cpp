// Checks on the LVS side that need more than one statement: references, uniqueness, address
// families, and the combinations keepalived corrects or refuses at startup.
#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "parser/model.h"

namespace tandem::config {
namespace {

std::string lineRef(const Location& here, const Location& there) {
  if (here.file && there.file && *here.file == *there.file) return "line " + std::to_string(there.line);
  return there.fileName() + ":" + std::to_string(there.line);
}

std::string familyName(int family) { return family == 6 ? "IPv6" : "IPv4"; }

std::string describe(const ServerAddress& s) {
  return s.port ? s.address.text() + " " + std::to_string(s.port) : s.address.text();
}

bool isLinkLocal(const IpAddress& a) { return a.family == 6 && a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80; }

struct GroupShape {
  bool known = false;
  bool hasAddresses = false;
  bool hasFwmarks = false;
  int family = 0;  // of its addresses, 0 when none or mixed
};

GroupShape shapeOf(const LvsSection& lvs, const VirtualServer& vs) {
  GroupShape shape;
  const VirtualServerGroup* g = lvs.findGroup(vs.group);
  if (!g) return shape;
  shape.known = true;
  bool mixed = false;
  for (const auto& e : g->entries) {
    if (e.kind == VirtualServerGroupEntry::Kind::Fwmark) {
      shape.hasFwmarks = true;
      continue;
    }
    shape.hasAddresses = true;
    if (shape.family && shape.family != e.first.family) mixed = true;
    shape.family = e.first.family;
  }
  if (mixed) shape.family = 0;
  return shape;
}

// The address family real and sorry servers must share (unless tunnelled); 0 when still open.
int serviceFamily(const LvsSection& lvs, const VirtualServer& vs) {
  switch (vs.kind) {
    case VirtualServerKind::Address: return vs.server.address.family;
    case VirtualServerKind::Group: return shapeOf(lvs, vs).family;
    case VirtualServerKind::Fwmark: break;
  }
  if (vs.ip_family) return *vs.ip_family;
  for (const RealServer& rs : vs.real_servers)
    if (effectiveRealServer(vs, rs).forwarding.method != LvsMethod::Tun) return rs.server.address.family;
  return 0;
}

void validateGroups(const LvsSection& lvs, Diagnostics& diags) {
  std::map<std::string, const VirtualServerGroup*> seen;
  for (const VirtualServerGroup& g : lvs.groups) {
    auto [it, fresh] = seen.emplace(g.name, &g);
    if (!fresh)
      diags.error(g.meta.where, "virtual_server_group '" + g.name + "' is already defined at " +
                                    lineRef(g.meta.where, it->second->meta.where));
    if (g.entries.empty()) {
      diags.warning(g.meta.where, "virtual_server_group '" + g.name + "' has no entries; keepalived ignores it");
      continue;
    }
    bool v4 = false, v6 = false, markWithoutFamily = false;
    for (const auto& e : g.entries) {
      if (e.kind == VirtualServerGroupEntry::Kind::Fwmark) {
        if (!e.fwmarkFamily) markWithoutFamily = true;
        else if (*e.fwmarkFamily == 6) v6 = true;
        else v4 = true;
      } else {
        (e.first.family == 6 ? v6 : v4) = true;
      }
    }
    if (v4 && v6 && markWithoutFamily)
      diags.error(g.meta.where, "virtual_server_group '" + g.name +
                                    "' mixes IPv4 and IPv6 with a fwmark of no family; add 'inet' or 'inet6' to the fwmark");
  }
}

void validateChecker(const RealServer& rs, const Checker& c, Diagnostics& diags) {
  const std::string what = std::string(checkerKeyword(c.type));
  switch (c.type) {
    case CheckerType::Http:
    case CheckerType::Ssl:
      if (c.http().urls.empty())
        diags.warning(c.meta.where, what + " has no 'url' block; keepalived ignores this checker");
      for (const HttpUrl& u : c.http().urls)
        if (u.path.empty()) diags.error(u.meta.where, "'url' block in " + what + " has no 'path'");
      break;
    case CheckerType::Misc:
      if (c.misc().misc_path.empty()) diags.error(c.meta.where, "MISC_CHECK has no 'misc_path' (the script to run)");
      break;
    case CheckerType::File:
      if (c.file().track_file.empty()) diags.error(c.meta.where, "FILE_CHECK has no 'track_file'");
      break;
    case CheckerType::Bfd:
      if (c.bfd().bfd_name.empty()) diags.error(c.meta.where, "BFD_CHECK has no 'name' (the bfd_instance to follow)");
      break;
    case CheckerType::Udp:
      if (c.udp().min_reply_length > c.udp().max_reply_length)
        diags.error(c.meta.locationOf("min_reply_length"), "'min_reply_length' " + std::to_string(c.udp().min_reply_length) +
                                                              " exceeds 'max_reply_length' " +
                                                              std::to_string(c.udp().max_reply_length));
      break;
    default:
      break;
  }
  if (c.connect_ip && c.bindto && c.connect_ip->family != c.bindto->family)
    diags.error(c.meta.locationOf("bindto"), "'bindto' " + c.bindto->text() + " is " + familyName(c.bindto->family) +
                                                 " but 'connect_ip' " + c.connect_ip->text() + " is " +
                                                 familyName(c.connect_ip->family));
  const bool connects = c.type != CheckerType::Misc && c.type != CheckerType::File && c.type != CheckerType::Bfd;
  if (connects && c.bind_if.empty()) {
    const IpAddress target = c.connect_ip.value_or(rs.server.address);
    if (isLinkLocal(target))
      diags.error(c.meta.where, what + " connects to link-local " + target.text() + " and needs 'bind_if'");
  }
}

// For each real server that repeats an address and port (as IPVS sees them, `effective[i].server`), the first real
// server that had them; null for the others. One sort per virtual server: a map here was a node allocation per real
// server.
std::vector<const RealServer*> earlierDuplicates(const VirtualServer& vs,
                                                const std::vector<EffectiveRealServer>& effective) {
  std::vector<std::size_t> order;
  order.reserve(effective.size());
  for (std::size_t i = 0; i < effective.size(); ++i)
    if (vs.real_servers[i].server.address.family != 0) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const ServerAddress& x = effective[a].server;
    const ServerAddress& y = effective[b].server;
    if (x == y) return a < b;
    return x.address == y.address ? x.port < y.port : x.address < y.address;
  });
  std::vector<const RealServer*> earlier(effective.size(), nullptr);
  std::size_t first = 0;  // the earliest of the current run of equal servers
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (k > 0 && effective[order[k]].server == effective[order[k - 1]].server)
      earlier[order[k]] = &vs.real_servers[first];
    else
      first = order[k];
  }
  return earlier;
}

void validateRealServers(const LvsSection& lvs, const VirtualServer& vs, Diagnostics& diags) {
  const int family = serviceFamily(lvs, vs);
  long long totalWeight = 0;
  std::vector<EffectiveRealServer> effective;
  effective.reserve(vs.real_servers.size());
  for (const RealServer& rs : vs.real_servers) effective.push_back(effectiveRealServer(vs, rs));
  const std::vector<const RealServer*> earlier = earlierDuplicates(vs, effective);
  for (std::size_t i = 0; i < vs.real_servers.size(); ++i) {
    const RealServer& rs = vs.real_servers[i];
    if (rs.server.address.family == 0) continue;  // its header was already reported as unreadable
    const EffectiveRealServer& e = effective[i];
    totalWeight += e.weight;
    if (earlier[i])
      diags.error(rs.meta.where, "real_server " + describe(e.server) + " is already defined in " + vs.describe() +
                                     " at " + lineRef(rs.meta.where, earlier[i]->meta.where));
    if (family && e.forwarding.method != LvsMethod::Tun && rs.server.address.family != family)
      diags.error(rs.meta.where, "real_server " + rs.server.address.text() + " is " +
                                     familyName(rs.server.address.family) + " but " + vs.describe() + " is " +
                                     familyName(family) + "; only a TUN real server may differ");
    if (vs.kind == VirtualServerKind::Address && e.forwarding.method != LvsMethod::Nat && rs.server.port &&
        rs.server.port != vs.server.port)
      diags.warning(rs.meta.where, "real_server port " + std::to_string(rs.server.port) + " differs from the service port " +
                                       std::to_string(vs.server.port) + "; DR and TUN cannot change ports, so keepalived uses " +
                                       std::to_string(vs.server.port));
    if (rs.uthreshold && rs.lthreshold && *rs.uthreshold && *rs.uthreshold < *rs.lthreshold)
      diags.error(rs.meta.locationOf("uthreshold"), "'uthreshold' " + std::to_string(*rs.uthreshold) +
                                                        " is below 'lthreshold' " + std::to_string(*rs.lthreshold));
    int dynamicMisc = 0;
    for (const Checker& c : rs.checkers) {
      validateChecker(rs, c, diags);
      if (c.type == CheckerType::Misc && c.misc().misc_dynamic && ++dynamicMisc == 2)
        diags.warning(c.meta.where, "more than one MISC_CHECK with 'misc_dynamic' on one real_server fight over its weight");
      for (const Checker& host : c.smtp().hosts) validateChecker(rs, host, diags);
    }
  }
  if (vs.real_servers.empty()) {
    diags.warning(vs.meta.where, vs.describe() + " has no real_server; keepalived ignores it");
    return;
  }
  if (vs.quorum > totalWeight)
    diags.warning(vs.meta.locationOf("quorum"), "'quorum' " + std::to_string(vs.quorum) +
                                                    " exceeds the total weight " + std::to_string(totalWeight) +
                                                    " of the real servers of " + vs.describe() +
                                                    "; keepalived lowers it to " + std::to_string(totalWeight));
  if (vs.hysteresis && vs.hysteresis >= std::min(vs.quorum, totalWeight))
    diags.warning(vs.meta.locationOf("hysteresis"), "'hysteresis' " + std::to_string(vs.hysteresis) +
                                                        " must be below the quorum; keepalived lowers it");
}

void validateVirtualServer(const LvsSection& lvs, const VirtualServer& vs, Diagnostics& diags) {
  const GroupShape group = vs.kind == VirtualServerKind::Group ? shapeOf(lvs, vs) : GroupShape{};
  if (vs.kind == VirtualServerKind::Group && !group.known)
    diags.error(vs.meta.where, vs.describe() + ": no virtual_server_group '" + vs.group + "' is defined");
  const bool byAddress = vs.kind == VirtualServerKind::Address || group.hasAddresses;
  const bool byMarkOnly = vs.kind == VirtualServerKind::Fwmark || (group.known && group.hasFwmarks && !group.hasAddresses);

  if (byAddress && !vs.protocol)
    diags.warning(vs.meta.where, vs.describe() + " has no 'protocol'; keepalived then uses UDP (set TCP, UDP or SCTP)");
  if (byMarkOnly && vs.protocol)
    diags.warning(vs.meta.locationOf("protocol"), "'protocol' is ignored by a fwmark virtual_server");
  if (byAddress && vs.ops && effectiveProtocol(vs) != Protocol::Udp)
    diags.warning(vs.meta.locationOf("ops"), "'ops' (one-packet scheduling) only applies to UDP; keepalived turns it off");
  if (vs.kind == VirtualServerKind::Address && vs.server.port == 0 && !vs.persistence_timeout)
    diags.warning(vs.meta.where, vs.describe() + " has no port, which needs persistence; keepalived sets 'persistence_timeout' " +
                                     std::to_string(kDefaultPersistenceTimeout));
  if (vs.ha_suspend && (vs.kind == VirtualServerKind::Fwmark || group.hasFwmarks))
    diags.warning(vs.meta.locationOf("ha_suspend"), "'ha_suspend' cannot work with fwmarks; keepalived turns it off");
  const Scheduler sched = effectiveScheduler(vs);
  for (auto [flag, name] : {std::pair{vs.sh_port, "sh-port"}, {vs.sh_fallback, "sh-fallback"}})
    if (flag && sched != Scheduler::Sh) diags.warning(vs.meta.locationOf(name), std::string("'") + name + "' only applies to the sh scheduler");
  for (auto [flag, name] : {std::pair{vs.mh_port, "mh-port"}, {vs.mh_fallback, "mh-fallback"}})
    if (flag && sched != Scheduler::Mh) diags.warning(vs.meta.locationOf(name), std::string("'") + name + "' only applies to the mh scheduler");

  const int family = serviceFamily(lvs, vs);
  if (vs.ip_family && vs.kind == VirtualServerKind::Address && *vs.ip_family != family)
    diags.error(vs.meta.locationOf("ip_family"), "'ip_family' conflicts with the " + familyName(family) + " address of " + vs.describe());
  if (vs.sorry_server) {
    const Forwarding f = vs.sorry_server_lvs_method.value_or(effectiveForwarding(vs));
    if (family && f.method != LvsMethod::Tun && vs.sorry_server->address.family != family)
      diags.error(vs.meta.locationOf("sorry_server"), "'sorry_server' " + vs.sorry_server->address.text() + " is " +
                                                          familyName(vs.sorry_server->address.family) + " but " +
                                                          vs.describe() + " is " + familyName(family) +
                                                          "; only a TUN sorry server may differ");
  } else {
    for (const char* name : {"sorry_server_inhibit", "sorry_server_lvs_method"})
      if (vs.meta.has(name)) diags.warning(vs.meta.locationOf(name), std::string("'") + name + "' has no 'sorry_server' to apply to");
  }
  validateRealServers(lvs, vs, diags);
}

// Two virtual servers are the same IPVS service when these match.
std::tuple<int, IpAddress, std::string, int, std::uint32_t, int> serviceKey(const VirtualServer& vs) {
  const bool markOnly = vs.kind == VirtualServerKind::Fwmark;
  return {static_cast<int>(vs.kind), vs.server.address, vs.kind == VirtualServerKind::Group ? vs.group : std::string(),
          vs.server.port, vs.fwmark,
          markOnly ? vs.ip_family.value_or(0) : static_cast<int>(effectiveProtocol(vs))};
}

}  // namespace

void EarlyLvsChecks::check(const LvsSection& lvs, std::size_t index) {
  const VirtualServer& vs = lvs.virtual_servers[index];
  if (vs.kind == VirtualServerKind::Group) return;
  Diagnostics found;
  validateVirtualServer(lvs, vs, found);
  if (messages_.size() <= index) messages_.resize(index + 1);
  messages_[index] = found.all();
}

const std::vector<Diagnostic>* EarlyLvsChecks::messagesOf(std::size_t index) const {
  return index < messages_.size() && messages_[index] ? &*messages_[index] : nullptr;
}

void validateLvs(const Config& config, Diagnostics& diags, const EarlyLvsChecks* early) {
  const LvsSection& lvs = config.lvs;
  validateGroups(lvs, diags);
  std::map<decltype(serviceKey(VirtualServer{})), const VirtualServer*> services;
  for (std::size_t i = 0; i < lvs.virtual_servers.size(); ++i) {
    const VirtualServer& vs = lvs.virtual_servers[i];
    auto [it, fresh] = services.emplace(serviceKey(vs), &vs);
    // keepalived 2.2.7 accepts this (IPVS then refuses the second service and its real servers join
    // the first), and configurations in use rely on that, so it stays a warning.
    if (!fresh)
      diags.warning(vs.meta.where, vs.describe() + " is already defined at " + lineRef(vs.meta.where, it->second->meta.where) +
                                       "; IPVS holds one service for both");
    if (const std::vector<Diagnostic>* found = early ? early->messagesOf(i) : nullptr) {
      for (const Diagnostic& d : *found) diags.add(d);
    } else {
      validateVirtualServer(lvs, vs, diags);
    }
  }
}

}  // namespace tandem::config
