// lvs_sync_daemon in the VRRP child: keepalived's configuration rules, the role of each VRRP state, the status
// JSON and its line in tandemctl's table.
#include "daemon/lvs_sync.h"

#include <gtest/gtest.h>

#include "daemon/status_table.h"
#include "tests/unit/parser/config_test_util.h"

namespace tandem::daemon {
namespace {

std::optional<LvsSyncConfig> syncOf(const std::string& text) {
  const auto loaded = config::testing::parse(text);
  EXPECT_EQ(config::testing::errors(loaded), std::vector<std::string>{});
  return lvsSyncConfigOf(loaded.config);
}

const char* kInstances = R"(
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  virtual_ipaddress { 192.0.2.100/24 }
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 52
  lvs_sync_daemon_interface eth2
  virtual_ipaddress { 192.0.2.101/24 }
}
)";

TEST(DaemonLvsSync, GlobalLvsSyncDaemonWithEveryOption) {
  const auto sync = syncOf(std::string("global_defs {\n lvs_sync_daemon eth1 VI_1 id 7 maxlen 1400 port 9000 ttl 2 "
                                       "group 239.1.2.3\n}\n") + kInstances);
  ASSERT_TRUE(sync);
  EXPECT_EQ(sync->instance, "VI_1");
  EXPECT_EQ(sync->daemon.interface, "eth1");
  EXPECT_EQ(sync->daemon.syncId, 7U);
  EXPECT_EQ(sync->daemon.maxLength, 1400);
  EXPECT_EQ(sync->daemon.port, 9000);
  EXPECT_EQ(sync->daemon.ttl, 2);
  EXPECT_EQ(sync->daemon.group, ipvs::address("239.1.2.3"));
}

TEST(DaemonLvsSync, SyncIdDefaultsToTheVridAndTheRestToTheKernel) {
  const auto sync = syncOf(std::string("global_defs {\n lvs_sync_daemon eth1 VI_1\n}\n") + kInstances);
  ASSERT_TRUE(sync);
  EXPECT_EQ(sync->instance, "VI_1");
  EXPECT_EQ(sync->daemon.syncId, 51U);
  EXPECT_EQ(sync->daemon.port, 0);
  EXPECT_EQ(sync->daemon.ttl, 0);
  EXPECT_EQ(sync->daemon.maxLength, 0);
  EXPECT_FALSE(sync->daemon.group);
}

TEST(DaemonLvsSync, DeprecatedInstanceKeywordIsUsedWithoutTheGlobalOne) {
  auto loaded = config::testing::parse(kInstances);  // a deprecation warning, no error
  const auto sync = lvsSyncConfigOf(loaded.config);
  ASSERT_TRUE(sync);
  EXPECT_EQ(sync->instance, "VI_2");
  EXPECT_EQ(sync->daemon.interface, "eth2");
  EXPECT_EQ(sync->daemon.syncId, 52U);
  // The global keyword wins over the instance one.
  const auto global = syncOf(std::string("global_defs {\n lvs_sync_daemon eth1 VI_1\n}\n") + kInstances);
  ASSERT_TRUE(global);
  EXPECT_EQ(global->instance, "VI_1");
}

TEST(DaemonLvsSync, NothingConfiguredIsNothing) {
  const auto loaded = config::testing::parse("vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n}\n");
  EXPECT_FALSE(lvsSyncConfigOf(loaded.config));
}

TEST(DaemonLvsSync, MasterRunsTheMasterDaemonEveryOtherStateTheBackup) {
  EXPECT_EQ(syncRoleOf(vrrp::State::Master), ipvs::SyncRole::Master);
  EXPECT_EQ(syncRoleOf(vrrp::State::Backup), ipvs::SyncRole::Backup);
  EXPECT_EQ(syncRoleOf(vrrp::State::Fault), ipvs::SyncRole::Backup);
  EXPECT_EQ(syncRoleOf(vrrp::State::Initialize), ipvs::SyncRole::Backup);
}

ipvs::SyncDaemonStatus sampleStatus() {
  ipvs::SyncDaemonStatus s;
  s.configured = true;
  s.instance = "VI_1";
  s.settings.interface = "eth1";
  s.settings.syncId = 51;
  s.role = ipvs::SyncRole::Master;
  s.converged = true;
  ipvs::SyncDaemon listed = s.settings;
  listed.state = ipvs::SyncDaemonState::Master;
  listed.group = ipvs::address("224.0.0.81");
  listed.port = 8848;
  listed.ttl = 1;
  listed.maxLength = 1472;
  s.listed = {listed};
  return s;
}

TEST(DaemonLvsSync, StatusJsonAndItsTableLine) {
  EXPECT_TRUE(toJson(ipvs::SyncDaemonStatus{}).is_null());
  const nlohmann::json j = toJson(sampleStatus());
  EXPECT_EQ(j.at("instance"), "VI_1");
  EXPECT_EQ(j.at("role"), "master");
  EXPECT_EQ(j.at("converged"), true);
  EXPECT_TRUE(j.at("last_error").is_null());
  EXPECT_EQ(j.at("settings").at("interface"), "eth1");
  EXPECT_EQ(j.at("settings").at("sync_id"), 51);
  EXPECT_FALSE(j.at("settings").contains("state"));
  ASSERT_EQ(j.at("kernel").size(), 1U);
  EXPECT_EQ(j.at("kernel")[0].at("state"), "master");
  EXPECT_EQ(j.at("kernel")[0].at("group"), "224.0.0.81");
  EXPECT_EQ(j.at("kernel")[0].at("port"), 8848);

  const nlohmann::json vrrp{{"ok", true}, {"vrrp", {{"instances", nlohmann::json::array()}, {"lvs_sync_daemon", j}}}};
  std::string out = formatStatusTable(mergeStatus(nullptr, vrrp, nullptr, {}));
  EXPECT_NE(out.find("LVS sync daemon: follows VI_1 as master on eth1 (syncid 51); kernel runs: master on eth1 "
                     "syncid 51\n"),
            std::string::npos)
      << out;

  ipvs::SyncDaemonStatus failing = sampleStatus();
  failing.role = ipvs::SyncRole::Backup;
  failing.converged = false;
  failing.listed.clear();
  failing.failures = 2;
  failing.lastError = "IPVS is not available: no ip_vs";
  const nlohmann::json vrrpFailing{{"vrrp", {{"lvs_sync_daemon", toJson(failing)}}}};
  out = formatStatusTable(mergeStatus(nullptr, vrrpFailing, nullptr, {}));
  EXPECT_NE(out.find("follows VI_1 as backup on eth1 (syncid 51); kernel runs: none\n"
                     "  last failure (2 so far): IPVS is not available: no ip_vs\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(formatStatusTable(mergeStatus(nullptr, nullptr, nullptr, {})).find("LVS sync daemon"), std::string::npos);
}

}  // namespace
}  // namespace tandem::daemon
