#pragma once
// lvs_sync_daemon in the VRRP child (keepalived drives it from its VRRP process too): what the configuration asks
// for, the role a VRRP state gives the kernel's sync daemon, LinuxIpvs as the driver's port, and the status JSON.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ipvs/linux/linux_ipvs.h"
#include "ipvs/sync_daemons.h"
#include "parser/model.h"
#include "vrrp/instance_params.h"

namespace tandem::daemon {

struct LvsSyncConfig {
  std::string instance;  // the vrrp_instance followed
  ipvs::SyncDaemon daemon;
};

// keepalived's rules: global_defs' lvs_sync_daemon, or else the first vrrp_instance with the deprecated
// lvs_sync_daemon_interface; the sync id defaults to that instance's virtual_router_id. nullopt when neither is
// configured or the instance does not exist (validation reports that).
std::optional<LvsSyncConfig> lvsSyncConfigOf(const config::Config& config);

// MASTER runs the master daemon; every other state (BACKUP, FAULT, INIT) the backup daemon, as keepalived.
ipvs::SyncRole syncRoleOf(vrrp::State state);

class LinuxSyncDaemonPort final : public ipvs::SyncDaemonPort {
 public:
  std::optional<std::vector<ipvs::SyncDaemon>> list(std::string& error) override;
  bool start(const ipvs::SyncDaemon& daemon, std::string& error) override;
  bool stop(ipvs::SyncDaemonState state, std::string& error) override;

 private:
  ipvs::linux_::LinuxIpvs ipvs_;
};

// {"instance", "role", "converged", "last_error", "failures", settings..., "kernel": [daemons listed]}; null when
// lvs_sync_daemon is not configured.
nlohmann::json toJson(const ipvs::SyncDaemonStatus& status);

}  // namespace tandem::daemon
