#pragma once
// ScriptPort for notify and track scripts: fork/exec in a new session (so that the whole process group can be
// killed at the timeout), optionally as another user, stdio on /dev/null, reaped through an Asio SIGCHLD
// signal_set with waitpid(pid, WNOHANG) on the children we started: the loop never blocks.
//
// A timeout of zero or less means none (keepalived's notify scripts). With enable_script_security a script
// that a non-root user could modify (the file or any directory above it) is refused with a clear error.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>

#include "vrrp/ports.h"

namespace tandem::daemon {

struct ProcessRunnerSettings {
  bool scriptSecurity = false;  // global_defs enable_script_security
};

// Why `path` is unsafe to run as root (writable by someone else), or nullopt when it is safe.
std::optional<std::string> insecurePath(const std::string& path);
// argv[0] as execvp would find it: itself when it holds a '/', else the first executable match in $PATH.
std::optional<std::string> resolveProgram(const std::string& program);

class ProcessRunner final : public vrrp::ScriptPort {
 public:
  using Log = std::function<void(const std::string&)>;
  ProcessRunner(boost::asio::io_context& io, ProcessRunnerSettings settings, Log log);
  ~ProcessRunner() override;

  void run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout, const std::string& user,
           std::function<void(int status)> done) override;

  void setSettings(ProcessRunnerSettings settings) { settings_ = settings; }
  std::size_t running() const { return children_.size(); }
  // Kills every child's process group (at exit).
  void killAll();

 private:
  struct Child {
    std::function<void(int)> done;
    std::unique_ptr<boost::asio::steady_timer> timeout;
    bool killed = false;
  };
  void waitForSignal();
  void reap();
  void fail(std::function<void(int)> done, const std::string& why);

  boost::asio::io_context& io_;
  ProcessRunnerSettings settings_;
  Log log_;
  boost::asio::signal_set sigchld_;
  std::map<pid_t, Child> children_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace tandem::daemon
