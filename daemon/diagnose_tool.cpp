#include "daemon/diagnose_tool.h"

#include <nlohmann/json.hpp>

#include "daemon/config_tool.h"
#include "diagnose/diagnose.h"
#include "diagnose/linux/gather.h"

namespace tandem::daemon {

int runDiagnose(const Options& options, std::ostream& out, std::ostream& err) {
  namespace dx = tandem::diagnose;
  config::LoadedConfig loaded = loadConfiguration(options.configFile, options);
  for (const auto& d : loaded.diagnostics.all()) err << d.format() << '\n';
  if (loaded.diagnostics.hasErrors()) {
    err << options.configFile << ": the configuration has errors; fix them first (tandemd -t)\n";
    return 1;
  }
  const dx::Plan plan = dx::makePlan(loaded.config);

  dx::Observations seen;
  std::string error;
  seen.interfaces = dx::linux_::readInterfaces(error);
  if (!error.empty()) err << "tandemd: reading interfaces: " << error << '\n';
  seen.firewall.nft = dx::linux_::runTool({"nft", "-j", "list", "ruleset"});
  seen.firewall.iptablesSave = dx::linux_::runTool({"iptables-save"});
  seen.firewall.ip6tablesSave = dx::linux_::runTool({"ip6tables-save"});
  seen.kernel = dx::linux_::readKernelFacts(dx::wantedSysctls(plan));
  const double seconds = options.listenSeconds.value_or(dx::defaultListenSeconds(plan));
  if (!options.json && !plan.instances.empty())
    err << "tandemd: listening for VRRP adverts for " << seconds << "s\n";
  seen.heard = dx::linux_::listenForAdverts(dx::listenTargets(plan), seen.interfaces, seconds);
  seen.probes = dx::linux_::probeAddresses(
      dx::probeTargets(plan, seen.interfaces, dx::collectRouters(seen.heard, seen.interfaces)));

  const auto findings = dx::runChecks(plan, seen);
  if (options.json) {
    out << dx::toJson(findings).dump(2) << '\n';
  } else {
    for (const auto& f : findings) out << dx::formatLine(f) << '\n';
    std::size_t fails = 0, warns = 0;
    for (const auto& f : findings) {
      fails += f.severity == dx::Severity::Fail;
      warns += f.severity == dx::Severity::Warn;
    }
    out << findings.size() << " checks: " << fails << " FAIL, " << warns << " WARN\n";
  }
  return dx::anyFail(findings) ? 1 : 0;
}

}  // namespace tandem::daemon
