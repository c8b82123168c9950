#pragma once
// The supervising parent, as keepalived's: one child per configured subsystem (VRRP when the configuration has
// vrrp_instance blocks and not -C, health checking when it has virtual_server blocks and not -P), each respawned
// with backoff when it dies unless we stopped it (see RespawnPolicy); a respawned child has Options::respawned, so
// that the VRRP child resumes its predecessor's MASTER instances instead of flapping their VIPs (vrrp/resume.h).
// Signals to the parent reach the children:
//   SIGHUP        the parent validates the new configuration first; with errors it logs them and changes nothing
//   SIGTERM/INT   children get SIGTERM, are waited for (SIGKILL after kStopGrace), pid files go, exit 0
//   SIGUSR1/USR2/SIGRTMIN+2   forwarded: the children write the data, statistics and JSON dumps
// The parent also serves the main control socket (status of the processes, reload).
#include <sys/signalfd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "daemon/child_spawn.h"
#include "daemon/control_server.h"
#include "daemon/logging.h"
#include "daemon/options.h"
#include "daemon/respawn_policy.h"
#include "daemon/systemd_notify.h"
#include "parser/model.h"

namespace tandem::daemon {

inline constexpr std::chrono::seconds kStopGrace{5};

struct ReloadOutcome {
  bool ok = false;
  std::vector<std::string> errors;  // "FILE:LINE: error: ..." when refused
};

class Supervisor {
 public:
  // Blocks the signals it handles in the calling thread (threads started later inherit that) and reads them from a
  // signalfd: process-wide Asio signal state would be copied into every forked child (see child_spawn.h).
  Supervisor(boost::asio::io_context& io, const Options& options, Logger& log, SystemdNotifier& notifier);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Opens the control socket and starts the children the validated configuration needs; they take it over
  // from the fork's copy of this process's memory instead of reading the file again.
  bool start(config::Config& config);
  // Runs until stopped. 0 after an orderly stop, 1 when -R stopped everything because a child died.
  int run();

  ReloadOutcome reload();
  void stop(int exitStatus);
  nlohmann::json status() const;

 private:
  struct Child {
    Subsystem subsystem = Subsystem::Vrrp;
    std::string pidFile;
    RespawnPolicy policy;
    pid_t pid = 0;  // 0: not running
    bool wanted = false;
    bool stopRequested = false;
    bool configError = false;  // exited with kExitConfigError: waits for a reload
    bool respawning = false;   // the next start replaces a child that died: it may resume its predecessor's state
    std::unique_ptr<boost::asio::steady_timer> respawnTimer;
  };

  void setWanted(const config::Config& config);
  // `config`: the validated configuration a new child takes over; null: the child reads the file (a respawn).
  void startWanted(config::Config* config);
  void spawn(Child& child, config::Config* config);
  void waitForSignal();
  void onSignal(int signal);
  void reap();
  void onExit(Child& child, int waitStatus);
  void forward(int signal);
  void finishWhenChildrenGone();
  bool anyRunning() const;
  nlohmann::json handle(const ControlRequest& request);

  boost::asio::io_context& io_;
  const Options& options_;
  Logger& log_;
  SystemdNotifier& notifier_;
  boost::asio::posix::stream_descriptor signals_;
  signalfd_siginfo signalInfo_{};
  boost::asio::steady_timer stopTimer_;
  std::unique_ptr<ControlServer> control_;
  std::array<Child, 2> children_;
  bool stopping_ = false;
  int exitStatus_ = 0;
};

}  // namespace tandem::daemon
