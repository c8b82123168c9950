#include "checkers/health_board.h"

#include <gtest/gtest.h>

#include "ipvs/plan.h"
#include "tests/unit/parser/config_test_util.h"

namespace tandem::check {
namespace {

using std::chrono::seconds;
using Kind = HealthEvent::Kind;

const TimePoint kT0{};
TimePoint at(double s) { return kT0 + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s)); }

const Verdict kOk = Verdict::ok();
const Verdict kRefused = Verdict::failure("connection refused");

CheckerConfig mapped(const std::string& text) {
  const auto loaded = config::testing::parse(text);
  EXPECT_EQ(config::testing::errors(loaded), std::vector<std::string>{});
  return mapCheckerConfig(loaded.config);
}

// Three NAT real servers (weights 1, 2, 3; the third inhibited on failure) checked every 6 s, retried once after
// 2 s, no warmup: first checks at t = 1 s.
const char* kWeb = R"(
virtual_server 192.0.2.1 80 {
  delay_loop 6
  lb_algo rr
  lb_kind NAT
  protocol TCP
  warmup 0
  quorum 3
  sorry_server 10.0.0.9 80
  real_server 10.0.0.1 80 {
    weight 1
    TCP_CHECK {
      retry 1
      delay_before_retry 2
    }
  }
  real_server 10.0.0.2 80 {
    weight 2
    TCP_CHECK {
      retry 1
      delay_before_retry 2
    }
  }
  real_server 10.0.0.3 80 {
    weight 3
    inhibit_on_failure
    TCP_CHECK {
      retry 1
      delay_before_retry 2
    }
  }
}
)";

std::string table(const HealthBoard& board) { return ipvs::describe(ipvs::plan({}, board.wantedTable())); }

std::vector<Kind> kinds(const std::vector<HealthEvent>& events) {
  std::vector<Kind> out;
  for (const auto& e : events) out.push_back(e.kind);
  return out;
}

class HealthBoardTest : public ::testing::Test {
 protected:
  void start(const std::string& text, const ipvs::Table* adopted = nullptr) {
    schedule = board.configure(mapped(text), kT0, adopted, startEvents);
  }
  HealthBoard::Step result(std::size_t rs, const Verdict& v, double t) { return board.onResult({0, rs, 0}, v, at(t)); }

  HealthBoard board{nullptr};
  std::vector<ScheduledCheck> schedule;
  std::vector<HealthEvent> startEvents;
};

TEST_F(HealthBoardTest, StartsUpWithEveryFirstCheckAtTheBootstrapDelay) {
  start(kWeb);
  ASSERT_EQ(schedule.size(), 3U);
  for (const auto& s : schedule) EXPECT_EQ(s.at, at(1));
  EXPECT_TRUE(startEvents.empty());
  EXPECT_EQ(table(board),
            "-A -t 192.0.2.1:80 -s rr\n"
            "-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 1\n"
            "-a -t 192.0.2.1:80 -r 10.0.0.2:80 -m -w 2\n"
            "-a -t 192.0.2.1:80 -r 10.0.0.3:80 -m -w 3\n");
}

TEST_F(HealthBoardTest, AFailureIsRetriedThenTheServerIsRemovedAndComesBackOnOneSuccess) {
  start(kWeb);
  EXPECT_FALSE(result(0, kOk, 1).tableChanged);

  // Fails at 7: retried at 9 (delay_before_retry), declared down at 9, next check at 15.
  HealthBoard::Step first = result(0, kRefused, 7);
  EXPECT_TRUE(first.checker.retrying);
  EXPECT_EQ(first.checker.nextCheckAt, at(9));
  EXPECT_FALSE(first.tableChanged);
  HealthBoard::Step down = result(0, kRefused, 9);
  EXPECT_EQ(kinds(down.events), std::vector<Kind>{Kind::RealServerDown});
  EXPECT_EQ(down.events[0].reason, "TCP_CHECK 10.0.0.1:80: connection refused");
  EXPECT_TRUE(down.tableChanged);
  EXPECT_EQ(down.checker.nextCheckAt, at(15));
  EXPECT_EQ(ipvs::describe(ipvs::plan(ipvs::wantedTable({}), board.wantedTable())).find("10.0.0.1"),
            std::string::npos);

  HealthBoard::Step up = result(0, kOk, 15);
  EXPECT_EQ(kinds(up.events), std::vector<Kind>{Kind::RealServerUp});
  EXPECT_TRUE(up.tableChanged);
  EXPECT_EQ(board.weightInPool(0, 0), 1U);
}

TEST_F(HealthBoardTest, InhibitedServerStaysAtWeightZero) {
  start(kWeb);
  result(2, kRefused, 1);  // the first result fails: down at once (keepalived's retry_it starts at retry)
  EXPECT_EQ(board.weightInPool(0, 2), 0U);
  EXPECT_NE(table(board).find("-a -t 192.0.2.1:80 -r 10.0.0.3:80 -m -w 0"), std::string::npos);
}

TEST_F(HealthBoardTest, QuorumLostBringsTheSorryServerInAndGainedTakesItOut) {
  start(kWeb);
  EXPECT_TRUE(result(2, kRefused, 1).events.size() == 1);  // live weight 3: quorum 3 kept
  EXPECT_FALSE(board.sorryServerActive(0));
  HealthBoard::Step lost = result(1, kRefused, 1);  // live weight 1 < 3
  EXPECT_EQ(kinds(lost.events), (std::vector<Kind>{Kind::RealServerDown, Kind::QuorumLost}));
  EXPECT_TRUE(board.sorryServerActive(0));
  EXPECT_EQ(table(board),
            "-A -t 192.0.2.1:80 -s rr\n"
            "-a -t 192.0.2.1:80 -r 10.0.0.3:80 -m -w 0\n"
            "-a -t 192.0.2.1:80 -r 10.0.0.9:80 -m -w 1\n");
  HealthBoard::Step gained = result(2, kOk, 7);
  EXPECT_EQ(kinds(gained.events), (std::vector<Kind>{Kind::RealServerUp, Kind::QuorumGained}));
  EXPECT_FALSE(board.sorryServerActive(0));
}

TEST_F(HealthBoardTest, ReloadKeepsHealthDrainAndUnchangedCheckersOfServersStillConfigured) {
  start(kWeb);
  result(0, kRefused, 1);  // 10.0.0.1 down, next check at 7
  ASSERT_EQ(board.setDrained("TCP 192.0.2.1:80", "10.0.0.2", true).changed, 1U);

  // 10.0.0.3's checker changes (connect_timeout); 10.0.0.4 is new; the others are untouched.
  std::string reloaded = kWeb;
  reloaded.replace(reloaded.rfind("    TCP_CHECK {"), 15, "    TCP_CHECK {\n      connect_timeout 2");
  reloaded.replace(reloaded.rfind("}"), 1, "  real_server 10.0.0.4 80 {\n    TCP_CHECK {\n    }\n  }\n}");
  std::vector<HealthEvent> events;
  const auto next = board.configure(mapped(reloaded), at(3), nullptr, events);
  ASSERT_EQ(next.size(), 4U);
  EXPECT_EQ(next[0].at, at(7));  // kept, with its own next check
  EXPECT_EQ(next[1].at, at(3));  // kept; its first check was due at 1 s and had not come back: run it now
  EXPECT_EQ(next[2].at, at(4));  // changed: starts afresh (bootstrap delay), as up
  EXPECT_EQ(next[3].at, at(4));
  EXPECT_FALSE(board.virtualServers()[0].realServers[0].health.up());
  EXPECT_TRUE(board.virtualServers()[0].realServers[1].drained);
  EXPECT_TRUE(board.virtualServers()[0].realServers[2].health.up());
  EXPECT_EQ(board.weightInPool(0, 1), 0U);
  // The changed checker was up: its next failure is retried, not final.
  EXPECT_TRUE(board.onResult({0, 2, 0}, kRefused, at(4)).checker.retrying);
}

TEST_F(HealthBoardTest, AFreshStartAdoptsTheKernelsTableWithoutChangingIt) {
  // What an earlier run left (-I): 10.0.0.1 out of the pool, 10.0.0.3 inhibited at weight 0, 10.0.0.2 drained.
  HealthBoard before{nullptr};
  std::vector<HealthEvent> ignored;
  before.configure(mapped(kWeb), kT0, nullptr, ignored);
  before.onResult({0, 0, 0}, kRefused, at(1));
  before.onResult({0, 2, 0}, kRefused, at(1));
  before.setDrained("", "10.0.0.2:80", true);
  // Quorum: live weight 0 < 3, so the sorry server is in.
  const ipvs::Table left = before.wantedTable();

  board.restoreDrained(before.drainedList());
  start(kWeb, &left);
  EXPECT_EQ(ipvs::describe(ipvs::plan(left, board.wantedTable())), "");
  EXPECT_EQ(kinds(startEvents), std::vector<Kind>{Kind::QuorumLost});
  // A server adopted as down needs one success, and its failures are not news.
  EXPECT_TRUE(result(0, kRefused, 1).events.empty());
  EXPECT_EQ(kinds(result(0, kOk, 7).events), std::vector<Kind>{Kind::RealServerUp});
}

TEST_F(HealthBoardTest, DrainNeedsAnUnambiguousRealServer) {
  start(R"(
virtual_server 192.0.2.1 80 {
  protocol TCP
  real_server 10.0.0.1 8080 {
  }
  real_server 10.0.0.1 8081 {
  }
}
virtual_server 192.0.2.2 80 {
  protocol TCP
  real_server 10.0.0.1 8080 {
  }
}
)");
  EXPECT_NE(board.setDrained("", "10.0.0.1", true).error.find("give the port"), std::string::npos);
  const auto both = board.setDrained("", "10.0.0.1:8080", true);
  EXPECT_EQ(both.changed, 2U);
  EXPECT_TRUE(both.tableChanged);
  EXPECT_EQ(board.setDrained("192.0.2.2:80", "10.0.0.1:8080", true).changed, 0U);  // already drained
  EXPECT_EQ(board.setDrained("192.0.2.2:80", "10.0.0.1:8080", false).changed, 1U);
  EXPECT_EQ(board.setDrained("192.0.2.9:80", "10.0.0.1:8080", true).error, "no virtual server '192.0.2.9:80'");
  EXPECT_EQ(board.setDrained("", "10.0.0.7", true).error, "no real server 10.0.0.7");
  EXPECT_NE(board.setDrained("", "web1", true).error.find("is not a real server address"), std::string::npos);
  EXPECT_EQ(board.drainedList(), std::vector<std::string>{"TCP 192.0.2.1:80|10.0.0.1:8080"});
}

TEST_F(HealthBoardTest, MiscDynamicWeightChangesTheTable) {
  start(R"(
virtual_server 192.0.2.1 80 {
  protocol TCP
  lb_algo wrr
  real_server 10.0.0.1 80 {
    weight 5
    MISC_CHECK {
      misc_path /bin/true
      misc_dynamic
    }
  }
}
)");
  HealthBoard::Step step = board.onResult({0, 0, 0}, Verdict::ok(40), at(1));
  EXPECT_TRUE(step.events.empty());
  EXPECT_TRUE(step.tableChanged);
  EXPECT_EQ(board.weightInPool(0, 0), 40U);
  // keepalived: exit 0 leaves the weight as it is (only an exit of 2..255 sets it), a failure too.
  EXPECT_FALSE(board.onResult({0, 0, 0}, Verdict::ok(), at(61)).tableChanged);
  EXPECT_EQ(board.weightInPool(0, 0), 40U);
  EXPECT_TRUE(board.onResult({0, 0, 0}, Verdict::ok(7), at(121)).tableChanged);
  EXPECT_EQ(board.weightInPool(0, 0), 7U);
}

TEST_F(HealthBoardTest, AResultIsDatedWhenItCameAndTheNextCheckCountsFromScheduleFrom) {
  start(R"(
virtual_server 192.0.2.1 80 {
  protocol TCP
  delay_loop 6
  real_server 10.0.0.1 80 {
    MISC_CHECK {
      misc_path /bin/true
      misc_timeout 3
    }
  }
}
)");
  // A MISC_CHECK launched at 1 s that timed out at 4 s: down at 4 s, next launch at 1 + 6 s (keepalived).
  const HealthBoard::Step step =
      board.onResult({0, 0, 0}, Verdict::failure("timed out"), at(4), std::chrono::seconds(3), at(1));
  EXPECT_EQ(kinds(step.events), (std::vector<Kind>{Kind::RealServerDown, Kind::QuorumLost}));  // its only server
  EXPECT_EQ(step.checker.nextCheckAt, at(7));
  const RealServerRecord& server = board.virtualServers()[0].realServers[0];
  EXPECT_EQ(server.lastChange, at(4));
  EXPECT_EQ(server.stats[0].lastResultAt, at(4));
  // Without scheduleFrom the next check counts from the result.
  EXPECT_EQ(board.onResult({0, 0, 0}, kOk, at(8)).checker.nextCheckAt, at(14));
}

TEST_F(HealthBoardTest, OmegaReportsLiveServersThenTheQuorumAtShutdown) {
  start(R"(
virtual_server 192.0.2.1 80 {
  protocol TCP
  omega
  real_server 10.0.0.1 80 {
    TCP_CHECK {
    }
  }
  real_server 10.0.0.2 80 {
    TCP_CHECK {
    }
  }
}
)");
  result(1, kRefused, 1);
  const auto events = board.shutdownEvents();
  EXPECT_EQ(kinds(events), (std::vector<Kind>{Kind::RealServerDown, Kind::QuorumLost}));
  EXPECT_EQ(events[0].rs, 0U);
}

TEST_F(HealthBoardTest, NamesAVirtualServerAsStatusShowsItOrShorter) {
  start("virtual_server 192.0.2.1 80 {\n protocol TCP\n}\nvirtual_server fwmark 7 {\n}\n");
  const auto& list = board.virtualServers();
  EXPECT_TRUE(namesVirtualServer(list[0].spec, "TCP 192.0.2.1:80"));
  EXPECT_TRUE(namesVirtualServer(list[0].spec, "192.0.2.1:80"));
  EXPECT_FALSE(namesVirtualServer(list[0].spec, "192.0.2.1:81"));
  EXPECT_TRUE(namesVirtualServer(list[1].spec, "FWM 7"));
  EXPECT_TRUE(namesVirtualServer(list[1].spec, "fwmark 7"));
}

}  // namespace
}  // namespace tandem::check
