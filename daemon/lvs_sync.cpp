#include "daemon/lvs_sync.h"

namespace tandem::daemon {

std::optional<LvsSyncConfig> lvsSyncConfigOf(const config::Config& config) {
  LvsSyncConfig out;
  const config::VrrpInstance* instance = nullptr;
  if (const auto& global = config.global.lvs_sync_daemon) {
    instance = config.vrrp.findInstance(global->vrrpInstance);
    if (!instance) return std::nullopt;
    out.daemon.interface = global->interface;
    if (global->syncId) out.daemon.syncId = static_cast<std::uint32_t>(*global->syncId);
    else out.daemon.syncId = static_cast<std::uint32_t>(instance->virtual_router_id.value_or(0));
    out.daemon.maxLength = static_cast<std::uint16_t>(global->maxlen.value_or(0));
    out.daemon.port = static_cast<std::uint16_t>(global->port.value_or(0));
    out.daemon.ttl = static_cast<std::uint8_t>(global->ttl.value_or(0));
    if (global->group) out.daemon.group = ipvs::Address::parse(*global->group);
  } else {
    for (const auto& i : config.vrrp.instances)
      if (!i.lvs_sync_daemon_interface.empty()) {
        instance = &i;
        break;
      }
    if (!instance) return std::nullopt;
    out.daemon.interface = instance->lvs_sync_daemon_interface;
    out.daemon.syncId = static_cast<std::uint32_t>(instance->virtual_router_id.value_or(0));
  }
  out.instance = instance->name;
  return out;
}

ipvs::SyncRole syncRoleOf(vrrp::State state) {
  return state == vrrp::State::Master ? ipvs::SyncRole::Master : ipvs::SyncRole::Backup;
}

std::optional<std::vector<ipvs::SyncDaemon>> LinuxSyncDaemonPort::list(std::string& error) {
  return ipvs_.syncDaemons(error);
}

bool LinuxSyncDaemonPort::start(const ipvs::SyncDaemon& daemon, std::string& error) {
  const auto status = ipvs_.startSyncDaemon(daemon);
  error = status.message;
  return status.ok();
}

bool LinuxSyncDaemonPort::stop(ipvs::SyncDaemonState state, std::string& error) {
  const auto status = ipvs_.stopSyncDaemon(state);
  error = status.message;
  return status.ok();
}

namespace {

nlohmann::json daemonJson(const ipvs::SyncDaemon& d) {
  return {{"state", std::string(toString(d.state))},
          {"interface", d.interface},
          {"sync_id", d.syncId},
          {"group", d.group ? nlohmann::json(d.group->toString()) : nlohmann::json(nullptr)},
          {"port", d.port},
          {"ttl", d.ttl},
          {"maxlen", d.maxLength}};
}

}  // namespace

nlohmann::json toJson(const ipvs::SyncDaemonStatus& status) {
  if (!status.configured) return nullptr;
  nlohmann::json kernel = nlohmann::json::array();
  for (const auto& d : status.listed) kernel.push_back(daemonJson(d));
  nlohmann::json settings = daemonJson(status.settings);
  settings.erase("state");
  return {{"instance", status.instance},
          {"role", std::string(toString(status.role))},
          {"settings", std::move(settings)},
          {"converged", status.converged},
          {"last_error", status.lastError.empty() ? nlohmann::json(nullptr) : nlohmann::json(status.lastError)},
          {"failures", status.failures},
          {"kernel", std::move(kernel)}};
}

}  // namespace tandem::daemon
