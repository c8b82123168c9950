#include "daemon/subsystem_child.h"

#include "daemon/checker_child.h"
#include "daemon/config_tool.h"
#include "daemon/logging.h"
#include "daemon/pid_file.h"
#include "daemon/respawn_policy.h"
#include "daemon/vrrp_child.h"

namespace tandem::daemon {

int runSubsystemChild(const Options& options, config::Config* validated) {
  const bool vrrp = options.role == ProcessRole::VrrpChild;
  LogSettings settings = logSettingsFor(options);
  settings.ident = vrrp ? "Tandem_vrrp" : "Tandem_healthcheckers";  // keepalived: Keepalived_vrrp, ..._healthcheckers
  Logger log(settings);
  config::LoadedConfig loaded;
  if (validated) {
    loaded.config = std::move(*validated);
  } else {
    // A respawn: the file may have changed since the parent validated it, and the child runs what it reads.
    loaded = loadConfiguration(options.configFile, options);
  }
  if (loaded.diagnostics.hasErrors()) {
    for (const auto& d : loaded.diagnostics.all())
      if (d.severity == config::Severity::Error) log.error(d.format());
    log.error(options.configFile + " has errors: this child cannot run it");
    return kExitConfigError;
  }
  PidFile pidFile(vrrp ? options.vrrpPidFile : options.checkersPidFile);
  std::string error;
  if (!pidFile.write(error)) {
    log.error(error);
    return kExitCannotStart;
  }
  return vrrp ? runVrrpChild(std::move(loaded.config), options, log)
              : runCheckerChild(std::move(loaded.config), options, log);
}

}  // namespace tandem::daemon
