#include "daemon/vrrp_child.h"

#include <signal.h>
#include <sys/prctl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdlib>

#include "daemon/child_runtime.h"
#include "daemon/child_spawn.h"
#include "daemon/control_server.h"
#include "daemon/respawn_policy.h"
#include "daemon/state_dump.h"
#include "daemon/vrrp_runtime.h"
#include "daemon/vrrp_status.h"

namespace tandem::daemon {
namespace {

VrrpStatus currentStatus(const VrrpRuntime& runtime) {
  const vrrp::Engine* engine = runtime.engine();
  if (!engine) return {};
  return vrrpStatusOf(*engine, std::chrono::steady_clock::now(), WallClock::now());
}

void writeDump(DumpKind kind, const VrrpRuntime& runtime, Logger& log) {
  const VrrpStatus status = currentStatus(runtime);
  const auto now = WallClock::now();
  std::string content;
  switch (kind) {
    case DumpKind::Data: content = formatDataDump(status, now); break;
    case DumpKind::Stats: content = formatStatsDump(status, now); break;
    case DumpKind::Json: content = toJson(status).dump(2) + "\n"; break;
  }
  const std::string path = dumpFilePath(kind, runtime.dumpFiles(), std::getenv("TMPDIR"));
  std::string error;
  if (writeDumpFile(path, content, error)) log.info("wrote " + path);
  else log.error(error);
}

}  // namespace

int runVrrpChild(config::Config config, const Options& options, Logger& log) {
  // The kernel may defer a timer by the thread's slack (50 us by default) to merge wake-ups; a master-down timer is
  // a failover deadline, and the adverts are batched by AsioTimers already.
  (void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  boost::asio::io_context io;
  VrrpRuntime runtime(io, options, log);
  if (!runtime.start(std::move(config))) return kExitCannotStart;

  boost::asio::signal_set dumps(io, SIGUSR1, SIGUSR2, SIGRTMIN + 2);
  watchDumpSignals(dumps, [&runtime, &log](int signal) {
    if (const auto kind = dumpKindForSignal(signal)) writeDump(*kind, runtime, log);
  });
  unblockForwardedSignals();  // SIGHUP is the runtime's since its construction

  ControlServer control(
      io, childSocketPath(options.controlSocket, "vrrp"),
      [&runtime](const ControlRequest& request) -> nlohmann::json {
        if (request.command == ControlCommand::Status) {
          nlohmann::json vrrp = toJson(currentStatus(runtime));
          vrrp["lvs_sync_daemon"] = toJson(runtime.syncDaemonStatus());
          return {{"ok", true}, {"vrrp", std::move(vrrp)}};
        }
        if (request.command == ControlCommand::Ping) return {{"ok", true}};
        if (request.command == ControlCommand::Reload)
          return errorReply("reload is the parent's job: send it to the main control socket");
        return errorReply(std::string(commandName(request.command)) + " is the checker child's, not the VRRP child's");
      },
      log.sink());
  std::string error;
  if (!control.open(error)) log.warning(error);

  const int status = runtime.run();
  dumps.cancel();
  return status;
}

}  // namespace tandem::daemon
