#pragma once
// `tandemd --diagnose`: every check, run on what the Linux side gathered. Pure: the same observations give the
// same checklist, which is what the unit tests rely on.
#include <vector>

#include "diagnose/adverts.h"
#include "diagnose/finding.h"
#include "diagnose/firewall.h"
#include "diagnose/interfaces.h"
#include "diagnose/plan.h"
#include "diagnose/sysctls.h"
#include "diagnose/vip_probe.h"

namespace tandem::diagnose {

struct Observations {
  InterfaceSnapshot interfaces;
  FirewallInput firewall;
  KernelFacts kernel;
  ListenResult heard;
  std::vector<ProbeResult> probes;
};

// In checklist order: interfaces, firewall, kernel settings, adverts heard, VIPs.
std::vector<Finding> runChecks(const Plan& plan, const Observations& observations);

}  // namespace tandem::diagnose
