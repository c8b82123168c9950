#pragma once
// Kernel settings by role: ARP suppression for DR, forwarding for NAT, reverse-path filtering that drops adverts,
// IPVS itself and its net.ipv4.vs.* knobs.
#include <map>
#include <string>
#include <vector>

#include "diagnose/finding.h"
#include "diagnose/interfaces.h"
#include "diagnose/plan.h"

namespace tandem::diagnose {

// "net.ipv4.ip_forward" -> "1"; a key that could not be read is absent.
using SysctlMap = std::map<std::string, std::string>;

struct KernelFacts {
  SysctlMap sysctls;
  bool ipvsLoaded = false;  // /proc/net/ip_vs exists
};

// The keys checkSysctls reads, for the gatherer.
std::vector<std::string> wantedSysctls(const Plan& plan);

std::vector<Finding> checkSysctls(const Plan& plan, const InterfaceSnapshot& snapshot, const KernelFacts& facts);

}  // namespace tandem::diagnose
