#pragma once
// MISC_CHECK: runs misc_path (split as keepalived splits it, see checkers/script_words.h) in a session of its own,
// as `user` when one is given, and turns its exit into a Verdict through check::miscExitVerdict (misc_dynamic:
// exit 2..255 succeeds with weight status - 2). At misc_timeout the whole process group gets SIGTERM, then SIGKILL
// when the script exits or `killGrace` later, whichever comes first (keepalived's 2 s); the verdict is then
// "timed out". Nothing here blocks the loop.
//
// The runtime passes the effective user: keepalived runs a MISC_CHECK without `user` as global_defs script_user
// (else keepalived_script, else root) and refuses insecure scripts at load time with enable_script_security.
#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "checkers/linux/child_process.h"
#include "checkers/probe.h"

namespace tandem::check {

struct MiscProbeOptions {
  std::string command;  // misc_path as configured
  std::string user;     // "user", "user group" or "user:group"; empty: the daemon's own
  std::chrono::milliseconds timeout{60000};  // misc_timeout, else the virtual server's delay_loop
  bool dynamic = false;                      // misc_dynamic
  std::chrono::milliseconds killGrace{2000};
};

class MiscProbe final : public Probe {
 public:
  MiscProbe(boost::asio::io_context& io, MiscProbeOptions options);
  ~MiscProbe() override;

  void start(Done done) override;
  // Kills the running script's process group.
  void cancel() override;
  bool running() const override { return done_ != nullptr; }

  // The running script's process id, which is also its process group id; 0 when none runs.
  pid_t pid() const { return child_ && !child_->exited() ? child_->pid() : 0; }
  const MiscProbeOptions& options() const { return options_; }

 private:
  void onExit(int waitStatus);
  void onTimeout();
  void finish(Verdict verdict);
  void failSoon(std::string reason);

  boost::asio::io_context& io_;
  MiscProbeOptions options_;
  std::shared_ptr<ChildProcess> child_;
  boost::asio::steady_timer timer_;
  Done done_;
  bool timedOut_ = false;
  std::uint64_t attempt_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace tandem::check
