// lvs_sync_daemon: which kernel sync daemons a VRRP role wants, the steps to get there, and the driver's
// failure handling (logged once per reason, retried at the next state change) against a fake kernel.
#include "ipvs/sync_daemons.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace tandem::ipvs {
namespace {

SyncDaemon configured() {
  SyncDaemon d;
  d.interface = "eth1";
  d.syncId = 51;
  return d;
}

// What the kernel lists for a daemon started with `d`: its defaults filled in.
SyncDaemon asListed(SyncDaemon d, SyncDaemonState state) {
  d.state = state;
  if (!d.group) d.group = address("224.0.0.81");
  if (d.port == 0) d.port = 8848;
  if (d.ttl == 0) d.ttl = 1;
  if (d.maxLength == 0) d.maxLength = 1472;
  return d;
}

std::string text(const std::vector<SyncStep>& steps) {
  std::string out;
  for (const auto& s : steps)
    out += std::string(s.kind == SyncStep::Kind::Stop ? "stop " : "start ") + std::string(toString(s.daemon.state)) + ";";
  return out;
}

TEST(IpvsSyncDaemons, MasterRoleWantsOnlyTheMasterDaemonOtherRolesOnlyTheBackup) {
  const auto master = wantedSyncDaemons(configured(), SyncRole::Master);
  ASSERT_EQ(master.size(), 1U);
  EXPECT_EQ(master[0].state, SyncDaemonState::Master);
  EXPECT_EQ(master[0].interface, "eth1");
  EXPECT_EQ(master[0].syncId, 51U);
  const auto backup = wantedSyncDaemons(configured(), SyncRole::Backup);
  ASSERT_EQ(backup.size(), 1U);
  EXPECT_EQ(backup[0].state, SyncDaemonState::Backup);
  EXPECT_TRUE(wantedSyncDaemons(configured(), SyncRole::Stopped).empty());
}

TEST(IpvsSyncDaemons, BecomingMasterStopsTheBackupBeforeStartingTheMaster) {
  const std::vector<SyncDaemon> listed{asListed(configured(), SyncDaemonState::Backup)};
  EXPECT_EQ(text(syncSteps(listed, wantedSyncDaemons(configured(), SyncRole::Master))), "stop backup;start master;");
  const std::vector<SyncDaemon> asMaster{asListed(configured(), SyncDaemonState::Master)};
  EXPECT_EQ(text(syncSteps(asMaster, wantedSyncDaemons(configured(), SyncRole::Backup))), "stop master;start backup;");
}

TEST(IpvsSyncDaemons, ADaemonRunningAsWantedIsLeftAloneWhateverDefaultsTheKernelFilledIn) {
  const std::vector<SyncDaemon> listed{asListed(configured(), SyncDaemonState::Master)};
  EXPECT_EQ(text(syncSteps(listed, wantedSyncDaemons(configured(), SyncRole::Master))), "");
}

TEST(IpvsSyncDaemons, ADaemonWithOtherSettingsIsRestarted) {
  SyncDaemon other = configured();
  other.syncId = 9;
  EXPECT_EQ(text(syncSteps({asListed(other, SyncDaemonState::Backup)}, wantedSyncDaemons(configured(), SyncRole::Backup))),
            "stop backup;start backup;");
  SyncDaemon withPort = configured();
  withPort.port = 9000;
  EXPECT_EQ(text(syncSteps({asListed(configured(), SyncDaemonState::Backup)}, wantedSyncDaemons(withPort, SyncRole::Backup))),
            "stop backup;start backup;");
  SyncDaemon withGroup = configured();
  withGroup.group = address("239.1.1.1");
  EXPECT_EQ(text(syncSteps({asListed(configured(), SyncDaemonState::Backup)}, wantedSyncDaemons(withGroup, SyncRole::Backup))),
            "stop backup;start backup;");
  SyncDaemon otherInterface = configured();
  otherInterface.interface = "eth2";
  EXPECT_EQ(text(syncSteps({asListed(otherInterface, SyncDaemonState::Backup)},
                           wantedSyncDaemons(configured(), SyncRole::Backup))),
            "stop backup;start backup;");
}

TEST(IpvsSyncDaemons, StoppedStopsBothWhenBothRun) {
  const std::vector<SyncDaemon> listed{asListed(configured(), SyncDaemonState::Master), asListed(configured(), SyncDaemonState::Backup)};
  EXPECT_EQ(text(syncSteps(listed, wantedSyncDaemons(configured(), SyncRole::Stopped))), "stop master;stop backup;");
  EXPECT_EQ(text(syncSteps(listed, wantedSyncDaemons(configured(), SyncRole::Master))), "stop backup;");
}

// The kernel's daemon table, with switches to fail.
class FakeKernel : public SyncDaemonPort {
 public:
  std::optional<std::vector<SyncDaemon>> list(std::string& error) override {
    ++lists;
    if (!available) {
      error = "IPVS is not available: the kernel has no ip_vs module loaded (modprobe ip_vs)";
      return std::nullopt;
    }
    std::vector<SyncDaemon> out;
    for (const auto& [state, d] : running) out.push_back(d);
    return out;
  }
  bool start(const SyncDaemon& daemon, std::string& error) override {
    calls.push_back("start " + std::string(toString(daemon.state)));
    if (!interfaces.count(daemon.interface)) {
      error = "starting the IPVS sync daemon: No such device";
      return false;
    }
    if (running.count(daemon.state)) {
      error = "starting the IPVS sync daemon: File exists";
      return false;
    }
    running[daemon.state] = asListed(daemon, daemon.state);
    return true;
  }
  bool stop(SyncDaemonState state, std::string& error) override {
    calls.push_back("stop " + std::string(toString(state)));
    if (running.erase(state) == 0) {
      error = "stopping the IPVS sync daemon: No such process";
      return false;
    }
    return true;
  }

  bool available = true;
  std::set<std::string> interfaces{"eth1"};
  std::map<SyncDaemonState, SyncDaemon> running;
  std::vector<std::string> calls;
  int lists = 0;
};

struct LogLine {
  SyncDaemonDriver::Level level;
  std::string text;
};

class IpvsSyncDaemonDriver : public ::testing::Test {
 protected:
  IpvsSyncDaemonDriver() : driver(kernel, [this](SyncDaemonDriver::Level l, const std::string& t) { log.push_back({l, t}); }) {
    driver.configure("VI_1", configured());
  }
  std::size_t errors() const {
    std::size_t n = 0;
    for (const auto& l : log) n += l.level == SyncDaemonDriver::Level::Error;
    return n;
  }
  std::vector<SyncDaemonState> runningStates() const {
    std::vector<SyncDaemonState> out;
    for (const auto& [state, d] : kernel.running) out.push_back(state);
    return out;
  }

  FakeKernel kernel;
  std::vector<LogLine> log;
  SyncDaemonDriver driver;
};

TEST_F(IpvsSyncDaemonDriver, FollowsTheInstanceThroughItsStatesAndReleasesOnExit) {
  EXPECT_TRUE(driver.follow("VI_1", SyncRole::Backup));
  EXPECT_EQ(runningStates(), std::vector<SyncDaemonState>{SyncDaemonState::Backup});
  EXPECT_EQ(kernel.running[SyncDaemonState::Backup].interface, "eth1");
  EXPECT_EQ(kernel.running[SyncDaemonState::Backup].syncId, 51U);
  EXPECT_TRUE(driver.follow("VI_1", SyncRole::Master));
  EXPECT_EQ(runningStates(), std::vector<SyncDaemonState>{SyncDaemonState::Master});
  EXPECT_TRUE(driver.follow("VI_1", SyncRole::Backup));
  EXPECT_EQ(runningStates(), std::vector<SyncDaemonState>{SyncDaemonState::Backup});
  EXPECT_EQ(kernel.calls, (std::vector<std::string>{"start backup", "stop backup", "start master", "stop master",
                                                    "start backup"}));
  EXPECT_TRUE(driver.status().converged);
  EXPECT_EQ(driver.status().role, SyncRole::Backup);
  ASSERT_EQ(driver.status().listed.size(), 1U);
  EXPECT_EQ(driver.status().listed[0].state, SyncDaemonState::Backup);
  EXPECT_EQ(errors(), 0U);
  driver.release();
  EXPECT_TRUE(kernel.running.empty());
  EXPECT_EQ(driver.status().role, SyncRole::Stopped);
}

TEST_F(IpvsSyncDaemonDriver, OtherInstancesAndAnUnconfiguredDriverLeaveTheKernelAlone) {
  EXPECT_FALSE(driver.follow("VI_2", SyncRole::Master));
  EXPECT_EQ(kernel.lists, 0);
  driver.configure(std::nullopt, {});
  EXPECT_FALSE(driver.follow("VI_1", SyncRole::Master));
  driver.release();
  EXPECT_EQ(kernel.lists, 0);
  EXPECT_TRUE(kernel.calls.empty());
}

TEST_F(IpvsSyncDaemonDriver, ADaemonLeftByAKilledPredecessorIsKeptWhenItMatches) {
  kernel.running[SyncDaemonState::Master] = asListed(configured(), SyncDaemonState::Master);
  driver.follow("VI_1", SyncRole::Master);
  EXPECT_TRUE(kernel.calls.empty());
  EXPECT_TRUE(driver.status().converged);
}

TEST_F(IpvsSyncDaemonDriver, WithoutIpvsTheFailureIsLoggedOnceAndRetriedAtEachStateChange) {
  kernel.available = false;
  driver.follow("VI_1", SyncRole::Backup);
  driver.follow("VI_1", SyncRole::Master);
  driver.follow("VI_1", SyncRole::Backup);
  EXPECT_EQ(kernel.lists, 3) << "one attempt per state change";
  EXPECT_EQ(errors(), 1U);
  EXPECT_NE(log[0].text.find("no ip_vs module loaded"), std::string::npos) << log[0].text;
  EXPECT_NE(log[0].text.find("cannot make it backup for VI_1"), std::string::npos) << log[0].text;
  EXPECT_FALSE(driver.status().converged);
  EXPECT_EQ(driver.status().failures, 3U);
  EXPECT_NE(driver.status().lastError.find("no ip_vs module"), std::string::npos);

  kernel.available = true;
  driver.follow("VI_1", SyncRole::Master);
  EXPECT_EQ(runningStates(), std::vector<SyncDaemonState>{SyncDaemonState::Master});
  EXPECT_TRUE(driver.status().converged);
  EXPECT_TRUE(driver.status().lastError.empty());
  EXPECT_NE(log.back().text.find("applied after the earlier failure"), std::string::npos) << log.back().text;
}

TEST_F(IpvsSyncDaemonDriver, ANewReasonIsLoggedAgain) {
  kernel.interfaces.clear();
  driver.follow("VI_1", SyncRole::Backup);
  driver.follow("VI_1", SyncRole::Backup);
  EXPECT_EQ(errors(), 1U);
  kernel.available = false;
  driver.follow("VI_1", SyncRole::Master);
  EXPECT_EQ(errors(), 2U);
  EXPECT_NE(driver.status().lastError.find("no ip_vs module"), std::string::npos);
}

TEST_F(IpvsSyncDaemonDriver, ChangedSettingsRestartTheDaemonAtTheNextFollowAndDroppingThemStopsOurs) {
  driver.follow("VI_1", SyncRole::Backup);
  SyncDaemon changed = configured();
  changed.syncId = 7;
  driver.configure("VI_1", changed);
  EXPECT_EQ(kernel.running[SyncDaemonState::Backup].syncId, 51U) << "nothing happens before the next follow";
  driver.follow("VI_1", SyncRole::Backup);
  EXPECT_EQ(kernel.running[SyncDaemonState::Backup].syncId, 7U);
  driver.configure(std::nullopt, {});
  EXPECT_TRUE(kernel.running.empty());
  EXPECT_FALSE(driver.status().configured);
}

TEST_F(IpvsSyncDaemonDriver, DroppingAConfigurationThatNeverRanTouchesNothing) {
  kernel.running[SyncDaemonState::Master] = asListed(configured(), SyncDaemonState::Master);  // the operator's own
  driver.configure(std::nullopt, {});
  EXPECT_EQ(kernel.lists, 0);
  EXPECT_EQ(runningStates(), std::vector<SyncDaemonState>{SyncDaemonState::Master});
}

}  // namespace
}  // namespace tandem::ipvs
