#include "daemon/vrrp_runtime.h"

#include <signal.h>

#include <algorithm>
#include <stdexcept>

#include "daemon/child_runtime.h"
#include "daemon/config_tool.h"
#include "vrrp/config_mapping.h"
#include "vrrp/linux/linux_addresses.h"
#include "vrrp/linux/linux_channel.h"
#include "vrrp/linux/linux_gratuitous.h"
#include "vrrp/linux/linux_interfaces.h"

namespace tandem::daemon {
namespace {

ProcessRunnerSettings runnerSettings(const config::Config& config) {
  return ProcessRunnerSettings{config.global.enable_script_security};
}

}  // namespace

VrrpRuntime::VrrpRuntime(boost::asio::io_context& io, const Options& options, Logger& log)
    : io_(io),
      options_(options),
      log_(log),
      timers_(io),
      scripts_(io, {}, log.sink()),
      signals_(io, SIGTERM, SIGINT, SIGHUP),
      syncDaemons_(syncPort_, [&log](ipvs::SyncDaemonDriver::Level level, const std::string& line) {
        using Level = ipvs::SyncDaemonDriver::Level;
        log.log(level == Level::Error  ? Logger::Level::Error
                : level == Level::Info ? Logger::Level::Info
                                       : Logger::Level::Debug,
                line);
      }),
      resume_(resumeFilePath(options.vrrpPidFile), log.sink(Logger::Level::Error)) {}

VrrpRuntime::~VrrpRuntime() = default;

void VrrpRuntime::setVips(const vrrp::EngineConfig& config) {
  vips_.clear();
  for (const auto& i : config.instances)
    for (const auto* list : {&i.vips, &i.excludedVips})
      for (const auto& v : *list) vips_.push_back(v.address);
}

std::unique_ptr<vrrp::Engine> VrrpRuntime::makeEngine(vrrp::EngineConfig config,
                                                      std::vector<vrrp::ResumeRecord> resumeFrom) {
  vrrp::EngineOptions engineOptions;
  engineOptions.dontReleaseVrrp = options_.dontReleaseVrrp;
  engineOptions.onStateChange = [this](const std::string& instance, vrrp::State, vrrp::State to) {
    onStateChange(instance, to);
  };
  engineOptions.resumeFrom = std::move(resumeFrom);
  return std::make_unique<vrrp::Engine>(
      std::move(config),
      vrrp::EnginePorts{*interfaces_, *channels_, *addresses_, *gratuitous_, scripts_, timers_, log_, &resume_},
      engineOptions);
}

void VrrpRuntime::configureSyncDaemons(const config::Config& config) {
  if (auto sync = lvsSyncConfigOf(config)) syncDaemons_.configure(sync->instance, sync->daemon);
  else syncDaemons_.configure(std::nullopt, {});
}

// Synchronously, from inside the engine: a few local netlink requests, which never fail slowly. While shutting down
// the instances' last transitions are ignored: terminate() releases the daemons (or leaves them with -I).
void VrrpRuntime::onStateChange(const std::string& instance, vrrp::State to) {
  if (!terminating_) syncDaemons_.follow(instance, syncRoleOf(to));
}

bool VrrpRuntime::start(config::Config config) {
  vrrp::EngineConfig engineConfig = vrrp::mapVrrpConfig(config);
  configureSyncDaemons(config);
  setVips(engineConfig);
  scripts_.setSettings(runnerSettings(config));
  dumpFiles_ = dumpFileNamesFrom(config.global);
  releaseConfiguration(config);
  try {
    // Our own VIPs must never be taken for an interface's primary address (the advert source).
    interfaces_ = std::make_unique<vrrp::LinuxInterfaces>(
        io_,
        [this](const vrrp::IpAddress& a) { return std::find(vips_.begin(), vips_.end(), a) != vips_.end(); },
        log_.sink());
    channels_ = std::make_unique<vrrp::LinuxChannelFactory>(io_, *interfaces_, log_.sink());
    timers_.setBatchHooks([this] { channels_->beginBatch(); }, [this] { channels_->endBatch(); });
    addresses_ = std::make_unique<vrrp::LinuxAddresses>();
    gratuitous_ = std::make_unique<vrrp::LinuxGratuitous>();
    if (std::string error; !gratuitous_->open(error)) log_.warning("gratuitous ARP/NA: " + error);
    if (engineConfig.instances.empty()) log_.warning("no vrrp_instance in the configuration: VRRP has nothing to do");
    std::vector<vrrp::ResumeRecord> resumeFrom;
    if (options_.respawned) {
      std::string error;
      resumeFrom = resume_.load(error);
      if (!error.empty()) log_.warning("respawned, but the resume record is unusable (" + error + "): starting afresh");
      else log_.info("respawned after the previous VRRP child died: " + std::to_string(resumeFrom.size()) +
                     " instance(s) recorded in " + resume_.path());
    }
    engine_ = makeEngine(std::move(engineConfig), std::move(resumeFrom));
    engine_->start();
  } catch (const std::exception& e) {
    log_.error(std::string("cannot start VRRP: ") + e.what());
    return false;
  }
  waitForSignal();
  return true;
}

int VrrpRuntime::run() {
  io_.run();
  return 0;
}

void VrrpRuntime::waitForSignal() {
  watchTerminationSignals(signals_, log_, options_.configFile, [this] { reload(); }, [this] { terminate(); });
}

void VrrpRuntime::reload() {
  std::optional<config::LoadedConfig> loaded = reloadedConfiguration(options_, log_);
  if (!loaded) return;
  vrrp::EngineConfig engineConfig = vrrp::mapVrrpConfig(loaded->config);
  std::vector<std::string> names;
  for (const auto& i : engineConfig.instances) names.push_back(i.params.name);
  setVips(engineConfig);
  scripts_.setSettings(runnerSettings(loaded->config));
  dumpFiles_ = dumpFileNamesFrom(loaded->config.global);
  configureSyncDaemons(loaded->config);
  auto next = makeEngine(std::move(engineConfig));
  std::size_t kept = 0;
  for (const auto& name : names)
    if (engine_->handOver(name, *next)) ++kept;
  // What was not handed over leaves before the new instances start: a VIP that moved between instances is
  // released before it is claimed again.
  engine_->shutdown();
  std::unique_ptr<vrrp::Engine> previous = std::move(engine_);
  engine_ = std::move(next);
  engine_->start();
  previous.reset();
  // An instance handed over makes no transition: changed sync settings are applied to its current state here.
  if (const auto& sync = syncDaemons_.status(); sync.configured)
    if (const vrrp::Instance* followed = engine_->instance(sync.instance))
      syncDaemons_.follow(sync.instance, syncRoleOf(followed->state()));
  log_.info("reload: " + std::to_string(kept) + " instance(s) kept running, " + std::to_string(names.size() - kept) +
            " (re)started");
}

void VrrpRuntime::terminate() {
  if (terminating_) return;
  terminating_ = true;
  signals_.cancel();
  if (engine_) engine_->shutdown();
  if (options_.dontReleaseIpvs) {
    if (syncDaemons_.status().configured) log_.info("IPVS sync daemon left running (--dont-release-ipvs)");
  } else {
    syncDaemons_.release();
  }
  finishWhenScriptsDone(io_, scripts_, log_, exitTimer_, [this] {
    engine_.reset();
    // An orderly stop leaves nothing to resume: the next child is a fresh start.
    resume_.remove();
    io_.stop();
  });
}

}  // namespace tandem::daemon
