#include "daemon/child_runtime.h"

#include <signal.h>

#include "daemon/config_tool.h"

namespace tandem::daemon {

std::optional<config::LoadedConfig> reloadedConfiguration(const Options& options, Logger& log) {
  config::LoadedConfig loaded = loadConfiguration(options.configFile, options);
  for (const auto& d : loaded.diagnostics.all())
    log.log(d.severity == config::Severity::Error ? Logger::Level::Error : Logger::Level::Warning, d.format());
  if (loaded.diagnostics.hasErrors()) {
    log.error("reload: the configuration has errors; still running the previous one");
    return std::nullopt;
  }
  return loaded;
}

void watchTerminationSignals(boost::asio::signal_set& signals, Logger& log, const std::string& configFile,
                             std::function<void()> reload, std::function<void()> terminate) {
  signals.async_wait([&signals, &log, configFile, reload = std::move(reload), terminate = std::move(terminate)](
                         const boost::system::error_code& ec, int signal) mutable {
    if (ec) return;
    if (signal == SIGHUP) {
      log.info("SIGHUP: reloading " + configFile);
      reload();
      watchTerminationSignals(signals, log, configFile, std::move(reload), std::move(terminate));
      return;
    }
    log.info(std::string("received ") + (signal == SIGTERM ? "SIGTERM" : "SIGINT") + ": shutting down");
    terminate();
  });
}

void watchDumpSignals(boost::asio::signal_set& signals, std::function<void(int)> onSignal) {
  signals.async_wait([&signals, onSignal = std::move(onSignal)](const boost::system::error_code& ec, int signal) mutable {
    if (ec) return;
    onSignal(signal);
    watchDumpSignals(signals, std::move(onSignal));
  });
}

void finishWhenScriptsDone(boost::asio::io_context& io, const ProcessRunner& scripts, Logger& log,
                           std::unique_ptr<boost::asio::steady_timer>& timer, std::function<void()> finish,
                           std::chrono::steady_clock::time_point deadline) {
  if (scripts.running() == 0 || std::chrono::steady_clock::now() >= deadline) {
    if (scripts.running() > 0) log.warning("exiting with scripts still running");
    finish();
    return;
  }
  timer = std::make_unique<boost::asio::steady_timer>(io, std::chrono::milliseconds{50});
  timer->async_wait([&io, &scripts, &log, &timer, finish = std::move(finish), deadline](
                        const boost::system::error_code& ec) mutable {
    if (!ec) finishWhenScriptsDone(io, scripts, log, timer, std::move(finish), deadline);
  });
}

}  // namespace tandem::daemon
