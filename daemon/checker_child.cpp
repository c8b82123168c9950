#include "daemon/checker_child.h"

#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <functional>

#include "daemon/child_spawn.h"
#include "daemon/control_server.h"

namespace tandem::daemon {

int runCheckerChild(const config::Config& config, const Options& options, Logger& log) {
  log.warning("PLACEHOLDER: health checking is not running yet: " +
              std::to_string(config.lvs.virtual_servers.size()) +
              " virtual_server block(s) are read but not checked, and IPVS is not programmed");
  boost::asio::io_context io;
  // The parent forwards the dump signals to every child: caught here, or their default action would kill us.
  boost::asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  for (int s : {SIGUSR1, SIGUSR2, SIGRTMIN + 2}) signals.add(s);
  std::function<void()> wait = [&] {
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      if (signal == SIGHUP || signal == SIGUSR1 || signal == SIGUSR2 || signal == SIGRTMIN + 2) {
        log.info("signal " + std::to_string(signal) + ": health checking is not running yet; nothing to do");
        wait();
        return;
      }
      log.info("stopping the checker child");
      io.stop();
    });
  };
  wait();
  unblockForwardedSignals();
  ControlServer control(
      io, childSocketPath(options.controlSocket, "checker"),
      [](const ControlRequest& request) -> nlohmann::json {
        if (request.command == ControlCommand::Status)
          return {{"ok", true}, {"virtual_servers", nlohmann::json::array()}, {"health_checking", "not running yet"}};
        if (request.command == ControlCommand::Ping) return {{"ok", true}};
        return errorReply("reload is the parent's job: send it to the main control socket");
      },
      log.sink());
  std::string error;
  if (!control.open(error)) log.warning(error);
  io.run();
  return 0;
}

}  // namespace tandem::daemon
