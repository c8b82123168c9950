#include "daemon/checker_child.h"

#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "daemon/checker_runtime.h"
#include "daemon/child_runtime.h"
#include "daemon/child_spawn.h"
#include "daemon/control_server.h"
#include "daemon/respawn_policy.h"

namespace tandem::daemon {
int runCheckerChild(config::Config config, const Options& options, Logger& log) {
  boost::asio::io_context io;
  CheckerRuntime runtime(io, options, log);
  if (!runtime.start(std::move(config))) return kExitCannotStart;

  boost::asio::signal_set dumps(io, SIGUSR1, SIGUSR2, SIGRTMIN + 2);
  watchDumpSignals(dumps, [&runtime, &log](int signal) {
    if (signal == SIGUSR1) runtime.writeDataDump();
    else log.debug("signal " + std::to_string(signal) + ": the VRRP child's dump; nothing to write here");
  });
  unblockForwardedSignals();  // SIGHUP is the runtime's since its construction

  ControlServer control(
      io, childSocketPath(options.controlSocket, "checker"),
      [&runtime](const ControlRequest& request) -> nlohmann::json {
        switch (request.command) {
          case ControlCommand::Status: return runtime.status();
          case ControlCommand::Ping: return {{"ok", true}};
          case ControlCommand::Drain: return runtime.drain(request.virtualServer, request.realServer, true);
          case ControlCommand::Undrain: return runtime.drain(request.virtualServer, request.realServer, false);
          case ControlCommand::Reload: break;
        }
        return errorReply("reload is the parent's job: send it to the main control socket");
      },
      log.sink());
  std::string error;
  if (!control.open(error)) log.warning(error);

  const int status = runtime.run();
  dumps.cancel();
  return status;
}

}  // namespace tandem::daemon
