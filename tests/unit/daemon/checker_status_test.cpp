#include "daemon/checker_status.h"

#include <gtest/gtest.h>

#include "tests/unit/parser/config_test_util.h"

namespace tandem::daemon {
namespace {

using std::chrono::seconds;

check::HealthBoard boardFor(const std::string& text) {
  const auto loaded = config::testing::parse(text);
  EXPECT_EQ(config::testing::errors(loaded), std::vector<std::string>{});
  check::HealthBoard board(nullptr);
  std::vector<check::HealthEvent> events;
  board.configure(check::mapCheckerConfig(loaded.config), check::TimePoint{}, nullptr, events);
  return board;
}

// A group of two services, DR: each real server is a destination of both, on each service's port.
const char* kGroup = R"(
virtual_server_group web {
  192.0.2.1 80
  192.0.2.2 80
}
virtual_server group web {
  lb_algo rr
  lb_kind DR
  protocol TCP
  sorry_server 10.0.0.9 80
  real_server 10.0.0.1 8080 {
    weight 3
    TCP_CHECK {
    }
  }
  real_server 10.0.0.2 8080 {
    TCP_CHECK {
    }
  }
}
)";

ipvs::linux_::Statistics statistics() {
  ipvs::linux_::Statistics stats;
  for (const char* vip : {"192.0.2.1", "192.0.2.2"}) {
    auto& service = stats[ipvs::ServiceKey::tcp(ipvs::address(vip), 80)];
    service.counters.connections = 10;
    service.counters.inBytes = 1000;
    auto& dest = service.destinations[{ipvs::address("10.0.0.1"), 80}];
    dest.activeConnections = 2;
    dest.inactiveConnections = 1;
    dest.counters.connections = 7;
  }
  return stats;
}

TEST(CheckerStatus, RealServersWithPoolWeightCheckersAndStatisticsSummedOverTheGroup) {
  check::HealthBoard board = boardFor(kGroup);
  board.onResult({0, 0, 0}, check::Verdict::ok(), check::TimePoint{} + seconds(1), std::chrono::milliseconds(2));
  board.onResult({0, 1, 0}, check::Verdict::failure("connection refused"), check::TimePoint{} + seconds(1));
  ASSERT_EQ(board.setDrained("group web", "10.0.0.1", true).changed, 1U);

  const ipvs::ReconcilerStatus ipvsStatus{true, true, "", 0, 12, 0};
  const auto stats = statistics();
  const auto wall = WallClock::time_point{} + seconds(1'700'000'000);
  const nlohmann::json j =
      checkerStatusJson({board, ipvsStatus, &stats, "", check::TimePoint{} + seconds(2), wall});

  const auto& vs = j.at("virtual_servers").at(0);
  EXPECT_EQ(vs.at("name"), "group web");
  EXPECT_EQ(vs.at("services").size(), 2U);
  EXPECT_EQ(vs.at("services").at(0).at("stats").at("connections"), 10);
  EXPECT_EQ(vs.at("stats").at("connections"), 20);
  EXPECT_EQ(vs.at("stats").at("in_bytes"), 2000);
  // Drained: live weight 0, so the quorum is lost and the sorry server stands in.
  EXPECT_EQ(vs.at("quorum").at("up"), false);
  EXPECT_EQ(vs.at("sorry_server").at("active"), true);

  const auto& first = vs.at("real_servers").at(0);
  EXPECT_EQ(first.at("name"), "10.0.0.1:8080");
  EXPECT_EQ(first.at("health"), "up");
  EXPECT_EQ(first.at("drained"), true);
  EXPECT_EQ(first.at("weight"), 3);
  EXPECT_TRUE(first.at("pool_weight").is_null());  // the sorry server displaced it
  EXPECT_EQ(first.at("stats").at("active_connections"), 4);
  EXPECT_EQ(first.at("stats").at("connections"), 14);
  const auto& checker = first.at("checkers").at(0);
  EXPECT_EQ(checker.at("checker"), "TCP_CHECK 10.0.0.1:8080");
  EXPECT_EQ(checker.at("attempts"), 1);
  EXPECT_EQ(checker.at("last_latency_ms"), 2.0);
  EXPECT_EQ(checker.at("last_result_at"), "2023-11-14T22:13:19.000Z");

  const auto& second = vs.at("real_servers").at(1);
  EXPECT_EQ(second.at("health"), "down");
  EXPECT_EQ(second.at("checkers").at(0).at("last_failure"), "connection refused");
  EXPECT_FALSE(second.contains("stats"));  // not in the kernel's table
  EXPECT_EQ(j.at("ipvs").at("converged"), true);
  EXPECT_EQ(j.at("ipvs").at("operations"), 12);
}

TEST(CheckerStatus, WithoutIpvsTheReasonIsShownAndTheDumpSaysWhatKeepalivedsDoes) {
  check::HealthBoard board = boardFor(kGroup);
  const ipvs::ReconcilerStatus ipvsStatus{false, false, "cannot read the table: no IPVS", 3, 0, 0};
  const nlohmann::json j =
      checkerStatusJson({board, ipvsStatus, nullptr, "no IPVS", check::TimePoint{}, WallClock::time_point{}});
  EXPECT_EQ(j.at("ipvs").at("last_error"), "cannot read the table: no IPVS");
  EXPECT_EQ(j.at("ipvs").at("statistics_error"), "no IPVS");
  const std::string dump = formatCheckerDataDump(j, WallClock::time_point{});
  EXPECT_NE(dump.find(" Virtual server group web\n"), std::string::npos) << dump;
  EXPECT_NE(dump.find("   Real server 10.0.0.1:8080\n     Alive = yes"), std::string::npos) << dump;
  EXPECT_NE(dump.find("       Has run = no"), std::string::npos) << dump;
  EXPECT_NE(dump.find(" IPVS: reachable = no, converged = no, failures = 3\n"), std::string::npos) << dump;
}

}  // namespace
}  // namespace tandem::daemon
