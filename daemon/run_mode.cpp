#include "daemon/run_mode.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>

#include "daemon/config_tool.h"
#include "daemon/logging.h"
#include "daemon/metrics_server.h"
#include "daemon/respawn_policy.h"
#include "daemon/supervisor.h"
#include "daemon/systemd_notify.h"

namespace tandem::daemon {

bool daemonize() {
  const pid_t pid = fork();
  if (pid < 0) {
    std::cerr << "tandemd: fork failed: " << std::strerror(errno) << "\n";
    return false;
  }
  if (pid > 0) _exit(0);
  setsid();
  if (chdir("/") != 0) return false;
  const int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    if (null > 2) close(null);
  }
  return true;
}

int runDaemon(const Options& given) {
  const Options options = withAbsolutePaths(given);

  config::LoadedConfig loaded = loadConfiguration(options.configFile, options);
  if (loaded.diagnostics.hasErrors()) {
    // Still attached to the terminal: the problems always reach it, and syslog as usual.
    LogSettings settings = logSettingsFor(options);
    settings.console = true;
    settings.ident = "Tandem";
    Logger early(settings);
    for (const auto& d : loaded.diagnostics.all())
      early.log(d.severity == config::Severity::Error ? Logger::Level::Error : Logger::Level::Warning, d.format());
    early.error(options.configFile + ": configuration has errors; not starting");
    return 1;
  }
  if (auto pid = livePidIn(options.pidFile)) {
    std::cerr << "tandemd: already running as pid " << *pid << " (pid file " << options.pidFile << ")\n";
    return 1;
  }
  if (!options.dontFork && !daemonize()) return 1;

  LogSettings settings = logSettingsFor(options);
  settings.ident = "Tandem";
  if (!options.dontFork) settings.console = false;
  Logger log(settings);
  PidFile pidFile(options.pidFile);
  std::string error;
  if (!pidFile.write(error)) {
    log.error(error);
    return 1;
  }
  log.info(std::string("Starting tandemd ") + TANDEM_VERSION + " with " + options.configFile);
  for (const auto& d : loaded.diagnostics.all()) log.warning(d.format());
  if (loaded.config.real_server_setup.present())
    log.warning("real_server_setup is not acted on by the director daemon: run `tandemd --realserver -f " +
                options.configFile + "` for it");

  boost::asio::io_context io;
  SystemdNotifier notifier;
  Supervisor supervisor(io, options, log, notifier);
  if (!supervisor.start(loaded.config)) return 1;
  releaseConfiguration(loaded.config);
  // Opt-in, and never a reason to stop directing traffic: a port that cannot be bound is logged, not fatal.
  std::unique_ptr<MetricsServer> metrics;
  if (!options.metrics.empty()) {
    std::string metricsError;
    if (auto endpoint = parseMetricsEndpoint(options.metrics, metricsError)) {
      metrics = std::make_unique<MetricsServer>(*endpoint, options.controlSocket);
      if (metrics->start(metricsError)) {
        const bool v6 = endpoint->address.find(':') != std::string::npos;
        log.info("Prometheus metrics on http://" + (v6 ? "[" + endpoint->address + "]" : endpoint->address) + ":" +
                 std::to_string(metrics->port()) + "/metrics");
      } else {
        metrics.reset();
      }
    }
    if (!metrics) log.error(metricsError);
  }
  const int status = supervisor.run();
  log.info("Stopped tandemd");
  return status;
}

}  // namespace tandem::daemon
