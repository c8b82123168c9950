#pragma once
// Thresholds, retries and scheduling for one (real server, checker) pair, with keepalived 2.x's semantics
// (check_api.c, check_misc.c, check_dns.c, check_http.c):
//   - first check at start + 1 s (keepalived's BOOTSTRAP_DELAY) + warmup * r, r uniform in [0, 1] from the injected
//     random source; warmup defaults to delay_loop in keepalived, 0 disables it;
//   - without alpha a checker starts up; with alpha it starts down;
//   - before the first success, one failure is enough: keepalived starts retry_it at retry, so a server whose very
//     first check fails goes down at once (and, with alpha, keepalived reports that initial failure: ConfirmedDown);
//   - while up, a failure is retried `retry` times, delay_before_retry apart; the (retry+1)-th consecutive failure
//     declares the checker down. Example: delay_loop 6, retry 3, delay_before_retry 2, failures from the check at
//     t: retries at t+2, t+4, t+6, down at t+6, next check t+12;
//   - while down, every attempt is delay_loop apart and one success brings the checker up;
//   - after any verdict that is not a retry, the next check is delay_loop later; any success resets the retries.
// Times are measured from `now` as passed to onResult (keepalived measures from the end of a TCP/HTTP attempt and
// from the launch of a MISC script: the adapter passes whichever it wants mirrored).
// Deliberate difference: keepalived's older TCP_CHECK also spaced attempts delay_before_retry apart while down;
// its current checkers and Tandem do not.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "checkers/verdict.h"

namespace tandem::check {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = std::chrono::microseconds;

inline constexpr Duration kBootstrapDelay = std::chrono::seconds(1);

struct CheckTiming {
  Duration delayLoop = std::chrono::seconds(60);        // keepalived's default
  unsigned retry = 1;                                   // keepalived's default (MISC_CHECK: 0, DNS_CHECK: 3)
  Duration delayBeforeRetry = std::chrono::seconds(1);  // keepalived: 3 s for HTTP/SSL, delay_loop for DNS
  Duration warmup = std::chrono::seconds(60);           // keepalived: delay_loop unless set
  bool alpha = false;
  bool operator==(const CheckTiming&) const = default;
};

enum class Transition : std::uint8_t {
  None,
  WentUp,
  WentDown,
  ConfirmedDown,  // alpha: the first result failed, the checker stays down; keepalived runs notify_down here
};

struct Outcome {
  Transition transition = Transition::None;
  TimePoint nextCheckAt;
  bool retrying = false;  // the next check is a retry (delay_before_retry)
};

class HealthTracker {
 public:
  // Returns a number in [0, 1]; values outside are clamped. Tests pass a constant.
  using Random = std::function<double()>;

  HealthTracker(CheckTiming timing, Random random);

  // Schedules the first check; returns its time.
  TimePoint onStart(TimePoint now);
  Outcome onResult(const Verdict& verdict, TimePoint now);
  // Takes `up` as the state already reported, as if earlier results had established it: a reload that changed the
  // checker, or a restart that found the real server in (or out of) the kernel's table. The next failure of an up
  // checker is then retried; a down checker needs one success; neither reports its first result as ConfirmedDown.
  void assume(bool up);
  // Moves the next check (a reload keeping a checker whose probe had to be rebuilt).
  void reschedule(TimePoint at) { nextCheckAt_ = at; }

  TimePoint nextCheckAt() const { return nextCheckAt_; }
  bool up() const { return up_; }
  bool hasRun() const { return hasRun_; }
  unsigned retriesDone() const { return retryCount_; }
  // The weight the last MISC_CHECK exit of 2..255 asked for (misc_dynamic); nullopt = the configured weight.
  std::optional<std::uint32_t> dynamicWeight() const { return dynamicWeight_; }
  const CheckTiming& timing() const { return timing_; }

 private:
  Outcome schedule(Transition transition, Duration delay, TimePoint now, bool retrying);

  CheckTiming timing_;
  Random random_;
  bool up_;
  bool hasRun_ = false;
  unsigned retryCount_;
  std::optional<std::uint32_t> dynamicWeight_;
  TimePoint nextCheckAt_{};
};

}  // namespace tandem::check
