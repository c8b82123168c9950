#pragma once
// What the checks need to know about this host's configuration: the VRRP instances as the engine runs them, and
// the role the LVS section gives the host (DR / NAT director). Built once from the configuration model.
#include <vector>

#include "parser/model.h"
#include "vrrp/engine_config.h"

namespace tandem::diagnose {

struct LvsRole {
  bool virtualServers = false;  // IPVS must be loaded
  bool directRouting = false;   // some virtual or real server forwards by DR
  bool nat = false;             // ... by NAT: the director routes the replies
  bool natIpv6 = false;
  bool persistence = false;
  std::vector<vrrp::IpAddress> serviceAddresses;  // virtual servers' addresses (not groups or fwmarks)
};

struct Plan {
  std::vector<vrrp::InstanceConfig> instances;
  LvsRole lvs;
};

// Expects a configuration that loaded without errors.
Plan makePlan(const config::Config& config);

// Every VIP of an instance, advertised or excluded, with the device it goes on.
struct PlacedVip {
  vrrp::IpAddress address;
  std::string device;
};
std::vector<PlacedVip> placedVips(const vrrp::InstanceConfig& instance);

// "instance VI_1"
std::string instanceSubject(const vrrp::InstanceConfig& instance);

}  // namespace tandem::diagnose
