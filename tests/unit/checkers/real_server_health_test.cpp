#include "checkers/real_server_health.h"

#include <gtest/gtest.h>

namespace tandem::check {
namespace {

using std::chrono::seconds;

const TimePoint kT0{};
TimePoint at(int s) { return kT0 + seconds(s); }

CheckTiming timing(int delayLoop, unsigned retry, bool alpha = false) {
  CheckTiming t;
  t.delayLoop = seconds(delayLoop);
  t.retry = retry;
  t.delayBeforeRetry = seconds(1);
  t.warmup = seconds(0);
  t.alpha = alpha;
  return t;
}

const Verdict kOk = Verdict::ok();
const Verdict kFail = Verdict::failure("refused");

TEST(CheckRealServerHealth, DownWhileAnyCheckerIsDownUpWhenAllAre) {
  RealServerHealth server({timing(5, 0), timing(7, 0)}, nullptr);
  EXPECT_EQ(server.onStart(kT0), (std::vector<TimePoint>{at(1), at(1)}));
  EXPECT_TRUE(server.up());
  EXPECT_EQ(server.onResult(0, kOk, at(1)).server, ServerTransition::None);
  EXPECT_EQ(server.onResult(1, kOk, at(1)).server, ServerTransition::None);

  EXPECT_EQ(server.onResult(0, kFail, at(6)).server, ServerTransition::WentDown);
  EXPECT_EQ(server.onResult(1, kFail, at(8)).server, ServerTransition::None);
  EXPECT_EQ(server.failedCheckers(), 2U);
  EXPECT_EQ(server.onResult(0, kOk, at(11)).server, ServerTransition::None);  // the other one is still down
  EXPECT_FALSE(server.up());
  const ServerOutcome back = server.onResult(1, kOk, at(15));
  EXPECT_EQ(back.server, ServerTransition::WentUp);
  EXPECT_EQ(back.checker.transition, Transition::WentUp);
  EXPECT_EQ(back.checker.nextCheckAt, at(22));
  EXPECT_TRUE(server.up());
}

TEST(CheckRealServerHealth, AnAlphaCheckerHoldsTheServerDownUntilItsFirstSuccess) {
  RealServerHealth server({timing(5, 0), timing(5, 2, true)}, nullptr);
  EXPECT_FALSE(server.up());
  server.onStart(kT0);
  EXPECT_EQ(server.onResult(0, kOk, at(1)).server, ServerTransition::None);
  EXPECT_EQ(server.onResult(1, kFail, at(1)).server, ServerTransition::ConfirmedDown);
  EXPECT_EQ(server.onResult(1, kFail, at(6)).server, ServerTransition::None);
  EXPECT_EQ(server.onResult(1, kOk, at(11)).server, ServerTransition::WentUp);
}

TEST(CheckRealServerHealth, ConfirmedDownIsNotReportedForAServerThatWasUp) {
  // keepalived only reports the alpha checker's initial failure as such; a non-alpha checker's first failure is a
  // real transition of an up server.
  RealServerHealth server({timing(5, 3)}, nullptr);
  server.onStart(kT0);
  EXPECT_EQ(server.onResult(0, kFail, at(1)).server, ServerTransition::WentDown);
}

TEST(CheckRealServerHealth, AServerWithoutCheckersIsAlwaysUp) {
  RealServerHealth server({}, nullptr);
  EXPECT_TRUE(server.up());
  EXPECT_TRUE(server.onStart(kT0).empty());
  EXPECT_FALSE(server.nextCheckAt().has_value());
  EXPECT_THROW(server.onResult(0, kOk, kT0), std::out_of_range);
}

TEST(CheckRealServerHealth, NextCheckIsTheEarliestOfItsCheckers) {
  RealServerHealth server({timing(10, 0), timing(3, 0)}, nullptr);
  server.onStart(kT0);
  server.onResult(0, kOk, at(1));
  EXPECT_EQ(server.nextCheckAt(), at(1));
  server.onResult(1, kOk, at(1));
  EXPECT_EQ(server.nextCheckAt(), at(4));
  EXPECT_EQ(server.checker(0).nextCheckAt(), at(11));
}

TEST(CheckRealServerHealth, WarmupDrawsOneRandomNumberPerChecker) {
  CheckTiming slow = timing(10, 0);
  slow.warmup = seconds(10);
  double next = 0.0;
  RealServerHealth server({slow, slow, slow}, [&next] {
    const double value = next;
    next += 0.5;
    return value;
  });
  EXPECT_EQ(server.onStart(kT0), (std::vector<TimePoint>{at(1), at(6), at(11)}));
}

TEST(CheckRealServerHealth, TheFirstDynamicWeightWins) {
  RealServerHealth server({timing(5, 0), timing(5, 0), timing(5, 0)}, nullptr);
  server.onStart(kT0);
  EXPECT_FALSE(server.dynamicWeight().has_value());
  server.onResult(2, Verdict::ok(9), at(1));
  EXPECT_EQ(server.dynamicWeight(), 9U);
  server.onResult(1, Verdict::ok(4), at(1));
  EXPECT_EQ(server.dynamicWeight(), 4U);
}

}  // namespace
}  // namespace tandem::check
