#include "daemon/run_mode.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "daemon/config_tool.h"
#include "daemon/logging.h"
#include "daemon/vrrp_runtime.h"

namespace tandem::daemon {
namespace {

// fork, new session, cwd /, stdio on /dev/null. The parent exits at once, as keepalived's does.
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

class PidFile {
 public:
  explicit PidFile(std::string path) : path_(std::move(path)) {}
  bool write(std::string& error) {
    std::ofstream out(path_, std::ios::trunc);
    if (!(out << getpid() << '\n')) {
      error = "cannot write pid file " + path_ + ": " + std::strerror(errno);
      return false;
    }
    written_ = true;
    return true;
  }
  ~PidFile() {
    if (written_) unlink(path_.c_str());
  }

 private:
  std::string path_;
  bool written_ = false;
};

}  // namespace

std::optional<pid_t> livePidIn(const std::string& pidFile) {
  std::ifstream in(pidFile);
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  if (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM) return static_cast<pid_t>(pid);
  return std::nullopt;
}

int runDaemon(const Options& options) {
  config::LoadedConfig loaded = loadConfiguration(options.configFile, options);
  if (loaded.diagnostics.hasErrors()) {
    // Still attached to the terminal: the problems always reach it, and syslog as usual.
    LogSettings settings = logSettingsFor(options);
    settings.console = true;
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
  if (!options.dontFork) settings.console = false;
  Logger log(settings);
  PidFile pidFile(options.pidFile);
  std::string error;
  if (!pidFile.write(error)) {
    log.error(error);
    return 1;
  }
  log.info(std::string("Starting tandemd ") + TANDEM_VERSION + " (VRRP) with " + options.configFile);
  for (const auto& d : loaded.diagnostics.all()) log.warning(d.format());
  if (options.checkersOnly) {
    log.error("-C: the checker process is not implemented yet; nothing to run");
    return 1;
  }
  if (!loaded.config.lvs.virtual_servers.empty())
    log.warning("the configuration has virtual_server blocks, but health checking is not running yet: only VRRP runs");

  boost::asio::io_context io;
  VrrpRuntime runtime(io, options, log);
  if (!runtime.start(loaded.config)) return 1;
  const int status = runtime.run();
  log.info("Stopped tandemd");
  return status;
}

}  // namespace tandem::daemon
