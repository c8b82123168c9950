#pragma once
// A program started in a session of its own, so that the whole process group it may spawn can be signalled; stdio
// on /dev/null, optionally under other credentials. Its exit is watched through a pidfd on the event loop: no
// SIGCHLD handler, no blocking wait, and no interference with other code that reaps its own children by pid.
//
// The object keeps itself alive until the exit has been seen and the process reaped, even when its owner lets it
// go: `detach()` forgets the callback, and the process is still reaped. Needs Linux 5.3 (pidfd_open).
#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tandem::check {

struct Credentials {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups of the user
};

// keepalived's script user: "user", "user group" or "user:group"; the group defaults to the user's own.
std::optional<Credentials> lookupCredentials(const std::string& spec, std::string& error);
// Where execvp would find `program`: itself when it holds a '/', else the first executable match in $PATH.
std::optional<std::string> findProgram(const std::string& program);

class ChildProcess : public std::enable_shared_from_this<ChildProcess> {
 public:
  using Exited = std::function<void(int waitStatus)>;
  // What `exited` gets when someone else reaped the process: neither WIFEXITED nor WIFSIGNALED holds for it.
  static constexpr int kLostStatus = -1;

  // Starts argv (argv[0] looked up in $PATH when it has no '/'); nullptr with `error` set when it cannot.
  // `exited` is called once from the loop with the status waitpid reported.
  static std::shared_ptr<ChildProcess> spawn(boost::asio::io_context& io, const std::vector<std::string>& argv,
                                             const std::optional<Credentials>& credentials, Exited exited,
                                             std::string& error);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool exited() const { return reaped_; }
  // Sends `signal` to the whole process group; false when nothing was left to signal.
  bool signalGroup(int sig);
  // Kill what remains of the group (SIGKILL) when the leader exits, before it is reaped: children a timed-out
  // script left behind must not survive it, and the group id cannot have been reused yet.
  void killGroupOnExit() { killGroupOnExit_ = true; }
  void detach() { exited_ = nullptr; }

 private:
  ChildProcess(boost::asio::io_context& io, pid_t pid, int pidfd, Exited exited);
  void waitForExit();

  pid_t pid_;
  boost::asio::posix::stream_descriptor pidfd_;
  Exited exited_;
  bool reaped_ = false;
  bool killGroupOnExit_ = false;
};

}  // namespace tandem::check
