// SyncDaemonDriver on LinuxIpvs against the real kernel (test VM): role switches, adopting a daemon the kernel lists
// with its own defaults filled in, restarting one with other settings, a failure and its recovery.
#include <chrono>
#include <iostream>

#include "daemon/lvs_sync.h"
#include "ipvs/sync_daemons.h"
#include "tests/unit/ipvs_linux/ipvs_fixture.h"

namespace tandem::ipvs::test {
namespace {

class LinuxIpvsSyncDriverTest : public LinuxIpvsFixture {
 protected:
  void SetUp() override {
    LinuxIpvsFixture::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(sh("ip link add ts0 type dummy && ip link set ts0 multicast on up && ip addr add 10.9.9.1/24 dev ts0"));
    settings_.interface = "ts0";
    settings_.syncId = 51;
  }

  std::vector<SyncDaemonState> kernelStates() {
    std::string error;
    auto listed = ipvs_.syncDaemons(error);
    EXPECT_TRUE(listed.has_value()) << error;
    std::vector<SyncDaemonState> out;
    for (const auto& d : listed.value_or(std::vector<SyncDaemon>{})) out.push_back(d.state);
    return out;
  }

  SyncDaemonDriver::Log collect() {
    return [this](SyncDaemonDriver::Level, const std::string& line) { log_.push_back(line); };
  }

  SyncDaemon settings_;
  std::vector<std::string> log_;
};

TEST_F(LinuxIpvsSyncDriverTest, SwitchesRolesAdoptsWhatMatchesAndRestartsWhatDoesNot) {
  daemon::LinuxSyncDaemonPort port;
  SyncDaemonDriver driver(port, collect());
  driver.configure("VI_1", settings_);
  ASSERT_TRUE(driver.follow("VI_1", SyncRole::Backup));
  EXPECT_TRUE(driver.status().converged) << driver.status().lastError;
  EXPECT_EQ(kernelStates(), std::vector<SyncDaemonState>{SyncDaemonState::Backup});

  const auto before = std::chrono::steady_clock::now();
  driver.follow("VI_1", SyncRole::Master);
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - before);
  std::cout << "backup -> master switch (list, stop, start, list): " << took.count() << " us\n";
  EXPECT_TRUE(driver.status().converged) << driver.status().lastError;
  EXPECT_EQ(kernelStates(), std::vector<SyncDaemonState>{SyncDaemonState::Master});

  // A restarted tandemd finds its predecessor's daemon: listed with the kernel's defaults, it still matches.
  daemon::LinuxSyncDaemonPort secondPort;
  std::vector<std::string> secondLog;
  SyncDaemonDriver second(secondPort, [&secondLog](SyncDaemonDriver::Level, const std::string& l) {
    secondLog.push_back(l);
  });
  second.configure("VI_1", settings_);
  second.follow("VI_1", SyncRole::Master);
  EXPECT_TRUE(second.status().converged) << second.status().lastError;
  EXPECT_TRUE(secondLog.empty()) << "nothing stopped or started: " << secondLog.front();
  ASSERT_EQ(second.status().listed.size(), 1U);
  EXPECT_EQ(second.status().listed[0].port, 8848);

  // Other settings: the daemon is restarted with them.
  SyncDaemon changed = settings_;
  changed.port = 9000;
  changed.ttl = 2;
  second.configure("VI_1", changed);
  second.follow("VI_1", SyncRole::Master);
  EXPECT_TRUE(second.status().converged) << second.status().lastError;
  ASSERT_EQ(second.status().listed.size(), 1U);
  EXPECT_EQ(second.status().listed[0].port, 9000);
  EXPECT_EQ(second.status().listed[0].ttl, 2);

  // A missing interface fails with the kernel's reason and is retried at the next role change.
  SyncDaemon missing = changed;
  missing.interface = "nosuch0";
  second.configure("VI_1", missing);
  second.follow("VI_1", SyncRole::Backup);
  EXPECT_FALSE(second.status().converged);
  EXPECT_NE(second.status().lastError.find("starting the IPVS sync daemon (backup on nosuch0"), std::string::npos)
      << second.status().lastError;
  EXPECT_EQ(kernelStates(), std::vector<SyncDaemonState>{}) << "the master daemon was stopped before the failed start";
  second.configure("VI_1", settings_);
  second.follow("VI_1", SyncRole::Backup);
  EXPECT_TRUE(second.status().converged) << second.status().lastError;
  EXPECT_EQ(kernelStates(), std::vector<SyncDaemonState>{SyncDaemonState::Backup});

  second.release();
  EXPECT_EQ(kernelStates(), std::vector<SyncDaemonState>{});
}

// The kernel acks nothing when it stops a sync thread that has not run yet (kthread_stop() gives -EINTR, which
// netlink_rcv_skb() never acknowledges): LinuxIpvs must not wait for an ack that cannot come. Before, each of these
// stops blocked for the channel's 5 s receive timeout and then reported "Connection timed out".
TEST_F(LinuxIpvsSyncDriverTest, AStopRightAfterAStartReturnsAtOnce) {
  for (const SyncDaemonState state : {SyncDaemonState::Backup, SyncDaemonState::Master, SyncDaemonState::Backup, SyncDaemonState::Master}) {
    SyncDaemon daemon = settings_;
    daemon.state = state;
    ASSERT_TRUE(ipvs_.startSyncDaemon(daemon).ok());
    const auto before = std::chrono::steady_clock::now();
    const auto stopped = ipvs_.stopSyncDaemon(state);
    const auto took = std::chrono::steady_clock::now() - before;
    EXPECT_TRUE(stopped.ok()) << stopped.message;
    EXPECT_LT(took, std::chrono::seconds(2));
    std::cout << "stop right after start: " << std::chrono::duration_cast<std::chrono::microseconds>(took).count()
              << " us\n";
    EXPECT_EQ(kernelStates(), std::vector<SyncDaemonState>{});
  }
  const auto again = ipvs_.stopSyncDaemon(SyncDaemonState::Master);
  EXPECT_FALSE(again.ok()) << "stopping what does not run still fails";
}

}  // namespace
}  // namespace tandem::ipvs::test
