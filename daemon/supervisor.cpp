#include "daemon/supervisor.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/read.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "daemon/config_tool.h"
#include "daemon/respawn_policy.h"
#include "daemon/subsystem_child.h"

namespace tandem::daemon {
namespace {

int dumpSignal() { return SIGRTMIN + 2; }

std::string signalName(int signal) {
  if (signal == dumpSignal()) return "SIGRTMIN+2";
  switch (signal) {
    case SIGHUP: return "SIGHUP";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    default: return "signal " + std::to_string(signal);
  }
}

// What the parent forwards to its children, and what is its own: stopping and reaping.
sigset_t handledSignals() {
  sigset_t set = forwardedSignals();
  for (int s : {SIGTERM, SIGINT, SIGCHLD}) sigaddset(&set, s);
  return set;
}

int openSignalFd() {
  const sigset_t set = handledSignals();
  sigprocmask(SIG_BLOCK, &set, nullptr);
  const int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error(std::string("signalfd: ") + std::strerror(errno));
  return fd;
}

// A child killed with SIGKILL cannot remove its own pid file.
void removeChildPidFile(const std::string& path, pid_t pid) {
  std::ifstream in(path);
  long named = 0;
  if (in >> named && named == pid) unlink(path.c_str());
}

}  // namespace

Supervisor::Supervisor(boost::asio::io_context& io, const Options& options, Logger& log, SystemdNotifier& notifier)
    : io_(io), options_(options), log_(log), notifier_(notifier), signals_(io, openSignalFd()), stopTimer_(io) {
  RespawnSettings settings;
  settings.respawn = !options.dontRespawn;
  children_[0].subsystem = Subsystem::Vrrp;
  children_[0].pidFile = options.vrrpPidFile;
  children_[1].subsystem = Subsystem::Checker;
  children_[1].pidFile = options.checkersPidFile;
  for (auto& c : children_) c.policy = RespawnPolicy(settings);
}

Supervisor::~Supervisor() {
  // Normally every child is gone by now; never leave one behind without its parent's supervision.
  for (auto& c : children_)
    if (c.pid > 0) kill(c.pid, SIGKILL);
}

void Supervisor::setWanted(const config::Config& config) {
  children_[0].wanted = !options_.checkersOnly && !config.vrrp.instances.empty();
  children_[1].wanted = !options_.vrrpOnly && !config.lvs.virtual_servers.empty();
}

bool Supervisor::start(config::Config& config) {
  control_ = std::make_unique<ControlServer>(
      io_, options_.controlSocket, [this](const ControlRequest& r) { return handle(r); }, log_.sink());
  std::string error;
  if (!control_->open(error)) {
    // tandemctl is a convenience: the daemon's job (VRRP, checks) does not depend on it.
    log_.warning(error + "; tandemctl will not reach this daemon");
    control_.reset();
  }
  waitForSignal();
  setWanted(config);
  if (!children_[0].wanted && !children_[1].wanted)
    log_.warning("the configuration has neither vrrp_instance nor virtual_server blocks" +
                 std::string(options_.vrrpOnly ? " (-P)" : options_.checkersOnly ? " (-C)" : "") +
                 ": no child process to run");
  startWanted(&config);
  notifier_.ready("running");
  return true;
}

int Supervisor::run() {
  io_.run();
  return exitStatus_;
}

void Supervisor::startWanted(config::Config* config) {
  for (auto& c : children_)
    if (c.wanted && c.pid == 0 && !c.respawnTimer) spawn(c, config);
}

void Supervisor::spawn(Child& child, config::Config* config) {
  child.respawnTimer.reset();
  child.stopRequested = false;
  child.configError = false;
  Options childOptions = options_;
  childOptions.role = child.subsystem == Subsystem::Vrrp ? ProcessRole::VrrpChild : ProcessRole::CheckerChild;
  childOptions.respawned = child.respawning;
  child.respawning = false;
  std::string error;
  const pid_t pid = forkSubsystem(
      [&childOptions, config] {
        if (chdir("/") != 0) return kExitCannotStart;
        return runSubsystemChild(childOptions, config);
      },
      error);
  const std::string name(subsystemName(child.subsystem));
  if (pid < 0) {
    log_.error("cannot start the " + name + " child: " + error);
    onExit(child, W_EXITCODE(kExitCannotStart, 0));
    return;
  }
  child.pid = pid;
  child.policy.started(std::chrono::steady_clock::now());
  log_.info("started the " + name + " child, pid " + std::to_string(pid));
}

void Supervisor::waitForSignal() {
  boost::asio::async_read(signals_, boost::asio::buffer(&signalInfo_, sizeof signalInfo_),
                          [this](const boost::system::error_code& ec, std::size_t) {
                            if (ec) return;
                            onSignal(static_cast<int>(signalInfo_.ssi_signo));
                            waitForSignal();
                          });
}

void Supervisor::onSignal(int signal) {
  if (signal == SIGCHLD) {
    reap();
  } else if (signal == SIGHUP) {
    log_.info("SIGHUP: reloading " + options_.configFile);
    reload();
  } else if (signal == SIGTERM || signal == SIGINT) {
    log_.info("received " + signalName(signal) + ": stopping");
    stop(0);
  } else {
    forward(signal);
  }
}

void Supervisor::forward(int signal) {
  for (auto& c : children_)
    if (c.pid > 0) kill(c.pid, signal);
}

void Supervisor::reap() {
  for (;;) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    for (auto& c : children_)
      if (c.pid == pid) {
        c.pid = 0;
        removeChildPidFile(c.pidFile, pid);
        onExit(c, status);
      }
  }
}

void Supervisor::onExit(Child& child, int waitStatus) {
  const std::string name(subsystemName(child.subsystem));
  const RespawnDecision decision = child.policy.exited(std::chrono::steady_clock::now(), waitStatus,
                                                       child.stopRequested || stopping_);
  switch (decision.kind) {
    case RespawnDecision::Kind::Stopped:
      log_.info("the " + name + " child " + describeWaitStatus(waitStatus));
      break;
    case RespawnDecision::Kind::ConfigError:
      child.configError = true;
      log_.error("the " + name + " child refused the configuration (" + describeWaitStatus(waitStatus) +
                 "): not restarted until a reload");
      break;
    case RespawnDecision::Kind::StopAll:
      log_.error("the " + name + " child " + describeWaitStatus(waitStatus) + "; -R: stopping");
      stop(1);
      break;
    case RespawnDecision::Kind::Respawn: {
      log_.warning("the " + name + " child " + describeWaitStatus(waitStatus) + "; restarting it in " +
                   std::to_string(decision.delay.count()) + " ms");
      child.respawning = true;
      child.respawnTimer = std::make_unique<boost::asio::steady_timer>(io_, decision.delay);
      child.respawnTimer->async_wait([this, &child](const boost::system::error_code& ec) {
        if (!ec && !stopping_) spawn(child, nullptr);
      });
      break;
    }
  }
  if (stopping_) finishWhenChildrenGone();
}

ReloadOutcome Supervisor::reload() {
  ReloadOutcome outcome;
  if (stopping_) {
    outcome.errors.push_back("stopping");
    return outcome;
  }
  notifier_.reloading();
  config::LoadedConfig loaded = loadConfiguration(options_.configFile, options_);
  for (const auto& d : loaded.diagnostics.all()) {
    const bool isError = d.severity == config::Severity::Error;
    log_.log(isError ? Logger::Level::Error : Logger::Level::Warning, d.format());
    if (isError) outcome.errors.push_back(d.format());
  }
  if (loaded.diagnostics.hasErrors()) {
    log_.error("reload refused: " + options_.configFile + " has " + std::to_string(outcome.errors.size()) +
               " error(s); nothing changed");
    notifier_.ready("running (last reload refused)");
    return outcome;
  }
  forward(SIGHUP);
  setWanted(loaded.config);
  startWanted(&loaded.config);
  notifier_.ready("running");
  outcome.ok = true;
  return outcome;
}

void Supervisor::stop(int exitStatus) {
  if (stopping_) return;
  stopping_ = true;
  exitStatus_ = exitStatus;
  notifier_.stopping();
  for (auto& c : children_) {
    c.respawnTimer.reset();
    if (c.pid > 0) {
      c.stopRequested = true;
      kill(c.pid, SIGTERM);
    }
  }
  stopTimer_.expires_after(kStopGrace);
  stopTimer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    for (auto& c : children_)
      if (c.pid > 0) {
        log_.warning("the " + std::string(subsystemName(c.subsystem)) + " child did not stop within " +
                     std::to_string(kStopGrace.count()) + " s: SIGKILL");
        kill(c.pid, SIGKILL);
      }
  });
  finishWhenChildrenGone();
}

bool Supervisor::anyRunning() const {
  for (const auto& c : children_)
    if (c.pid > 0) return true;
  return false;
}

void Supervisor::finishWhenChildrenGone() {
  if (anyRunning()) return;
  stopTimer_.cancel();
  signals_.cancel();
  control_.reset();
  io_.stop();
}

nlohmann::json Supervisor::status() const {
  nlohmann::json children = nlohmann::json::array();
  for (const auto& c : children_) {
    const std::string name(subsystemName(c.subsystem));
    nlohmann::json child{{"subsystem", name},
                         {"wanted", c.wanted},
                         {"running", c.pid > 0},
                         {"respawns", c.policy.respawns()},
                         {"socket", childSocketPath(options_.controlSocket, name)}};
    if (c.pid > 0) child["pid"] = c.pid;
    if (c.configError) child["config_error"] = true;
    if (c.respawnTimer) child["restarting"] = true;
    children.push_back(std::move(child));
  }
  return {{"pid", getpid()}, {"config_file", options_.configFile}, {"children", std::move(children)}};
}

nlohmann::json Supervisor::handle(const ControlRequest& request) {
  switch (request.command) {
    case ControlCommand::Ping: return {{"ok", true}};
    case ControlCommand::Status: return {{"ok", true}, {"daemon", status()}};
    case ControlCommand::Reload: {
      log_.info("reload requested on the control socket");
      const ReloadOutcome outcome = reload();
      if (outcome.ok) return {{"ok", true}};
      nlohmann::json reply = errorReply("the configuration has errors; nothing changed");
      reply["errors"] = outcome.errors;
      return reply;
    }
    case ControlCommand::Drain:
    case ControlCommand::Undrain:
      return errorReply(std::string(commandName(request.command)) +
                        " is the checker child's: send it to its socket, listed by status (tandemctl does)");
  }
  return errorReply("unhandled command");
}

}  // namespace tandem::daemon
