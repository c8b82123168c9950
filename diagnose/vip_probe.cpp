#include "diagnose/vip_probe.h"

#include <algorithm>
#include <cstdio>

namespace tandem::diagnose {

namespace {
constexpr std::uint16_t kEtherTypeArp = 0x0806;
constexpr std::size_t kArpFrameSize = 14 + 28;
}  // namespace

std::string macText(const vrrp::MacAddress& mac) {
  char text[18];
  std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
  return text;
}

std::vector<std::uint8_t> buildArpProbe(const vrrp::MacAddress& ourMac, const vrrp::IpAddress& vip) {
  std::vector<std::uint8_t> f(kArpFrameSize, 0);
  std::fill_n(f.begin(), 6, 0xff);
  std::copy(ourMac.begin(), ourMac.end(), f.begin() + 6);
  f[12] = kEtherTypeArp >> 8;
  f[13] = kEtherTypeArp & 0xff;
  const std::uint8_t arp[] = {0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01};  // Ethernet, IPv4, request
  std::copy(std::begin(arp), std::end(arp), f.begin() + 14);
  std::copy(ourMac.begin(), ourMac.end(), f.begin() + 22);
  // sender IP 0.0.0.0 (bytes 28..31) and target MAC zero (32..37) stay zero
  std::copy(vip.bytes().begin(), vip.bytes().end(), f.begin() + 38);
  return f;
}

std::optional<vrrp::MacAddress> arpClaim(std::span<const std::uint8_t> f, const vrrp::IpAddress& vip,
                                         const vrrp::MacAddress& ourMac) {
  if (f.size() < kArpFrameSize || f[12] != (kEtherTypeArp >> 8) || f[13] != (kEtherTypeArp & 0xff)) return std::nullopt;
  if (f[14] != 0 || f[15] != 1 || f[16] != 0x08 || f[17] != 0x00 || f[18] != 6 || f[19] != 4) return std::nullopt;
  const unsigned op = f[20] * 256u + f[21];
  if (op != 1 && op != 2) return std::nullopt;
  if (!std::equal(vip.bytes().begin(), vip.bytes().end(), f.begin() + 28)) return std::nullopt;
  vrrp::MacAddress sender{};
  std::copy_n(f.begin() + 22, 6, sender.begin());
  if (sender == ourMac) return std::nullopt;
  return sender;
}

std::vector<ProbeTarget> probeTargets(const Plan& plan, const InterfaceSnapshot& snapshot, const HeardRouters& routers) {
  std::vector<ProbeTarget> out;
  auto add = [&](const std::string& instance, const std::string& interface, const vrrp::IpAddress& address) {
    auto found = snapshot.find(interface);
    if (found == snapshot.end() || !found->second.adminUp) return;
    for (const auto& t : out)
      if (t.interface == interface && t.vip == address) return;
    out.push_back({instance, interface, found->second.ifindex, found->second.mac, address});
  };
  for (const auto& instance : plan.instances)
    for (const auto& vip : placedVips(instance)) {
      if (vip.address.family() != vrrp::Family::Ipv4 || holdsAddress(snapshot, vip.address)) continue;
      add(instance.params.name, vip.device, vip.address);
    }
  for (const auto& router : routers.routers) {
    if (router.source.family() != vrrp::Family::Ipv4) continue;
    const bool ours = std::any_of(plan.instances.begin(), plan.instances.end(), [&](const vrrp::InstanceConfig& i) {
      return i.interface == router.interface && i.params.vrid == router.advert.vrid;
    });
    if (ours) add("", router.interface, router.source);
  }
  return out;
}

namespace {

// The router heard as master of the instance's VRID whose MAC (or the VRID's virtual MAC) is `mac`.
const HeardRouter* masterWithMac(const vrrp::InstanceConfig& instance, const HeardRouters& routers,
                                 const std::vector<ProbeResult>& probes, const vrrp::MacAddress& mac) {
  const vrrp::MacAddress virtualMac{0x00, 0x00, 0x5e, 0x00, 0x01, instance.params.vrid};
  for (const auto& router : routers.routers) {
    if (router.interface != instance.interface || router.advert.vrid != instance.params.vrid) continue;
    if (mac == virtualMac) return &router;
    for (const auto& p : probes)
      if (p.target.instance.empty() && p.target.vip == router.source && p.answeredBy == mac) return &router;
  }
  return nullptr;
}

bool heardVrid(const vrrp::InstanceConfig& instance, const HeardRouters& routers) {
  return std::any_of(routers.routers.begin(), routers.routers.end(), [&](const HeardRouter& r) {
    return r.interface == instance.interface && r.advert.vrid == instance.params.vrid;
  });
}

}  // namespace

std::vector<Finding> checkVips(const Plan& plan, const InterfaceSnapshot& snapshot, const HeardRouters& routers,
                               const std::vector<ProbeResult>& probes) {
  std::vector<Finding> out;
  for (const auto& instance : plan.instances)
    for (const auto& vip : placedVips(instance)) {
      const std::string subject = "VIP " + vip.address.toString() + " (" + instance.params.name + ")";
      if (holdsAddress(snapshot, vip.address)) {
        out.push_back(ok(subject, "held by this host (MASTER)"));
        continue;
      }
      if (vip.address.family() == vrrp::Family::Ipv6) {
        out.push_back(ok(subject, "not probed: IPv6 duplicate detection is the kernel's when the VIP is added"));
        continue;
      }
      auto probe = std::find_if(probes.begin(), probes.end(), [&](const ProbeResult& p) {
        return !p.target.instance.empty() && p.target.vip == vip.address && p.target.interface == vip.device;
      });
      if (probe == probes.end()) {
        out.push_back(warn(subject, "not probed: " + vip.device + " is missing or down"));
      } else if (!probe->error.empty()) {
        out.push_back(warn(subject, "ARP probe failed: " + probe->error, "run tandemd --diagnose as root"));
      } else if (probe->answeredBy) {
        if (const HeardRouter* master = masterWithMac(instance, routers, probes, *probe->answeredBy))
          out.push_back(ok(subject, "held by the MASTER " + master->source.toString() + " (" + macText(*probe->answeredBy) + ")"));
        else if (!heardVrid(instance, routers))
          out.push_back(fail(subject, "another host (" + macText(*probe->answeredBy) + ") answers ARP for it on " + vip.device +
                                          " and no advert for VRID " + std::to_string(instance.params.vrid) +
                                          " was heard: if it is the peer, its adverts do not reach this node "
                                          "(see the firewall and adverts lines); otherwise a stale VIP or an address conflict",
                             "find the host with MAC " + macText(*probe->answeredBy) + " (ip neigh show " +
                                 vip.address.toString() + ")"));
        else
          out.push_back(fail(subject, "another host (" + macText(*probe->answeredBy) + ") answers ARP for it on " + vip.device +
                                          " and is not the MASTER heard for VRID " + std::to_string(instance.params.vrid) +
                                          ": a stale VIP or an address conflict",
                             "find the host with MAC " + macText(*probe->answeredBy) + " (ip neigh show " +
                                 vip.address.toString() + ") and remove the address there"));
      } else {
        out.push_back(ok(subject, "no other host answers ARP for it on " + vip.device));
      }
    }
  return out;
}

}  // namespace tandem::diagnose
