#include "diagnose/diagnose.h"

namespace tandem::diagnose {

std::vector<Finding> runChecks(const Plan& plan, const Observations& o) {
  std::vector<Finding> out;
  auto append = [&](std::vector<Finding> more) { out.insert(out.end(), more.begin(), more.end()); };
  append(checkInterfaces(plan, o.interfaces));
  append(checkFirewalls(o.firewall, advertPaths(plan, o.interfaces)));
  append(checkSysctls(plan, o.interfaces, o.kernel));
  const HeardRouters routers = collectRouters(o.heard, o.interfaces);
  append(checkAdverts(plan, o.heard, routers, o.interfaces));
  append(checkVips(plan, o.interfaces, routers, o.probes));
  return out;
}

}  // namespace tandem::diagnose
