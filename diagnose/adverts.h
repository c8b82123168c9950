#pragma once
// Who speaks VRRP on our interfaces: the adverts heard during a bounded listen, decoded with the VRRP codec, and
// compared with our instances (VRID clash, version / authentication / address-list mismatch, equal priority, no
// master heard at all).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "diagnose/finding.h"
#include "diagnose/interfaces.h"
#include "diagnose/plan.h"
#include "vrrp/packet.h"

namespace tandem::diagnose {

struct HeardPacket {
  std::string interface;
  vrrp::Family family = vrrp::Family::Ipv4;
  std::vector<std::uint8_t> bytes;  // IPv4: the whole packet; IPv6: the VRRP message
  vrrp::ReceiveMeta meta;           // IPv6: source, destination and hop limit from ancillary data
};

struct ListenTarget {
  std::string interface;
  vrrp::Family family = vrrp::Family::Ipv4;
  vrrp::IpAddress group;
  bool operator<(const ListenTarget& o) const {
    return std::tie(interface, family, group) < std::tie(o.interface, o.family, o.group);
  }
};
std::vector<ListenTarget> listenTargets(const Plan& plan);

struct ListenResult {
  double seconds = 0;
  std::vector<HeardPacket> packets;  // delivered to a raw VRRP socket: what the daemon would get
  std::vector<HeardPacket> wire;     // seen on the interface (AF_PACKET), before the firewall and rp_filter
  std::map<std::string, std::string> errors;  // interface -> why it could not be listened on
};

// A VRRP (or AH) packet inside an Ethernet frame as AF_PACKET returns it (padding and one VLAN tag allowed);
// nullopt for anything else.
std::optional<HeardPacket> packetFromFrame(const std::string& interface, std::span<const std::uint8_t> frame);

// Default listening time: three advert intervals of the slowest instance (at least one second).
double defaultListenSeconds(const Plan& plan);

// One router as its adverts describe it.
struct HeardRouter {
  std::string interface;
  vrrp::IpAddress source;
  vrrp::Advert advert;   // authData: PASS password bytes as sent
  bool ahUnverified = false;  // AH: the ICV was not checked (the key is the instance's)
  unsigned count = 0;
};

// Decodes what can be decoded whatever its authentication; nullopt with the codec's reason in `error`.
std::optional<HeardRouter> decodeHeard(const HeardPacket& packet, std::string& error);

struct HeardRouters {
  std::vector<HeardRouter> routers;
  std::map<std::string, unsigned> undecodable;  // "packet on IF: reason" -> count
};
// Our own adverts (looped back, from a local address) are left out.
HeardRouters collectRouters(const std::vector<HeardPacket>& packets, const InterfaceSnapshot& snapshot);
inline HeardRouters collectRouters(const ListenResult& heard, const InterfaceSnapshot& snapshot) {
  return collectRouters(heard.packets, snapshot);
}

std::vector<Finding> checkAdverts(const Plan& plan, const ListenResult& heard, const HeardRouters& routers,
                                  const InterfaceSnapshot& snapshot);

}  // namespace tandem::diagnose
