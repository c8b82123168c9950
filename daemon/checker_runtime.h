#pragma once
// The running checker side of tandemd: the HealthBoard driven by real probes (TCP connect, HTTP/SSL through
// libcurl's multi interface, MISC scripts) on one io_context, the IPVS table kept equal to what the board wants
// (ipvs::Reconciler on LinuxIpvs), notify_up/notify_down and quorum_up/quorum_down scripts, and operator drains.
//
//   start     adopts the kernel's table (rules left by -I or by a checker child that died are kept as they are),
//             applies lvs_timeouts, starts every checker, programs what differs
//   SIGHUP    reload(): a configuration with errors is logged and ignored; otherwise every real server still
//             configured keeps its health and drain, unchanged checkers keep their schedule, IPVS gets the difference
//   SIGTERM   terminate(): omega notifications, the owned services removed unless -I, then run() returns 0
//
// A failing IPVS (no module, a refused rule) never stops the checks: it is logged once, shown in status, and
// retried with backoff until the kernel holds the wanted table.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "checkers/health_board.h"
#include "checkers/linux/curl_multi.h"
#include "checkers/probe.h"
#include "daemon/logging.h"
#include "daemon/options.h"
#include "daemon/process_runner.h"
#include "daemon/state_dump.h"
#include "ipvs/linux/linux_ipvs.h"
#include "ipvs/linux/linux_kernel_port.h"
#include "ipvs/reconciler.h"
#include "parser/model.h"

namespace tandem::daemon {

// "/run/checkers.pid" -> "/run/checkers.drained": the drains a checker child hands to its successor.
std::string drainFilePath(const std::string& checkersPidFile);

class CheckerRuntime {
 public:
  CheckerRuntime(boost::asio::io_context& io, const Options& options, Logger& log);
  ~CheckerRuntime();
  CheckerRuntime(const CheckerRuntime&) = delete;
  CheckerRuntime& operator=(const CheckerRuntime&) = delete;

  // Starts on a validated configuration, which it frees once it has taken what it runs (the model of a large file
  // weighs far more). Never fails for want of IPVS (that is retried); false only when the event loop's own
  // resources cannot be had.
  bool start(config::Config config);
  // Runs the loop until a termination signal has been handled. The exit status.
  int run();
  void reload();
  void terminate();

  // The status reply of the control socket: virtual and real servers, checkers, IPVS and its statistics.
  nlohmann::json status();
  // tandemctl drain / undrain: {"ok": true, "changed": N} or an error reply.
  nlohmann::json drain(const std::string& virtualServer, const std::string& realServer, bool drained);
  // SIGUSR1: keepalived_check.data.
  void writeDataDump();

  const check::HealthBoard& board() const { return board_; }

 private:
  struct Slot {
    check::CheckerId id;
    std::unique_ptr<check::Probe> probe;
    check::TimePoint startedAt{};
    std::uint64_t armed = 0;  // the token of its entry in `due_`; an entry with another token is stale
  };
  // One timer for every check: a heap of (time, checker) entries, due times rounded to kTimerSlack so that
  // checks falling in the same few milliseconds start in one wake-up of the loop.
  struct Due {
    check::TimePoint at;
    std::size_t slot = 0;
    std::uint64_t token = 0;
    bool operator>(const Due& other) const { return at > other.at; }
  };

  void apply(check::CheckerConfig spec, const ipvs::Table* adopted);
  check::CheckerConfig prepare(const config::Config& config);
  void arm(std::size_t slot, check::TimePoint at);
  void armDueTimer();
  void runDueChecks();
  void runCheck(std::size_t slot);
  void onVerdict(std::size_t slot, const check::Verdict& verdict);
  void handle(const std::vector<check::HealthEvent>& events);
  void runScript(const check::ScriptSpec& script, const std::string& what);
  void requestSync();
  void sync();
  void saveDrains();
  void waitForSignal();

  boost::asio::io_context& io_;
  const Options& options_;
  Logger& log_;
  check::CurlMulti curl_;
  ProcessRunner scripts_;
  ipvs::linux_::LinuxIpvs ipvs_;
  ipvs::linux_::LinuxKernelPort kernel_;
  ipvs::Reconciler reconciler_;
  check::HealthBoard board_;
  std::vector<Slot> slots_;  // one per checker of the configuration in force
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> due_;
  boost::asio::steady_timer dueTimer_;
  std::optional<check::TimePoint> dueTimerAt_;
  std::uint64_t nextToken_ = 0;
  std::uint64_t generation_ = 0;  // bumped by every configuration, so that stale callbacks are ignored
  boost::asio::signal_set signals_;
  boost::asio::steady_timer retryTimer_;
  std::chrono::milliseconds retryDelay_{0};
  bool syncPosted_ = false;
  std::unique_ptr<boost::asio::steady_timer> exitTimer_;
  DumpFileNames dumpFiles_;
  std::string drainFile_;
  bool terminating_ = false;
};

}  // namespace tandem::daemon
