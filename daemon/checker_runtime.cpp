#include "daemon/checker_runtime.h"

#include <signal.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cstdlib>
#include <fstream>
#include <random>

#include "checkers/linux/probe_factory.h"
#include "checkers/script_words.h"
#include "daemon/checker_status.h"
#include "daemon/child_runtime.h"
#include "daemon/config_tool.h"
#include "daemon/control_protocol.h"
#include "daemon/pid_file.h"

namespace tandem::daemon {
namespace {

using check::HealthEvent;

// keepalived runs checker notify scripts without a time limit; a hung one would pile up a process per event.
constexpr std::chrono::seconds kScriptTimeout{60};
// Checks due within this much of each other start together: one wake-up of the loop for a batch instead of one per
// check. Due times are rounded to the nearest multiple, so a check starts at most half of it early or late: rounding
// up instead added up to 4 ms per step, up to 8 ms to a removal after a retry (measured: median +8.1 ms).
constexpr std::chrono::milliseconds kTimerSlack{4};
// IPVS refusing the wanted table (or missing): tried again after 1 s, then twice as late each time, up to 30 s.
constexpr std::chrono::milliseconds kFirstRetry{1000};
constexpr std::chrono::milliseconds kLongestRetry{30000};

check::HealthTracker::Random warmupRandom() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

std::string secondsText(check::Duration d) {
  const double s = std::chrono::duration<double>(d).count();
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g s", s);
  return buffer;
}

std::vector<std::string> readLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace

std::string drainFilePath(const std::string& checkersPidFile) { return pidFileSibling(checkersPidFile, ".drained"); }

CheckerRuntime::CheckerRuntime(boost::asio::io_context& io, const Options& options, Logger& log)
    : io_(io),
      options_(options),
      log_(log),
      curl_(io),
      scripts_(io, {}, log.sink()),
      kernel_(ipvs_),
      reconciler_(kernel_,
                  [&log](ipvs::Reconciler::Level level, const std::string& line) {
                    using Level = ipvs::Reconciler::Level;
                    log.log(level == Level::Error  ? Logger::Level::Error
                            : level == Level::Info ? Logger::Level::Info
                                                   : Logger::Level::Debug,
                            line);
                  }),
      board_(warmupRandom()),
      dueTimer_(io),
      signals_(io, SIGTERM, SIGINT, SIGHUP),
      retryTimer_(io),
      drainFile_(drainFilePath(options.checkersPidFile)) {}

CheckerRuntime::~CheckerRuntime() = default;

check::CheckerConfig CheckerRuntime::prepare(const config::Config& config) {
  check::CheckerConfig spec = check::mapCheckerConfig(config);
  for (const std::string& warning : spec.warnings) log_.warning(warning);
  // As keepalived: a MISC_CHECK whose script cannot be found, or that a non-root user could change while
  // enable_script_security is on, is disabled; the real server is judged by its other checkers.
  for (auto& vs : spec.virtualServers)
    for (auto& rs : vs.realServers)
      std::erase_if(rs.checkers, [&](const check::CheckerSpec& c) {
        if (c.kind != check::CheckKind::Misc) return false;
        const std::string where = c.where.valid() ? c.where.fileName() + ":" + std::to_string(c.where.line) + ": " : "";
        const check::ScriptWords words = check::splitScriptWords(c.miscPath);
        const auto program = words.words.empty() ? std::nullopt : resolveProgram(words.words.front());
        if (!program) {
          log_.error(where + "MISC_CHECK '" + c.miscPath + "' of real server " + rs.name() + " in " + vs.name +
                     ": the script is not found or not executable; this checker is disabled");
          return true;
        }
        if (spec.scriptSecurity)
          if (const auto why = insecurePath(*program)) {
            log_.error(where + "MISC_CHECK '" + c.miscPath + "' of real server " + rs.name() + " in " + vs.name +
                       ": " + *why + "; disabled by enable_script_security");
            return true;
          }
        return false;
      });
  return spec;
}

bool CheckerRuntime::start(config::Config config) {
  dumpFiles_ = dumpFileNamesFrom(config.global);
  scripts_.setSettings({config.global.enable_script_security});
  check::CheckerConfig spec = prepare(config);
  releaseConfiguration(config);
  if (spec.lvsTimeouts) {
    const auto& t = *spec.lvsTimeouts;
    const auto status = ipvs_.setTimeouts({static_cast<std::uint32_t>(t.tcp.value_or(0)),
                                           static_cast<std::uint32_t>(t.tcpfin.value_or(0)),
                                           static_cast<std::uint32_t>(t.udp.value_or(0))});
    if (status.ok()) log_.info("IPVS: lvs_timeouts applied");
    else log_.error("IPVS: cannot apply lvs_timeouts: " + status.message);
  }
  const std::optional<ipvs::Table> adopted = reconciler_.adopt(check::configuredServices(spec));
  if (adopted && !adopted->empty())
    log_.info("IPVS: " + std::to_string(adopted->services().size()) +
              " configured service(s) already in the kernel: adopted as they are");
  board_.restoreDrained(readLines(drainFile_));
  apply(std::move(spec), adopted ? &*adopted : nullptr);

  std::size_t realServers = 0, checkers = 0;
  for (const auto& vs : board_.virtualServers())
    for (const auto& rs : vs.spec.realServers) {
      ++realServers;
      checkers += rs.checkers.size();
    }
  log_.info("checking " + std::to_string(realServers) + " real server(s) of " +
            std::to_string(board_.virtualServers().size()) + " virtual server(s) with " + std::to_string(checkers) +
            " checker(s)");
  waitForSignal();
  return true;
}

int CheckerRuntime::run() {
  io_.run();
  return 0;
}

void CheckerRuntime::apply(check::CheckerConfig spec, const ipvs::Table* adopted) {
  ++generation_;
  slots_.clear();  // abandons every attempt under way and cancels every timer of the previous configuration
  std::vector<HealthEvent> events;
  const std::vector<check::ScheduledCheck> schedule =
      board_.configure(std::move(spec), std::chrono::steady_clock::now(), adopted, events);
  due_ = {};
  dueTimerAt_.reset();
  dueTimer_.cancel();
  slots_.reserve(schedule.size());
  for (const check::ScheduledCheck& s : schedule) {
    slots_.push_back(Slot{s.id, check::makeProbe(board_.checker(s.id), io_, curl_), {}, 0});
    arm(slots_.size() - 1, s.at);
  }
  handle(events);
  saveDrains();
  sync();
}

void CheckerRuntime::arm(std::size_t slot, check::TimePoint at) {
  const auto since = at.time_since_epoch();
  const auto rounded = check::TimePoint(((since + kTimerSlack / 2) / kTimerSlack) * kTimerSlack);
  slots_[slot].armed = ++nextToken_;
  due_.push({rounded, slot, slots_[slot].armed});
  if (!dueTimerAt_ || rounded < *dueTimerAt_) armDueTimer();
}

void CheckerRuntime::armDueTimer() {
  if (due_.empty()) {
    dueTimerAt_.reset();
    dueTimer_.cancel();
    return;
  }
  dueTimerAt_ = due_.top().at;
  dueTimer_.expires_at(*dueTimerAt_);
  dueTimer_.async_wait([this, generation = generation_](const boost::system::error_code& ec) {
    if (!ec && generation == generation_) runDueChecks();
  });
}

void CheckerRuntime::runDueChecks() {
  dueTimerAt_.reset();
  const auto now = std::chrono::steady_clock::now();
  while (!due_.empty() && due_.top().at <= now) {
    const Due next = due_.top();
    due_.pop();
    if (next.slot < slots_.size() && slots_[next.slot].armed == next.token) runCheck(next.slot);
  }
  if (!dueTimerAt_) armDueTimer();
}

void CheckerRuntime::runCheck(std::size_t index) {
  Slot& slot = slots_[index];
  slot.startedAt = std::chrono::steady_clock::now();
  slot.probe->start([this, index, generation = generation_](check::Verdict verdict) {
    if (generation == generation_) onVerdict(index, verdict);
  });
}

void CheckerRuntime::onVerdict(std::size_t index, const check::Verdict& verdict) {
  const Slot& slot = slots_[index];
  const check::CheckerId& id = slot.id;
  const auto now = std::chrono::steady_clock::now();
  const check::CheckerSpec& spec = board_.checker(id);
  // keepalived measures a MISC_CHECK's delay_loop from the script's launch, the others from the attempt's end; the
  // result and any change of health are dated when the verdict came, for every kind.
  const std::optional<check::TimePoint> scheduleFrom =
      spec.kind == check::CheckKind::Misc ? std::optional<check::TimePoint>(slot.startedAt) : std::nullopt;
  const auto& tracker = board_.virtualServers()[id.vs].realServers[id.rs].health.checker(id.checker);
  const bool wasUp = tracker.up();
  const check::HealthBoard::Step step = board_.onResult(
      id, verdict, now, std::chrono::duration_cast<check::Duration>(now - slot.startedAt), scheduleFrom);
  if (!verdict.success && wasUp && step.checker.retrying) {
    const auto& vs = board_.virtualServers()[id.vs];
    log_.info(vs.spec.name + ": real server " + vs.spec.realServers[id.rs].name() + ": " + spec.label() + ": " +
              verdict.reason + "; retry " + std::to_string(tracker.retriesDone()) + " of " +
              std::to_string(spec.timing.retry) + " in " + secondsText(spec.timing.delayBeforeRetry));
  }
  arm(index, step.checker.nextCheckAt);
  handle(step.events);
  if (step.tableChanged) requestSync();
}

void CheckerRuntime::handle(const std::vector<HealthEvent>& events) {
  for (const HealthEvent& e : events) {
    const check::VirtualServerRecord& vs = board_.virtualServers().at(e.vs);
    const std::string& name = vs.spec.name;
    const std::string sorry =
        vs.spec.sorryServer ? ipvs::destinationName(vs.spec.sorryServer->destination.key) : std::string();
    switch (e.kind) {
      case HealthEvent::Kind::RealServerUp:
      case HealthEvent::Kind::RealServerDown: {
        const check::RealServerSpec& rs = vs.spec.realServers.at(e.rs);
        const bool up = e.kind == HealthEvent::Kind::RealServerUp;
        const auto weight = board_.weightInPool(e.vs, e.rs);
        std::string where;
        if (terminating_) where = "shutting down";
        else if (!weight) where = up ? "out of the pool while the sorry server stands in" : "removed from the pool";
        else if (!up) where = "kept in the pool at weight 0 (inhibit_on_failure)";
        else where = "in the pool at weight " + std::to_string(*weight);
        (up ? log_.info(name + ": real server " + rs.name() + " is up (" + e.reason + "): " + where)
            : log_.warning(name + ": real server " + rs.name() + " is down (" + e.reason + "): " + where));
        runScript(up ? rs.notifyUp : rs.notifyDown, (up ? "notify_up of " : "notify_down of ") + rs.name());
        break;
      }
      case HealthEvent::Kind::QuorumGained:
      case HealthEvent::Kind::QuorumLost: {
        const bool gained = e.kind == HealthEvent::Kind::QuorumGained;
        std::string line = name + ": quorum " + (gained ? "gained" : "lost") + " (live weight " +
                           std::to_string(board_.liveWeight(e.vs)) + ", quorum " +
                           std::to_string(vs.spec.quorum.quorum) + ", hysteresis " +
                           std::to_string(vs.spec.quorum.hysteresis) + ")";
        if (!sorry.empty() && !terminating_)
          line += gained ? "; sorry server " + sorry + " out of the pool" : "; sorry server " + sorry + " in the pool";
        (gained ? log_.info(line) : log_.warning(line));
        runScript(gained ? vs.spec.quorumUp : vs.spec.quorumDown, (gained ? "quorum_up of " : "quorum_down of ") + name);
        break;
      }
    }
  }
}

void CheckerRuntime::runScript(const check::ScriptSpec& script, const std::string& what) {
  if (script.argv.empty()) return;
  scripts_.run(script.argv, kScriptTimeout, script.user, [this, what](int status) {
    if (status != 0) log_.warning(what + " exited with status " + std::to_string(status));
  });
}

void CheckerRuntime::requestSync() {
  if (syncPosted_) return;
  syncPosted_ = true;
  // Every verdict that is ready in this turn of the loop lands before the table is planned: one plan for a burst.
  boost::asio::post(io_, [this, generation = generation_] {
    syncPosted_ = false;
    if (generation == generation_) sync();
  });
}

void CheckerRuntime::sync() {
  if (terminating_) return;
  if (reconciler_.sync(board_.wantedTable())) {
    retryDelay_ = std::chrono::milliseconds{0};
    retryTimer_.cancel();
    return;
  }
  retryDelay_ = retryDelay_.count() == 0 ? kFirstRetry : std::min(retryDelay_ * 2, kLongestRetry);
  retryTimer_.expires_after(retryDelay_);
  retryTimer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) sync();
  });
}

void CheckerRuntime::saveDrains() {
  const std::vector<std::string> lines = board_.drainedList();
  if (lines.empty()) {
    unlink(drainFile_.c_str());
    return;
  }
  std::string content;
  for (const std::string& line : lines) content += line + "\n";
  std::string error;
  if (!writeDumpFile(drainFile_, content, error)) log_.warning("cannot record the drains for a restart: " + error);
}

nlohmann::json CheckerRuntime::drain(const std::string& virtualServer, const std::string& realServer, bool drained) {
  const check::HealthBoard::DrainOutcome outcome = board_.setDrained(virtualServer, realServer, drained);
  if (!outcome.error.empty()) return errorReply(outcome.error);
  log_.info(std::string(drained ? "drain" : "undrain") + " " + (virtualServer.empty() ? "" : virtualServer + " ") +
            realServer + ": " + std::to_string(outcome.changed) + " of " + std::to_string(outcome.matched) +
            " real server(s) changed" + (drained ? " (weight 0 in IPVS)" : ""));
  handle(outcome.events);
  saveDrains();
  if (outcome.tableChanged) sync();
  return {{"ok", true},
          {"matched", outcome.matched},
          {"changed", outcome.changed},
          {"ipvs_converged", reconciler_.status().converged}};
}

nlohmann::json CheckerRuntime::status() {
  std::string error;
  const std::optional<ipvs::linux_::Snapshot> snapshot = ipvs_.dump(error);
  const CheckerStatusInput input{board_,
                                 reconciler_.status(),
                                 snapshot ? &snapshot->statistics : nullptr,
                                 snapshot ? std::string() : error,
                                 std::chrono::steady_clock::now(),
                                 WallClock::now()};
  nlohmann::json reply = checkerStatusJson(input);
  reply["ok"] = true;
  return reply;
}

void CheckerRuntime::writeDataDump() {
  const DumpFileNames names{"keepalived_check.data", "", ""};
  const std::string path = dumpFilePath(DumpKind::Data, names, std::getenv("TMPDIR"));
  std::string error;
  if (writeDumpFile(path, formatCheckerDataDump(status(), WallClock::now()), error)) log_.info("wrote " + path);
  else log_.error(error);
}

void CheckerRuntime::waitForSignal() {
  watchTerminationSignals(signals_, log_, options_.configFile, [this] { reload(); }, [this] { terminate(); });
}

void CheckerRuntime::reload() {
  std::optional<config::LoadedConfig> loaded = reloadedConfiguration(options_, log_);
  if (!loaded) return;
  dumpFiles_ = dumpFileNamesFrom(loaded->config.global);
  scripts_.setSettings({loaded->config.global.enable_script_security});
  const std::size_t before = board_.virtualServers().size();
  apply(prepare(loaded->config), nullptr);
  log_.info("reload: " + std::to_string(board_.virtualServers().size()) + " virtual server(s) (" +
            std::to_string(before) + " before); IPVS " +
            (reconciler_.status().converged ? "in sync" : "not in sync: " + reconciler_.status().lastError));
}

void CheckerRuntime::terminate() {
  if (terminating_) return;
  terminating_ = true;
  signals_.cancel();
  ++generation_;
  slots_.clear();
  due_ = {};
  dueTimer_.cancel();
  retryTimer_.cancel();
  handle(board_.shutdownEvents());
  if (options_.dontReleaseIpvs) {
    log_.info("IPVS rules left in place (--dont-release-ipvs)");
  } else if (reconciler_.release()) {
    log_.info("IPVS: the configured services removed");
  }
  finishWhenScriptsDone(io_, scripts_, log_, exitTimer_, [this] { io_.stop(); });
}

}  // namespace tandem::daemon
