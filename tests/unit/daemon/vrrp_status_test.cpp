// The VRRP child's status snapshot and its renderings (JSON, data dump, statistics), on the fake engine ports.
#include <gtest/gtest.h>
#include <signal.h>

#include "daemon/state_dump.h"
#include "daemon/vrrp_status.h"
#include "tests/unit/vrrp_engine/engine_fakes.h"

namespace tandem::daemon {
namespace {

using namespace std::chrono_literals;
using vrrp::test::instanceConfig;
using vrrp::test::oneInstance;

// 2024-01-02T03:04:05.000Z
const WallClock::time_point kWall = WallClock::time_point{} + std::chrono::seconds{1704164645};

class DaemonVrrpStatus : public vrrp::test::TwoHosts {
 protected:
  void SetUp() override {
    a.run(oneInstance(instanceConfig("VI_1", 51, 150)));
    b.run(oneInstance(instanceConfig("VI_1", 51, 100)));
    timers.advanceTo(vrrp::TimePoint{} + 10s);
  }
  VrrpStatus statusOf(vrrp::test::Host& host) { return vrrpStatusOf(*host.engine, timers.now(), kWall); }
};

TEST_F(DaemonVrrpStatus, SnapshotHasStatePrioritiesVipsAndTheLastTransitionInWallTime) {
  const VrrpStatus master = statusOf(a);
  ASSERT_EQ(master.instances.size(), 1u);
  const VrrpInstanceStatus& i = master.instances[0];
  EXPECT_EQ(i.name, "VI_1");
  EXPECT_EQ(i.state, "MASTER");
  EXPECT_EQ(i.priority, 150);
  EXPECT_EQ(i.effectivePriority, 150);
  EXPECT_EQ(i.vips, std::vector<std::string>{"192.0.2.100/24"});
  EXPECT_EQ(i.master, "192.0.2.1");
  ASSERT_TRUE(i.lastTransition);
  EXPECT_EQ(i.lastTransition->from, "BACKUP");
  EXPECT_EQ(i.lastTransition->to, "MASTER");
  EXPECT_EQ(i.lastTransition->reason, "master_down_timer");
  // Master_Down_Interval for priority 150 at 1 s: 3 s + (256-150)/256 s = 3.414062 s after start, 10 s ago "now".
  const auto expected = kWall - std::chrono::duration_cast<WallClock::duration>(10s - 3'414'062us);
  EXPECT_EQ(formatUtc(i.lastTransition->at), formatUtc(expected));
  EXPECT_EQ(formatUtc(expected), "2024-01-02T03:03:58.414Z");
  EXPECT_GT(i.counters.advertsSent, 5u);

  const VrrpStatus backup = statusOf(b);
  EXPECT_EQ(backup.instances[0].state, "BACKUP");
  EXPECT_EQ(backup.instances[0].master, "192.0.2.1");
  EXPECT_EQ(backup.instances[0].counters.advertsReceived, i.counters.advertsSent);
}

TEST_F(DaemonVrrpStatus, JsonCarriesEveryFieldTandemctlShows) {
  const nlohmann::json j = toJson(statusOf(a));
  const auto& i = j.at("instances").at(0);
  EXPECT_EQ(i.at("state"), "MASTER");
  EXPECT_EQ(i.at("effective_priority"), 150);
  EXPECT_EQ(i.at("vips"), nlohmann::json::array({"192.0.2.100/24"}));
  EXPECT_EQ(i.at("last_transition").at("reason"), "master_down_timer");
  EXPECT_EQ(i.at("counters").at("dropped").at("bad_checksum"), 0);
  EXPECT_EQ(i.at("counters").at("dropped").at("vrid_mismatch"), 0);
  EXPECT_FALSE(i.at("counters").at("dropped").contains("ok"));
  EXPECT_EQ(j.at("channels").at(0).at("interface"), "eth0");
}

TEST_F(DaemonVrrpStatus, SplitBrainIsCountedAndShownWhileItStands) {
  EXPECT_EQ(toJson(statusOf(a)).at("instances").at(0).at("alarms").at("split_brain"), false);
  for (auto& c : b.channels.opened) c->endpoint().receives = false;  // B stops hearing A and takes over too
  timers.advanceTo(vrrp::TimePoint{} + 30s);
  const VrrpStatus s = statusOf(a);
  ASSERT_EQ(s.instances[0].state, "MASTER");
  EXPECT_TRUE(s.instances[0].splitBrain);
  EXPECT_EQ(s.instances[0].counters.splitBrainAlarms, 1u);
  const auto j = toJson(s).at("instances").at(0);
  EXPECT_EQ(j.at("counters").at("split_brain_alarms"), 1);
  EXPECT_EQ(j.at("counters").at("no_peer_alarms"), 0);
  EXPECT_EQ(j.at("alarms").at("split_brain"), true);
  EXPECT_EQ(j.at("alarms").at("no_peer"), false);
  const std::string stats = formatStatsDump(s, kWall);
  EXPECT_NE(stats.find("  Split-brain alarms: 1 (standing)\n  No-peer alarms: 0\n"), std::string::npos) << stats;

  for (auto& c : b.channels.opened) c->endpoint().receives = true;  // B hears A again and yields
  timers.advanceTo(vrrp::TimePoint{} + 40s);
  const VrrpStatus after = statusOf(a);
  EXPECT_FALSE(after.instances[0].splitBrain);
  EXPECT_EQ(after.instances[0].counters.splitBrainAlarms, 1u);
}

TEST_F(DaemonVrrpStatus, DataAndStatsDumpsAreReadableText) {
  const std::string data = formatDataDump(statusOf(a), kWall);
  EXPECT_NE(data.find("(2024-01-02T03:04:05.000Z)"), std::string::npos) << data;
  EXPECT_NE(data.find(" VRRP Instance = VI_1\n   State = MASTER\n"), std::string::npos) << data;
  EXPECT_NE(data.find("Virtual IP addresses = 192.0.2.100/24\n"), std::string::npos) << data;
  EXPECT_NE(data.find("Last transition = BACKUP -> MASTER (master_down_timer) at 2024-01-02T03:03:58.414Z"),
            std::string::npos)
      << data;
  const VrrpStatus s = statusOf(b);
  const std::string stats = formatStatsDump(s, kWall);
  EXPECT_NE(stats.find("    Received: " + std::to_string(s.instances[0].counters.advertsReceived) + "\n"),
            std::string::npos)
      << stats;
  EXPECT_NE(stats.find("    ah_replay: 0\n"), std::string::npos) << stats;
}

TEST(DaemonStateDump, PathsFollowTmpdirAndGlobalDefs) {
  const DumpFileNames none;
  EXPECT_EQ(dumpFilePath(DumpKind::Data, none, nullptr), "/tmp/keepalived.data");
  EXPECT_EQ(dumpFilePath(DumpKind::Stats, none, ""), "/tmp/keepalived.stats");
  EXPECT_EQ(dumpFilePath(DumpKind::Json, none, "/var/tmp/x/"), "/var/tmp/x/keepalived.json");
  const DumpFileNames configured{"/srv/state.txt", "stats.txt", ""};
  EXPECT_EQ(dumpFilePath(DumpKind::Data, configured, "/t"), "/srv/state.txt");
  EXPECT_EQ(dumpFilePath(DumpKind::Stats, configured, "/t"), "/t/stats.txt");
  EXPECT_EQ(dumpFilePath(DumpKind::Json, configured, "/t"), "/t/keepalived.json");
}

TEST(DaemonStateDump, SignalsMapToTheirDumps) {
  EXPECT_EQ(dumpKindForSignal(SIGUSR1), DumpKind::Data);
  EXPECT_EQ(dumpKindForSignal(SIGUSR2), DumpKind::Stats);
  EXPECT_EQ(dumpKindForSignal(SIGRTMIN + 2), DumpKind::Json);
  EXPECT_FALSE(dumpKindForSignal(SIGHUP));
}

}  // namespace
}  // namespace tandem::daemon
