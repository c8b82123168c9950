#include "diagnose/sysctls.h"

#include <algorithm>
#include <set>

namespace tandem::diagnose {

namespace {

std::set<std::string> ipv4Interfaces(const Plan& plan) {
  std::set<std::string> names;
  for (const auto& instance : plan.instances)
    if (instance.channel.family == vrrp::Family::Ipv4) names.insert(instance.interface);
  return names;
}

std::string confKey(const std::string& interface, const std::string& setting) {
  return "net.ipv4.conf." + interface + "." + setting;
}

std::optional<int> number(const SysctlMap& sysctls, const std::string& key) {
  auto found = sysctls.find(key);
  if (found == sysctls.end()) return std::nullopt;
  try {
    return std::stoi(found->second);
  } catch (...) {
    return std::nullopt;
  }
}

// arp_ignore, arp_announce and rp_filter: the kernel uses the larger of "all" and the interface's value.
std::optional<int> effective(const SysctlMap& sysctls, const std::string& interface, const std::string& setting) {
  auto all = number(sysctls, confKey("all", setting)), own = number(sysctls, confKey(interface, setting));
  if (!all || !own) return std::nullopt;
  return std::max(*all, *own);
}

std::string set(const std::string& key, int value) { return "sysctl -w " + key + "=" + std::to_string(value); }

}  // namespace

std::vector<std::string> wantedSysctls(const Plan& plan) {
  std::vector<std::string> keys = {"net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding", "net.ipv4.vs.expire_nodest_conn",
                                   "net.ipv4.vs.expire_quiescent_template", "net.ipv4.vs.conntrack"};
  std::set<std::string> interfaces = ipv4Interfaces(plan);
  interfaces.insert("all");
  interfaces.insert("lo");
  for (const auto& interface : interfaces)
    for (const char* setting : {"arp_ignore", "arp_announce", "rp_filter"}) keys.push_back(confKey(interface, setting));
  return keys;
}

std::vector<Finding> checkSysctls(const Plan& plan, const InterfaceSnapshot& snapshot, const KernelFacts& facts) {
  std::vector<Finding> out;
  const SysctlMap& sysctls = facts.sysctls;
  const LvsRole& lvs = plan.lvs;

  if (lvs.nat) {
    const auto forward = number(sysctls, "net.ipv4.ip_forward");
    if (!forward) out.push_back(warn("sysctl net.ipv4.ip_forward", "could not be read"));
    else if (*forward != 1)
      out.push_back(fail("sysctl net.ipv4.ip_forward", "is " + std::to_string(*forward) +
                         ": a NAT director must route the real servers' replies back to the clients",
                         set("net.ipv4.ip_forward", 1)));
    else out.push_back(ok("sysctl net.ipv4.ip_forward", "1, as a NAT director needs"));
    if (lvs.natIpv6) {
      const auto forward6 = number(sysctls, "net.ipv6.conf.all.forwarding");
      if (forward6.value_or(0) != 1)
        out.push_back(fail("sysctl net.ipv6.conf.all.forwarding", "is not 1: IPv6 NAT services need forwarding",
                           set("net.ipv6.conf.all.forwarding", 1)));
    }
  }

  // The VIP on lo (this host also serves the DR services) answers ARP unless suppressed: clients then reach this
  // host instead of the master.
  bool servesOnLoopback = false;
  if (auto lo = snapshot.find("lo"); lo != snapshot.end())
    for (const auto& address : lvs.serviceAddresses)
      if (address.family() == vrrp::Family::Ipv4 && holdsAddress(lo->second, address)) servesOnLoopback = true;
  if (lvs.directRouting) {
    for (const auto& interface : ipv4Interfaces(plan)) {
      const auto ignore = effective(sysctls, interface, "arp_ignore");
      const auto announce = effective(sysctls, interface, "arp_announce");
      const std::string subject = "sysctl arp on " + interface;
      if (!ignore || !announce) {
        out.push_back(warn(subject, "arp_ignore/arp_announce could not be read"));
      } else if (*ignore == 1 && *announce == 2) {
        out.push_back(ok(subject, "arp_ignore=1 arp_announce=2"));
      } else {
        const std::string reason = "arp_ignore=" + std::to_string(*ignore) + " arp_announce=" + std::to_string(*announce) +
                                   (servesOnLoopback ? ": the VIP on lo is answered for on " + interface +
                                                           ", so clients may reach this host instead of the master"
                                                     : ": a DR director that also serves (VIP on lo while BACKUP) "
                                                       "would answer ARP for the VIP");
        const std::string fix = set(confKey("all", "arp_ignore"), 1) + "; " + set(confKey("all", "arp_announce"), 2) + "; " +
                                set(confKey(interface, "arp_ignore"), 1) + "; " + set(confKey(interface, "arp_announce"), 2);
        out.push_back(servesOnLoopback ? fail(subject, reason, fix) : warn(subject, reason, fix));
      }
    }
  }

  // Strict reverse-path filtering drops an advert whose source this host would not route back out of the
  // interface it came in on: a unicast peer off the interface's subnets.
  for (const auto& instance : plan.instances) {
    if (instance.channel.family != vrrp::Family::Ipv4) continue;
    const auto rp = effective(sysctls, instance.interface, "rp_filter");
    const std::string subject = "sysctl rp_filter on " + instance.interface + " (" + instance.params.name + ")";
    if (!rp) continue;
    if (*rp != 1) {
      out.push_back(ok(subject, *rp == 0 ? "off" : "loose (2): adverts from any routable source pass"));
      continue;
    }
    const auto state = snapshot.find(instance.interface);
    std::vector<std::string> offLink;
    for (const auto& peer : instance.channel.unicastPeers)
      if (state == snapshot.end() || !onLink(state->second, peer)) offLink.push_back(peer.toString());
    if (offLink.empty()) {
      out.push_back(ok(subject, "strict (1); every peer is on a subnet of " + instance.interface));
      continue;
    }
    std::string peers;
    for (const auto& p : offLink) peers += (peers.empty() ? "" : ", ") + p;
    out.push_back(warn(subject, "strict (1) and peer " + peers + " is not on a subnet of " + instance.interface +
                                    ": its adverts are dropped unless the route back to it leaves through " +
                                    instance.interface,
                       set(confKey("all", "rp_filter"), 2) + "; " + set(confKey(instance.interface, "rp_filter"), 2)));
  }

  if (lvs.virtualServers) {
    if (!facts.ipvsLoaded) {
      out.push_back(fail("ipvs", "the configuration has virtual servers but the kernel has no IPVS (/proc/net/ip_vs is missing)",
                         "modprobe ip_vs"));
    } else {
      out.push_back(ok("ipvs", "loaded"));
      if (number(sysctls, "net.ipv4.vs.expire_nodest_conn").value_or(1) == 0)
        out.push_back(warn("sysctl net.ipv4.vs.expire_nodest_conn",
                           "is 0: connections to a real server that was removed hang until they time out",
                           set("net.ipv4.vs.expire_nodest_conn", 1)));
      if (lvs.persistence && number(sysctls, "net.ipv4.vs.expire_quiescent_template").value_or(1) == 0)
        out.push_back(warn("sysctl net.ipv4.vs.expire_quiescent_template",
                           "is 0: persistent clients stick to a real server whose weight dropped to 0",
                           set("net.ipv4.vs.expire_quiescent_template", 1)));
    }
  }
  return out;
}

}  // namespace tandem::diagnose
