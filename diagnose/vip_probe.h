#pragma once
// Is a VIP already answered for by another host? The ARP probe frames (RFC 5227, as `arping -D` sends them) and
// the verdict on what came back.
#include <optional>
#include <string>
#include <vector>

#include "diagnose/adverts.h"
#include "diagnose/finding.h"
#include "diagnose/interfaces.h"
#include "diagnose/plan.h"

namespace tandem::diagnose {

// ARP request to the broadcast address: sender = our MAC with IP 0.0.0.0, target IP = the VIP, so that no
// neighbour cache learns anything from it.
std::vector<std::uint8_t> buildArpProbe(const vrrp::MacAddress& ourMac, const vrrp::IpAddress& vip);

// The MAC of another host claiming `vip` in this frame (an ARP reply or request with the VIP as sender IP).
std::optional<vrrp::MacAddress> arpClaim(std::span<const std::uint8_t> frame, const vrrp::IpAddress& vip,
                                         const vrrp::MacAddress& ourMac);

struct ProbeTarget {
  std::string instance;  // empty: the address of a router heard (to tell the MASTER's MAC)
  std::string interface;
  int ifindex = 0;
  vrrp::MacAddress mac{};
  vrrp::IpAddress vip;
};
// IPv4 VIPs this host does not hold, on interfaces that are up, and the IPv4 routers heard using our VRIDs.
std::vector<ProbeTarget> probeTargets(const Plan& plan, const InterfaceSnapshot& snapshot, const HeardRouters& routers);

struct ProbeResult {
  ProbeTarget target;
  std::optional<vrrp::MacAddress> answeredBy;
  std::string error;  // the probe could not be sent
};

// A VIP answered for by the MAC of the router heard as MASTER of its VRID (or by that VRID's virtual MAC) is the
// peer's; any other MAC is a stale VIP or an address conflict.
std::vector<Finding> checkVips(const Plan& plan, const InterfaceSnapshot& snapshot, const HeardRouters& routers,
                               const std::vector<ProbeResult>& probes);

std::string macText(const vrrp::MacAddress& mac);

}  // namespace tandem::diagnose
