#include "checkers/health_tracker.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tandem::check {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kT0{};

double secondsSince(TimePoint t) { return std::chrono::duration<double>(t - kT0).count(); }
TimePoint at(double s) { return kT0 + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s)); }

CheckTiming timing(int delayLoop, unsigned retry, int delayBeforeRetry, bool alpha = false) {
  CheckTiming t;
  t.delayLoop = seconds(delayLoop);
  t.retry = retry;
  t.delayBeforeRetry = seconds(delayBeforeRetry);
  t.warmup = seconds(0);
  t.alpha = alpha;
  return t;
}

HealthTracker::Random fixed(double value) {
  return [value] { return value; };
}

// Runs the scripted verdicts ('+' success, '-' failure), each at the time the tracker asked for, and writes down
// "time:transition" for every attempt: the schedule is the assertion.
std::string simulate(HealthTracker& tracker, std::string_view script) {
  std::string log;
  for (char c : script) {
    const TimePoint when = tracker.nextCheckAt();
    const Outcome outcome = tracker.onResult(c == '+' ? Verdict::ok() : Verdict::failure("refused"), when);
    static constexpr const char* kNames[] = {"", "UP", "DOWN", "CONFIRMED-DOWN"};
    log += (log.empty() ? "" : " ") + std::to_string(static_cast<int>(secondsSince(when))) + c;
    log += kNames[static_cast<int>(outcome.transition)];
  }
  log += " next " + std::to_string(static_cast<int>(secondsSince(tracker.nextCheckAt())));
  return log;
}

// A fresh tracker started at t=0 without warmup, run through the script.
std::string scheduleOf(const CheckTiming& t, std::string_view script) {
  HealthTracker tracker(t, fixed(0));
  tracker.onStart(kT0);
  return simulate(tracker, script);
}

TEST(CheckHealthTracker, FirstCheckComesAfterTheBootstrapDelayPlusRandomWarmup) {
  CheckTiming t = timing(6, 1, 1);
  t.warmup = seconds(10);
  EXPECT_EQ(HealthTracker(t, fixed(0.0)).onStart(kT0), at(1));
  EXPECT_EQ(HealthTracker(t, fixed(0.5)).onStart(kT0), at(6));
  EXPECT_EQ(HealthTracker(t, fixed(1.0)).onStart(kT0), at(11));
  EXPECT_EQ(HealthTracker(t, fixed(7.0)).onStart(kT0), at(11));  // clamped
  EXPECT_EQ(HealthTracker(t, fixed(-1.0)).onStart(kT0), at(1));
  EXPECT_EQ(HealthTracker(t, nullptr).onStart(kT0), at(1));
  t.warmup = milliseconds(1500);
  HealthTracker tracker(t, fixed(0.25));
  EXPECT_EQ(tracker.onStart(at(100)), at(101.375));
  EXPECT_EQ(tracker.nextCheckAt(), at(101.375));
}

TEST(CheckHealthTracker, StableServerIsCheckedEveryDelayLoop) {
  HealthTracker tracker(timing(6, 3, 2), fixed(0));
  tracker.onStart(kT0);
  EXPECT_TRUE(tracker.up());
  EXPECT_EQ(simulate(tracker, "+++"), "1+ 7+ 13+ next 19");
  EXPECT_TRUE(tracker.hasRun());
}

// delay_loop 6, retry 3, delay_before_retry 2: a server that fails from the check at t=7 on is retried at 9, 11
// and 13 and declared down at exactly t=13 (= 7 + retry * delay_before_retry, the 4th consecutive failure).
TEST(CheckHealthTracker, UpServerIsDeclaredDownAfterRetryPlusOneFailures) {
  HealthTracker tracker(timing(6, 3, 2), fixed(0));
  tracker.onStart(kT0);
  EXPECT_EQ(simulate(tracker, "+----"), "1+ 7- 9- 11- 13-DOWN next 19");
  EXPECT_FALSE(tracker.up());
  EXPECT_EQ(tracker.retriesDone(), 0U);
}

TEST(CheckHealthTracker, FailingFromTimeZeroIsDownAtExactlySixSeconds) {
  HealthTracker tracker(timing(6, 3, 2), fixed(0));
  tracker.onStart(at(-7));
  tracker.onResult(Verdict::ok(), at(-6));  // up, next check at t=0
  ASSERT_EQ(tracker.nextCheckAt(), at(0));
  for (int t : {0, 2, 4}) {
    const Outcome retry = tracker.onResult(Verdict::failure("refused"), at(t));
    EXPECT_EQ(retry.transition, Transition::None) << "at " << t;
    EXPECT_EQ(retry.nextCheckAt, at(t + 2));
  }
  const Outcome down = tracker.onResult(Verdict::failure("refused"), at(6));
  EXPECT_EQ(down.transition, Transition::WentDown);
  EXPECT_EQ(down.nextCheckAt, at(12));
}

TEST(CheckHealthTracker, RetriesAreCountedAndFlaggedUntilTheVerdict) {
  HealthTracker tracker(timing(6, 3, 2), fixed(0));
  tracker.onStart(kT0);
  tracker.onResult(Verdict::ok(), at(1));
  const Outcome retry = tracker.onResult(Verdict::failure("timeout"), at(7));
  EXPECT_TRUE(retry.retrying);
  EXPECT_EQ(retry.nextCheckAt, at(9));
  EXPECT_EQ(tracker.retriesDone(), 1U);
  const Outcome recovered = tracker.onResult(Verdict::ok(), at(9));
  EXPECT_FALSE(recovered.retrying);
  EXPECT_EQ(recovered.transition, Transition::None);
  EXPECT_EQ(tracker.retriesDone(), 0U);
}

TEST(CheckHealthTracker, ASuccessDuringRetriesStartsTheCountAgain) {
  EXPECT_EQ(scheduleOf(timing(6, 3, 2), "+---+----"), "1+ 7- 9- 11- 13+ 19- 21- 23- 25-DOWN next 31");
}

TEST(CheckHealthTracker, DownServerIsPolledEveryDelayLoopAndOneSuccessBringsItBack) {
  HealthTracker tracker(timing(6, 3, 2), fixed(0));
  tracker.onStart(kT0);
  EXPECT_EQ(simulate(tracker, "+-------+"), "1+ 7- 9- 11- 13-DOWN 19- 25- 31- 37+UP next 43");
  EXPECT_TRUE(tracker.up());
}

TEST(CheckHealthTracker, WithoutAlphaOneFailureBeforeAnySuccessIsEnough) {
  EXPECT_EQ(scheduleOf(timing(6, 3, 2), "-+"), "1-DOWN 7+UP next 13");
}

TEST(CheckHealthTracker, AlphaStartsDownAndOneSuccessBringsItUp) {
  HealthTracker tracker(timing(6, 3, 2, true), fixed(0));
  EXPECT_FALSE(tracker.up());
  tracker.onStart(kT0);
  EXPECT_EQ(simulate(tracker, "+"), "1+UP next 7");
}

TEST(CheckHealthTracker, AlphaConfirmsTheInitialFailureOnceThenPollsQuietly) {
  EXPECT_EQ(scheduleOf(timing(6, 3, 2, true), "---+-"), "1-CONFIRMED-DOWN 7- 13- 19+UP 25- next 27");
}

TEST(CheckHealthTracker, RetryZeroFlapsOnEveryChange) {
  EXPECT_EQ(scheduleOf(timing(5, 0, 1), "+-+-+"), "1+ 6-DOWN 11+UP 16-DOWN 21+UP next 26");
}

TEST(CheckHealthTracker, IsolatedFailuresNeverFlapAServerWithRetries) {
  HealthTracker tracker(timing(5, 1, 1), fixed(0));
  tracker.onStart(kT0);
  EXPECT_EQ(simulate(tracker, "+-+-+-+"), "1+ 6- 7+ 12- 13+ 18- 19+ next 24");
  EXPECT_EQ(simulate(tracker, "--"), "24- 25-DOWN next 30");
}

TEST(CheckHealthTracker, DelayIsCountedFromTheTimeTheResultIsReported) {
  HealthTracker tracker(timing(6, 1, 2), fixed(0));
  tracker.onStart(kT0);
  EXPECT_EQ(tracker.onResult(Verdict::ok(), at(3.5)).nextCheckAt, at(9.5));
  EXPECT_EQ(tracker.onResult(Verdict::failure("slow"), at(14)).nextCheckAt, at(16));
}

TEST(CheckHealthTracker, KeepsTheDynamicWeightOfTheLastSuccess) {
  HealthTracker tracker(timing(6, 0, 1), fixed(0));
  tracker.onStart(kT0);
  tracker.onResult(Verdict::ok(8), at(1));
  EXPECT_EQ(tracker.dynamicWeight(), 8U);
  tracker.onResult(Verdict::failure("exit 1"), at(7));
  EXPECT_EQ(tracker.dynamicWeight(), 8U);  // a failure says nothing about the weight
  tracker.onResult(Verdict::ok(), at(13));
  EXPECT_EQ(tracker.dynamicWeight(), 8U);  // exit 0: "weight unchanged" (keepalived sets it on 2..255 only)
  tracker.onResult(Verdict::ok(3), at(19));
  EXPECT_EQ(tracker.dynamicWeight(), 3U);
}

}  // namespace
}  // namespace tandem::check
