#pragma once
// The running VRRP side of tandemd: the Engine on the Linux adapters, Asio timers and the process runner, on one
// io_context. SIGTERM/SIGINT shut down in order (priority 0, VIPs released unless -V, notify_stop) and run()
// returns 0; SIGHUP re-reads the configuration (see reload()).
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <memory>
#include <vector>

#include "daemon/asio_timers.h"
#include "daemon/lvs_sync.h"
#include "daemon/logging.h"
#include "daemon/options.h"
#include "daemon/process_runner.h"
#include "daemon/resume_file.h"
#include "daemon/state_dump.h"
#include "parser/model.h"
#include "vrrp/engine.h"

namespace tandem::vrrp {
class LinuxInterfaces;
class LinuxChannelFactory;
class LinuxAddresses;
class LinuxGratuitous;
}  // namespace tandem::vrrp

namespace tandem::daemon {

class VrrpRuntime {
 public:
  VrrpRuntime(boost::asio::io_context& io, const Options& options, Logger& log);
  ~VrrpRuntime();
  VrrpRuntime(const VrrpRuntime&) = delete;
  VrrpRuntime& operator=(const VrrpRuntime&) = delete;

  // Opens the adapters and starts the engine on a validated configuration. False (logged) when the system
  // refuses what the adapters need (netlink, raw sockets: usually not root). A respawned child (Options::respawned)
  // resumes the instances its predecessor recorded as MASTER (see vrrp/resume.h); a fresh one ignores the record.
  // The model is released once mapped, before the engine allocates its own: its blocks are not left as holes
  // under the engine's.
  bool start(config::Config config);
  // Runs the loop until a termination signal has been handled. The exit status.
  int run();

  // SIGHUP. A configuration with errors is logged (file:line) and ignored. Otherwise a minimal reload: an
  // instance whose name, interface, family and VRID are unchanged keeps running (its state and timers) under the
  // new settings: a MASTER removes only the VIPs it no longer has and adds (and announces) only those it gained,
  // its adverts list the new VIPs, and the priority follows through the tracking inputs; other instances of the
  // old configuration shut down (priority 0, VIPs released unless -V) and new ones start.
  void reload();
  void terminate();

  // For status reports and dumps: the running engine (null before start and after shutdown), and the dump file
  // names of the configuration in force.
  const vrrp::Engine* engine() const { return engine_.get(); }
  const DumpFileNames& dumpFiles() const { return dumpFiles_; }
  // lvs_sync_daemon: the role followed, the last failure and the kernel's daemons listed now.
  ipvs::SyncDaemonStatus syncDaemonStatus() { return syncDaemons_.refreshedStatus(); }

 private:
  std::unique_ptr<vrrp::Engine> makeEngine(vrrp::EngineConfig config, std::vector<vrrp::ResumeRecord> resumeFrom = {});
  void setVips(const vrrp::EngineConfig& config);
  void configureSyncDaemons(const config::Config& config);
  void onStateChange(const std::string& instance, vrrp::State to);
  void waitForSignal();

  boost::asio::io_context& io_;
  const Options& options_;
  Logger& log_;
  AsioTimers timers_;
  ProcessRunner scripts_;
  boost::asio::signal_set signals_;
  std::vector<vrrp::IpAddress> vips_;
  std::unique_ptr<vrrp::LinuxInterfaces> interfaces_;
  std::unique_ptr<vrrp::LinuxChannelFactory> channels_;
  std::unique_ptr<vrrp::LinuxAddresses> addresses_;
  std::unique_ptr<vrrp::LinuxGratuitous> gratuitous_;
  LinuxSyncDaemonPort syncPort_;
  ipvs::SyncDaemonDriver syncDaemons_;
  ResumeFile resume_;
  std::unique_ptr<vrrp::Engine> engine_;
  std::unique_ptr<boost::asio::steady_timer> exitTimer_;
  DumpFileNames dumpFiles_;
  bool terminating_ = false;
};

}  // namespace tandem::daemon
