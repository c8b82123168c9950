#pragma once
// The host's interfaces as the checks see them (gathered by diagnose/linux), and the interface check: every
// interface the configuration names exists, is up, and has the address its instances need.
#include <map>
#include <string>
#include <vector>

#include "diagnose/finding.h"
#include "diagnose/plan.h"
#include "vrrp/ports.h"

namespace tandem::diagnose {

struct LocalAddress {
  vrrp::IpAddress address;
  int prefixLength = 0;
  bool operator==(const LocalAddress&) const = default;
};

struct InterfaceState {
  int ifindex = 0;
  vrrp::MacAddress mac{};
  bool adminUp = false;   // IFF_UP
  bool running = false;   // IFF_RUNNING: carrier
  std::vector<LocalAddress> addresses;
};

// By interface name.
using InterfaceSnapshot = std::map<std::string, InterfaceState>;

bool holdsAddress(const InterfaceSnapshot& snapshot, const vrrp::IpAddress& address);
bool holdsAddress(const InterfaceState& state, const vrrp::IpAddress& address);
// True when `address` lies in one of the interface's prefixes (an on-link neighbour).
bool onLink(const InterfaceState& state, const vrrp::IpAddress& address);
bool isIpv6LinkLocal(const vrrp::IpAddress& address);

std::vector<Finding> checkInterfaces(const Plan& plan, const InterfaceSnapshot& snapshot);

}  // namespace tandem::diagnose
