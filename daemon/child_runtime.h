#pragma once
// What the VRRP child and the checker child do alike around their runtimes: SIGHUP and SIGTERM/SIGINT on the
// child's loop, the configuration read again for a reload, the dump signals the parent forwards, and an exit that
// waits a moment for the scripts the shutdown started.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "daemon/logging.h"
#include "daemon/options.h"
#include "daemon/process_runner.h"
#include "parser/config_builder.h"

namespace tandem::daemon {

// As keepalived: notify scripts started by the shutdown get about a second before the process exits.
inline constexpr std::chrono::seconds kStopScriptGrace{1};

// SIGHUP: options.configFile read again, every diagnostic logged as file:line; nullopt (and a log line saying the
// previous configuration stays in force) when it has errors.
std::optional<config::LoadedConfig> reloadedConfiguration(const Options& options, Logger& log);

// Waits on `signals` (SIGTERM, SIGINT, SIGHUP): `reload` for SIGHUP, `terminate` for the others, after which
// nothing more is awaited.
void watchTerminationSignals(boost::asio::signal_set& signals, Logger& log, const std::string& configFile,
                             std::function<void()> reload, std::function<void()> terminate);

// Waits on `signals` (the forwarded SIGUSR1, SIGUSR2, SIGRTMIN+2) and hands each to `onSignal`, again and again.
void watchDumpSignals(boost::asio::signal_set& signals, std::function<void(int)> onSignal);

// Calls `finish` once `scripts` has nothing running or kStopScriptGrace has passed, polling on `timer`.
void finishWhenScriptsDone(boost::asio::io_context& io, const ProcessRunner& scripts, Logger& log,
                           std::unique_ptr<boost::asio::steady_timer>& timer, std::function<void()> finish,
                           std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::now() +
                                                                            kStopScriptGrace);

}  // namespace tandem::daemon
