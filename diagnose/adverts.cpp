#include "diagnose/adverts.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace tandem::diagnose {

std::vector<ListenTarget> listenTargets(const Plan& plan) {
  std::set<ListenTarget> targets;
  for (const auto& instance : plan.instances)
    targets.insert({instance.interface, instance.channel.family, instance.channel.multicastGroup});
  return {targets.begin(), targets.end()};
}

std::optional<HeardPacket> packetFromFrame(const std::string& interface, std::span<const std::uint8_t> frame) {
  constexpr std::size_t kEthernet = 14, kVlanTag = 4, kIpv6Header = 40;
  if (frame.size() < kEthernet) return std::nullopt;
  std::size_t offset = kEthernet;
  unsigned type = frame[12] * 256u + frame[13];
  if (type == 0x8100 && frame.size() >= kEthernet + kVlanTag) {
    type = frame[16] * 256u + frame[17];
    offset += kVlanTag;
  }
  const auto ip = frame.subspan(offset);
  HeardPacket packet;
  packet.interface = interface;
  if (type == 0x0800) {
    if (ip.size() < vrrp::kIpv4HeaderSize || (ip[9] != vrrp::kIpProtoVrrp && ip[9] != vrrp::kIpProtoAh)) return std::nullopt;
    const std::size_t total = ip[2] * 256u + ip[3];
    if (total > ip.size()) return std::nullopt;
    packet.family = vrrp::Family::Ipv4;
    packet.bytes.assign(ip.begin(), ip.begin() + static_cast<std::ptrdiff_t>(total));  // without Ethernet padding
    return packet;
  }
  if (type == 0x86dd) {
    if (ip.size() < kIpv6Header || ip[6] != vrrp::kIpProtoVrrp) return std::nullopt;
    const std::size_t length = ip[4] * 256u + ip[5];
    if (kIpv6Header + length > ip.size()) return std::nullopt;
    packet.family = vrrp::Family::Ipv6;
    packet.meta.ttl = ip[7];
    packet.meta.source = vrrp::IpAddress::fromBytes(vrrp::Family::Ipv6, ip.subspan(8, 16));
    packet.meta.destination = vrrp::IpAddress::fromBytes(vrrp::Family::Ipv6, ip.subspan(24, 16));
    const auto message = ip.subspan(kIpv6Header, length);
    packet.bytes.assign(message.begin(), message.end());
    return packet;
  }
  return std::nullopt;
}

double defaultListenSeconds(const Plan& plan) {
  double slowest = 1;
  for (const auto& instance : plan.instances)
    slowest = std::max(slowest, static_cast<double>(instance.params.advertInterval.count()) / 100.0);
  return 3 * slowest;
}

namespace {

vrrp::DecodeResult decode(const HeardPacket& packet, const vrrp::DecodeOptions& options) {
  if (packet.family == vrrp::Family::Ipv4) return vrrp::decodeIpv4Packet(packet.bytes, 0, options);
  return vrrp::decodeAdvert(packet.bytes, packet.meta, options);
}

// The VRRP message inside an IPv4 packet (after the IP header and AH when present).
std::span<const std::uint8_t> ipv4Message(const std::vector<std::uint8_t>& bytes, bool& ah) {
  const std::size_t ihl = std::size_t{bytes[0] & 0x0fu} * 4;
  ah = bytes.size() > 9 && bytes[9] == vrrp::kIpProtoAh;
  const std::size_t offset = ihl + (ah ? vrrp::kAhHeaderSize : 0);
  if (offset >= bytes.size()) return {};
  return std::span(bytes).subspan(offset);
}

}  // namespace

std::optional<HeardRouter> decodeHeard(const HeardPacket& packet, std::string& error) {
  vrrp::DecodeOptions options;
  options.unicast = true;  // report routers whatever their TTL; unicast peers may be routed
  vrrp::DecodeResult r = decode(packet, options);
  if (r.error == vrrp::DecodeError::BadChecksum) {
    options.v3ChecksumAsV2 = true;
    r = decode(packet, options);
  }
  if (r.error == vrrp::DecodeError::AuthTypeMismatch && packet.family == vrrp::Family::Ipv4) {
    bool ah = false;
    const auto message = ipv4Message(packet.bytes, ah);
    if (message.size() >= vrrp::kVrrpHeaderSize + vrrp::kAuthDataSize) {
      if (ah) {
        options.authType = vrrp::AuthType::Ah;
        r = decode(packet, options);
        // Without the key the ICV cannot match; the fields before it were already checked.
        if (r.error == vrrp::DecodeError::AhIcvMismatch) {
          HeardRouter router;
          router.interface = packet.interface;
          router.source = vrrp::IpAddress::fromBytes(vrrp::Family::Ipv4, std::span(packet.bytes).subspan(12, 4));
          router.advert.version = static_cast<vrrp::Version>(message[0] >> 4);
          router.advert.vrid = message[1];
          router.advert.priority = message[2];
          router.advert.advertInterval = message[5];
          router.advert.authType = vrrp::AuthType::Ah;
          const std::size_t count = message[3];
          for (std::size_t i = 0; i < count && vrrp::kVrrpHeaderSize + 4 * i + 4 <= message.size(); ++i)
            router.advert.addresses.push_back(
                vrrp::IpAddress::fromBytes(vrrp::Family::Ipv4, message.subspan(vrrp::kVrrpHeaderSize + 4 * i, 4)));
          router.ahUnverified = true;
          router.count = 1;
          return router;
        }
      } else if (message[4] == static_cast<std::uint8_t>(vrrp::AuthType::Pass)) {
        options.authType = vrrp::AuthType::Pass;
        std::copy_n(message.end() - vrrp::kAuthDataSize, vrrp::kAuthDataSize, options.authData.begin());
        r = decode(packet, options);
      }
    }
  }
  if (!r.ok()) {
    error = std::string(vrrp::toString(r.error));
    return std::nullopt;
  }
  HeardRouter router;
  router.interface = packet.interface;
  router.source = r.decoded.meta.source;
  router.advert = r.decoded.advert;
  return router;
}

namespace {

std::string authText(const vrrp::Advert& advert) {
  switch (advert.authType) {
    case vrrp::AuthType::None: return "none";
    case vrrp::AuthType::Pass: return "PASS";
    case vrrp::AuthType::Ah: return "AH";
  }
  return "?";
}

std::string intervalText(const vrrp::Advert& advert) {
  std::ostringstream s;
  if (advert.version == vrrp::Version::V2) s << advert.advertInterval << "s";
  else s << advert.advertInterval * 10 << "ms";
  return s.str();
}

std::string describe(const HeardRouter& r) {
  return "VRID " + std::to_string(r.advert.vrid) + " priority " + std::to_string(r.advert.priority) + " VRRPv" +
         std::to_string(static_cast<int>(r.advert.version)) + " interval " + intervalText(r.advert) + " auth " +
         authText(r.advert) + (r.ahUnverified ? " (not verified)" : "") + ", " + std::to_string(r.count) + " advert" + (r.count == 1 ? "" : "s");
}

std::string addressList(std::vector<vrrp::IpAddress> addresses) {
  std::sort(addresses.begin(), addresses.end());
  std::string out;
  for (const auto& a : addresses) out += (out.empty() ? "" : " ") + a.toString();
  return "{" + out + "}";
}

// The advert's interval in centiseconds, as the instance counts it.
long long centis(const vrrp::Advert& advert) {
  return advert.version == vrrp::Version::V2 ? advert.advertInterval * 100LL : advert.advertInterval;
}

bool holdsAll(const vrrp::InstanceConfig& instance, const InterfaceSnapshot& snapshot) {
  const auto vips = placedVips(instance);
  return !vips.empty() && std::all_of(vips.begin(), vips.end(), [&](const PlacedVip& v) { return holdsAddress(snapshot, v.address); });
}

// Compares one router that uses our VRID with our instance; nullopt when it is a proper peer.
std::vector<Finding> comparePeer(const vrrp::InstanceConfig& instance, const HeardRouter& router, const std::string& subject) {
  std::vector<Finding> out;
  const auto& params = instance.params;
  const auto& peers = instance.channel.unicastPeers;
  const std::string who = "router " + router.source.toString() + " (" + describe(router) + ")";
  if (!peers.empty() && std::find(peers.begin(), peers.end(), router.source) == peers.end()) {
    out.push_back(fail(subject, "VRID clash: " + who + " is not a unicast_peer of this instance",
                       "give one of the two a virtual_router_id unused on " + instance.interface));
    return out;
  }
  std::vector<vrrp::IpAddress> ours;
  for (const auto& vip : instance.vips) ours.push_back(vip.address);
  const bool sameAddresses = addressList(ours) == addressList(router.advert.addresses);
  if (peers.empty() && !sameAddresses) {
    out.push_back(fail(subject, "VRID clash: " + who + " advertises " + addressList(router.advert.addresses) +
                                    ", this instance " + addressList(ours),
                       "give one of the two a virtual_router_id unused on " + instance.interface));
    return out;
  }
  if (router.advert.version != params.version)
    out.push_back(fail(subject, who + " speaks VRRPv" + std::to_string(static_cast<int>(router.advert.version)) +
                                    ", this instance VRRPv" + std::to_string(static_cast<int>(params.version)),
                       "set the same 'version' on both (global_defs vrrp_version or the instance)"));
  if (router.advert.authType != params.authType ||
      (params.authType == vrrp::AuthType::Pass && router.advert.authData != params.authData))
    out.push_back(fail(subject, who + " authenticates differently (" + authText(router.advert) + "), this instance uses " +
                                    (params.authType == vrrp::AuthType::None ? "none"
                                                                               : params.authType == vrrp::AuthType::Pass ? "PASS" : "AH") +
                                    (router.advert.authType == params.authType ? " with another password" : ""),
                       "use the same authentication block on both"));
  if (!peers.empty() && !sameAddresses)
    out.push_back(warn(subject, who + " advertises " + addressList(router.advert.addresses) + ", this instance " + addressList(ours),
                       "list the same virtual_ipaddress on both"));
  if (centis(router.advert) != params.advertInterval.count())
    out.push_back(warn(subject, who + " sends every " + intervalText(router.advert) + ", this instance expects " +
                                    std::to_string(params.advertInterval.count() * 10) + "ms",
                       "set the same advert_int on both"));
  if (router.advert.priority == params.priority) {
    if (params.priority == vrrp::kPriorityOwner)
      out.push_back(fail(subject, who + " and this instance are both address owners (priority 255)",
                         "give the backup a priority below 255"));
    else
      out.push_back(warn(subject, who + " has this instance's priority " + std::to_string(params.priority) +
                                      ": the higher primary address wins every election",
                         "give the intended master a higher priority"));
  }
  if (out.empty()) out.push_back(ok(subject, "peer " + who + " heard"));
  return out;
}

}  // namespace

HeardRouters collectRouters(const std::vector<HeardPacket>& packets, const InterfaceSnapshot& snapshot) {
  HeardRouters out;
  auto& routers = out.routers;
  for (const auto& packet : packets) {
    std::string error;
    auto router = decodeHeard(packet, error);
    if (!router) {
      ++out.undecodable["packet on " + packet.interface + ": " + error];
      continue;
    }
    if (holdsAddress(snapshot, router->source)) continue;  // our own adverts, looped back
    auto same = std::find_if(routers.begin(), routers.end(), [&](const HeardRouter& r) {
      return r.interface == router->interface && r.source == router->source && r.advert.vrid == router->advert.vrid &&
             r.advert.family == router->advert.family;
    });
    if (same == routers.end()) {
      router->count = 1;
      routers.push_back(std::move(*router));
    } else {
      ++same->count;
      same->advert.priority = router->advert.priority;  // the latest
    }
  }
  return out;
}

std::vector<Finding> checkAdverts(const Plan& plan, const ListenResult& heard, const HeardRouters& heardRouters,
                                  const InterfaceSnapshot& snapshot) {
  std::vector<Finding> out;
  const auto& routers = heardRouters.routers;
  const HeardRouters wireRouters = collectRouters(heard.wire, snapshot);
  std::set<std::size_t> matched;
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1fs", heard.seconds);
  for (const auto& instance : plan.instances) {
    const std::string subject = "adverts " + instance.interface + " (" + instance.params.name + " VRID " +
                                std::to_string(instance.params.vrid) + ")";
    if (auto error = heard.errors.find(instance.interface); error != heard.errors.end()) {
      const bool permission = error->second.find("not permitted") != std::string::npos;
      out.push_back(warn(subject, "could not listen: " + error->second, permission ? "run tandemd --diagnose as root" : ""));
      continue;
    }
    bool any = false;
    for (std::size_t i = 0; i < routers.size(); ++i) {
      const HeardRouter& r = routers[i];
      if (r.interface != instance.interface || r.advert.family != instance.channel.family || r.advert.vrid != instance.params.vrid)
        continue;
      any = true;
      matched.insert(i);
      auto findings = comparePeer(instance, r, subject);
      out.insert(out.end(), findings.begin(), findings.end());
    }
    if (any) continue;
    if (holdsAll(instance, snapshot)) {
      out.push_back(ok(subject, std::string("no other router heard in ") + seconds +
                                    ": this node holds the VIPs (MASTER) and backups are silent"));
      continue;
    }
    auto onWire = std::find_if(wireRouters.routers.begin(), wireRouters.routers.end(), [&](const HeardRouter& r) {
      return r.interface == instance.interface && r.advert.family == instance.channel.family &&
             r.advert.vrid == instance.params.vrid;
    });
    if (onWire != wireRouters.routers.end())
      out.push_back(fail(subject, "adverts from " + onWire->source.toString() + " for VRID " +
                                      std::to_string(instance.params.vrid) + " reach " + instance.interface +
                                      " but are not delivered: this host drops them (firewall or rp_filter); this "
                                      "node would take the VIPs too",
                         "see the firewall and rp_filter lines; nft list ruleset; iptables-save"));
    else
      out.push_back(fail(subject, std::string("no master heard in ") + seconds + ", not even on the wire of " +
                                      instance.interface +
                                      ": the peer is down or the network drops its adverts; this node would take the VIPs too",
                         "check the peer (tandemctl status); tcpdump -ni " + instance.interface + " vrrp"));
  }
  for (std::size_t i = 0; i < routers.size(); ++i)
    if (!matched.count(i))
      out.push_back(ok("adverts " + routers[i].interface,
                       "router " + routers[i].source.toString() + " heard (" + describe(routers[i]) + "), not one of our VRIDs"));
  for (const auto& [what, count] : heardRouters.undecodable)
    out.push_back(warn("adverts", std::to_string(count) + " undecodable " + what));
  return out;
}

}  // namespace tandem::diagnose
