// Track scripts, tracked interfaces, sync groups: pure rules first, then engines on a fake link.
#include <gtest/gtest.h>

#include "tests/unit/vrrp_engine/engine_fakes.h"
#include "vrrp/sync_group.h"
#include "vrrp/timing.h"
#include "vrrp/tracking.h"

namespace tandem::vrrp::test {
namespace {

TEST(VrrpEngineRules, ScriptNeedsFallFailuresAndRiseSuccesses) {
  ScriptHealth h(2, 3, false);
  EXPECT_EQ(h.state(), TrackState::Unknown);
  EXPECT_TRUE(h.onResult(true));  // the first result decides
  EXPECT_EQ(h.state(), TrackState::Ok);
  EXPECT_FALSE(h.onResult(false));
  EXPECT_FALSE(h.onResult(false));
  EXPECT_TRUE(h.onResult(false));
  EXPECT_EQ(h.state(), TrackState::Failed);
  EXPECT_FALSE(h.onResult(true));
  EXPECT_FALSE(h.onResult(false));  // a failure restarts the climb
  EXPECT_FALSE(h.onResult(true));
  EXPECT_TRUE(h.onResult(true));
  EXPECT_EQ(h.state(), TrackState::Ok);
}

TEST(VrrpEngineRules, InitFailStartsFailedAndNeedsRiseSuccesses) {
  ScriptHealth h(2, 1, true);
  EXPECT_EQ(h.state(), TrackState::Failed);
  EXPECT_FALSE(h.onResult(true));
  EXPECT_TRUE(h.onResult(true));
}

TEST(VrrpEngineRules, KeepalivedsWeightRules) {
  const TrackRef plus{"s", 10, false}, minus{"s", -10, false}, plusReverse{"s", 10, true}, zero{"s", 0, false},
      zeroReverse{"s", 0, true};
  EXPECT_EQ(priorityContribution(plus, TrackState::Ok), 10);
  EXPECT_EQ(priorityContribution(plus, TrackState::Failed), 0);
  EXPECT_EQ(priorityContribution(minus, TrackState::Ok), 0);
  EXPECT_EQ(priorityContribution(minus, TrackState::Failed), -10);
  EXPECT_EQ(priorityContribution(plusReverse, TrackState::Ok), -10);
  EXPECT_EQ(priorityContribution(minus, TrackState::Unknown), 0);
  EXPECT_TRUE(causesFault(zero, TrackState::Failed));
  EXPECT_FALSE(causesFault(zero, TrackState::Unknown));
  EXPECT_FALSE(causesFault(minus, TrackState::Failed));
  EXPECT_TRUE(causesFault(zeroReverse, TrackState::Ok));
  EXPECT_TRUE(holdsStartup(zero, TrackState::Unknown));
  EXPECT_FALSE(holdsStartup(minus, TrackState::Unknown));
}

TEST(VrrpEngineSyncRules, GroupStateAndReadiness) {
  const TimePoint now = atMs(1'000);
  std::vector<MemberView> v{{State::Backup, atMs(900)}, {State::Backup, atMs(2'000)}};
  EXPECT_EQ(groupStateOf(v), State::Backup);
  EXPECT_FALSE(othersReadyForMaster(v, 0, now));  // member 1 still hears its master
  EXPECT_TRUE(othersReadyForMaster(v, 1, now));
  v[1].state = State::Master;
  EXPECT_EQ(groupStateOf(v), std::nullopt);
  EXPECT_TRUE(othersReadyForMaster(v, 0, now));
  v[0].state = State::Fault;
  EXPECT_EQ(groupStateOf(v), State::Fault);
  EXPECT_FALSE(othersReadyForMaster(v, 1, now));
}

TEST(VrrpEngineSyncRules, MembersFollowMasterAndBackupTransitions) {
  std::vector<MemberView> v{{State::Master, {}}, {State::Backup, {}}, {State::Fault, {}}};
  using Moves = std::vector<std::pair<std::size_t, State>>;
  EXPECT_EQ(followTransition(v, 0, State::Backup, State::Master), (Moves{{1, State::Master}}));
  v = {{State::Backup, {}}, {State::Master, {}}, {State::Master, {}}};
  EXPECT_EQ(followTransition(v, 0, State::Master, State::Backup), (Moves{{1, State::Backup}, {2, State::Backup}}));
  EXPECT_TRUE(followTransition(v, 0, State::Initialize, State::Backup).empty());
}

using VrrpEngineTracking = TwoHosts;

TEST_F(VrrpEngineTracking, FailingTrackScriptLowersPriorityAndTheBackupTakesOver) {
  EngineConfig ca = oneInstance(instanceConfig("VI_1", 51, 150));
  ca.instances[0].trackScripts = {{"chk", -60, false}};
  TrackScriptConfig chk;
  chk.name = "chk";
  chk.command.argv = {"/bin/chk"};
  chk.interval = std::chrono::milliseconds{2'000};
  chk.timeout = std::chrono::milliseconds{1'500};
  chk.fall = 2;
  ca.scripts = {chk};
  bool healthy = true;
  a.scripts.autoStatus = [&](const std::vector<std::string>& argv) -> std::optional<int> {
    if (argv[0] == "/bin/chk") return healthy ? 0 : 1;
    return std::nullopt;
  };
  a.run(ca);
  b.run(oneInstance(instanceConfig("VI_1", 51, 100)));
  timers.advanceTo(atMs(9'000));
  ASSERT_EQ(a.state("VI_1"), State::Master);
  ASSERT_EQ(a.scripts.argvsOf("/bin/chk").size(), 5u);  // at 0, 2, 4, 6, 8 s
  EXPECT_EQ(a.scripts.runs.front().timeout, std::chrono::milliseconds{1'500});

  healthy = false;  // runs at 10 s and 12 s fail: fall 2
  timers.advanceTo(atMs(12'000));
  EXPECT_EQ(a.engine->scriptState("chk"), TrackState::Failed);
  EXPECT_EQ(a.log.when("VRRP_Script(chk) failed (exited with status 1)"), 12'000'000);
  EXPECT_EQ(a.engine->instance("VI_1")->effectivePriority(), 90);
  EXPECT_TRUE(a.log.has("VRRP_Instance(VI_1) effective priority 150 -> 90"));
  timers.advanceTo(atMs(20'000));
  EXPECT_EQ(b.state("VI_1"), State::Master);
  EXPECT_EQ(a.state("VI_1"), State::Backup);
  EXPECT_FALSE(a.addresses.has("192.0.2.100"));
  EXPECT_TRUE(b.addresses.has("192.0.2.100"));
}

TEST_F(VrrpEngineTracking, WeightZeroScriptHoldsStartupUntilItReportsThenFaults) {
  EngineConfig c = oneInstance(instanceConfig("VI_1", 51, 150));
  c.instances[0].trackScripts = {{"chk", 0, false}};
  TrackScriptConfig chk;
  chk.name = "chk";
  chk.command.argv = {"/bin/chk"};
  c.scripts = {chk};
  a.run(c);
  timers.advanceTo(atMs(500));
  EXPECT_EQ(a.state("VI_1"), State::Initialize);
  a.scripts.finish("/bin/chk", 1);
  EXPECT_EQ(a.state("VI_1"), State::Fault);
  timers.advanceTo(atMs(1'000));
  a.scripts.finish("/bin/chk", 0);
  EXPECT_EQ(a.state("VI_1"), State::Backup);
}

TEST_F(VrrpEngineTracking, TrackedInterfaceDownMeansFaultAndVipsGoAway) {
  EngineConfig c = oneInstance(instanceConfig("VI_1", 51, 255));
  c.instances[0].trackInterfaces = {{"eth1", 0, false}};
  NotifyScripts notify;
  notify.fault = {{"/bin/fault"}, ""};
  c.instances[0].notify = std::make_shared<const NotifyScripts>(notify);
  a.interfaces.links["eth1"] = InterfaceInfo{3, "eth1", {}, true, {}, {}};
  a.run(c);
  ASSERT_EQ(a.state("VI_1"), State::Master);
  timers.advanceTo(atMs(2'000));
  a.interfaces.setUp("eth1", false);
  EXPECT_EQ(a.state("VI_1"), State::Fault);
  EXPECT_FALSE(a.addresses.has("192.0.2.100"));
  EXPECT_EQ(a.scripts.argvsOf("/bin/fault").size(), 1u);
  EXPECT_TRUE(a.log.has("VRRP_Instance(VI_1) MASTER -> FAULT (fault)"));
  a.interfaces.setUp("eth1", true);
  EXPECT_EQ(a.state("VI_1"), State::Master);
}

TEST_F(VrrpEngineTracking, OwnInterfaceDownIsAFaultUnlessDontTrackPrimary) {
  EngineConfig c = oneInstance(instanceConfig("VI_1", 51, 100));
  c.instances.push_back(instanceConfig("VI_2", 52, 100, "192.0.2.200"));
  c.instances[1].trackPrimaryInterface = false;
  a.run(c);
  a.interfaces.setUp("eth0", false);
  EXPECT_EQ(a.state("VI_1"), State::Fault);
  EXPECT_EQ(a.state("VI_2"), State::Backup);
  EXPECT_TRUE(a.log.has("VRRP_Instance(VI_1) interface eth0 down"));
}

TEST_F(VrrpEngineTracking, WeightedInterfaceAddsItsWeightWhileUp) {
  EngineConfig c = oneInstance(instanceConfig("VI_1", 51, 100));
  c.instances[0].trackInterfaces = {{"eth1", 20, false}};
  a.interfaces.links["eth1"] = InterfaceInfo{3, "eth1", {}, true, {}, {}};
  a.run(c);
  EXPECT_EQ(a.engine->instance("VI_1")->effectivePriority(), 120);
  a.interfaces.setUp("eth1", false);
  EXPECT_EQ(a.engine->instance("VI_1")->effectivePriority(), 100);
  EXPECT_EQ(a.state("VI_1"), State::Backup);
}

EngineConfig groupOf(int priority, NotifyScripts notify = {}) {
  EngineConfig c;
  c.instances = {instanceConfig("VI_1", 1, priority, "192.0.2.101"), instanceConfig("VI_2", 2, priority, "192.0.2.102")};
  c.instances[0].syncGroup = c.instances[1].syncGroup = "G";
  c.syncGroups = {{"G", {"VI_1", "VI_2"}, notify}};
  return c;
}

TEST_F(VrrpEngineTracking, SyncGroupWaitsForEveryMemberBeforeTakingOverThenMovesTogether) {
  NotifyScripts notify;
  notify.generic = {{"/bin/gn"}, ""};
  a.run(groupOf(100, notify));
  b.run(oneInstance(instanceConfig("VI_2", 2, 200, "192.0.2.102")));  // B masters VI_2 only
  timers.advanceTo(atMs(10'000));
  // VI_1 hears nobody, but VI_2 hears B: the group prefers BACKUP.
  EXPECT_EQ(a.state("VI_1"), State::Backup);
  EXPECT_EQ(a.state("VI_2"), State::Backup);
  EXPECT_TRUE(a.log.has("waiting for the rest of VRRP_Group(G)"));
  EXPECT_EQ(a.engine->groupState("G"), State::Backup);

  b.crash();
  timers.advanceTo(atMs(20'000));
  EXPECT_EQ(a.state("VI_1"), State::Master);
  EXPECT_EQ(a.state("VI_2"), State::Master);
  EXPECT_EQ(a.engine->groupState("G"), State::Master);
  EXPECT_EQ(a.scripts.argvsOf("/bin/gn"), (std::vector<std::vector<std::string>>{{"/bin/gn", "GROUP", "G", "BACKUP", "0"},
                                                                               {"/bin/gn", "GROUP", "G", "MASTER", "0"}}));
}

TEST_F(VrrpEngineTracking, AMemberLosingMastershipTakesTheWholeGroupToBackup) {
  a.run(groupOf(100));
  timers.advanceTo(atMs(10'000));
  ASSERT_EQ(a.engine->groupState("G"), State::Master);
  Host c{timers, link, "192.0.2.3"};
  c.run(oneInstance(instanceConfig("VI_2", 2, 200, "192.0.2.102")));
  timers.advanceTo(atMs(20'000));
  EXPECT_EQ(c.state("VI_2"), State::Master);
  EXPECT_EQ(a.state("VI_2"), State::Backup);
  EXPECT_EQ(a.state("VI_1"), State::Backup);
  EXPECT_TRUE(a.log.has("VRRP_Instance(VI_1) MASTER -> BACKUP (sync group)"));
  EXPECT_FALSE(a.addresses.has("192.0.2.101"));
}

TEST_F(VrrpEngineTracking, AFaultyMemberPutsTheGroupInFault) {
  EngineConfig c = groupOf(100);
  c.instances[0].trackInterfaces = {{"eth1", 0, false}};
  a.interfaces.links["eth1"] = InterfaceInfo{3, "eth1", {}, true, {}, {}};
  a.run(c);
  timers.advanceTo(atMs(10'000));
  ASSERT_EQ(a.engine->groupState("G"), State::Master);
  a.interfaces.setUp("eth1", false);
  EXPECT_EQ(a.state("VI_1"), State::Fault);
  EXPECT_EQ(a.state("VI_2"), State::Fault);
  EXPECT_EQ(a.engine->groupState("G"), State::Fault);
  EXPECT_TRUE(a.log.has("VRRP_Group(G) -> FAULT"));
  a.interfaces.setUp("eth1", true);
  EXPECT_EQ(a.state("VI_1"), State::Backup);
  EXPECT_EQ(a.state("VI_2"), State::Backup);
}

TEST_F(VrrpEngineTracking, SourceAddressAppearingLaterStartsTheInstance) {
  a.interfaces.links["eth0"].primaryIpv4.reset();
  a.run(oneInstance(instanceConfig("VI_1", 51, 100)));
  EXPECT_EQ(a.state("VI_1"), State::Fault);
  InterfaceInfo info = a.interfaces.links["eth0"];
  info.primaryIpv4 = addr("192.0.2.1");
  a.interfaces.links["eth0"] = info;
  a.interfaces.setUp("eth0", true);
  EXPECT_EQ(a.state("VI_1"), State::Backup);
  timers.advanceTo(atMs(5'000));
  EXPECT_EQ(a.state("VI_1"), State::Master);
}

TEST_F(VrrpEngineTracking, HandOverKeepsARunningInstanceAcrossEngines) {
  a.run(oneInstance(instanceConfig("VI_1", 51, 150)));
  timers.advanceTo(atMs(5'000));
  ASSERT_EQ(a.state("VI_1"), State::Master);
  InstanceConfig changed = instanceConfig("VI_1", 51, 120);
  auto next = std::make_unique<Engine>(
      oneInstance(changed),
      EnginePorts{a.interfaces, a.channels, a.addresses, a.gratuitous, a.scripts, timers, a.log});
  ASSERT_TRUE(a.engine->handOver("VI_1", *next));
  a.engine->shutdown();
  a.engine = std::move(next);
  a.engine->start();
  EXPECT_EQ(a.state("VI_1"), State::Master);
  EXPECT_TRUE(a.addresses.has("192.0.2.100"));
  EXPECT_EQ(a.engine->instance("VI_1")->effectivePriority(), 120);
  const std::size_t sent = link.sent.size();
  timers.advanceTo(atMs(7'000));
  EXPECT_EQ(link.sent.size(), sent + 2);  // adverts continue every second
}

TEST_F(VrrpEngineTracking, AReloadedMasterRemovesOnlyTheVipsItLostAndAddsOnlyThoseItGained) {
  InstanceConfig before = instanceConfig("VI_1", 51, 150);
  VirtualAddress second = before.vips[0];
  second.address = addr("192.0.2.101");
  before.vips.push_back(second);
  before.params.virtualAddresses.push_back(second.address);
  a.run(oneInstance(before));
  timers.advanceTo(atMs(5'000));
  ASSERT_EQ(a.state("VI_1"), State::Master);
  ASSERT_TRUE(a.addresses.has("192.0.2.100") && a.addresses.has("192.0.2.101"));

  // 192.0.2.101 leaves the instance, 192.0.2.102 joins it, 192.0.2.100 stays.
  InstanceConfig after = instanceConfig("VI_1", 51, 150);
  VirtualAddress third = after.vips[0];
  third.address = addr("192.0.2.102");
  after.vips.push_back(third);
  after.params.virtualAddresses.push_back(third.address);
  auto next = std::make_unique<Engine>(
      oneInstance(after), EnginePorts{a.interfaces, a.channels, a.addresses, a.gratuitous, a.scripts, timers, a.log});
  a.addresses.ops.clear();
  a.gratuitous.sent.clear();
  ASSERT_TRUE(a.engine->handOver("VI_1", *next));
  EXPECT_EQ(a.addresses.ops, std::vector<std::string>{"del 192.0.2.101%eth0"});
  a.engine->shutdown();
  a.engine = std::move(next);
  a.engine->start();
  EXPECT_EQ(a.addresses.ops, (std::vector<std::string>{"del 192.0.2.101%eth0", "add 192.0.2.102%eth0"}));
  EXPECT_EQ(a.state("VI_1"), State::Master);
  ASSERT_EQ(a.gratuitous.sent.size(), 1U);
  EXPECT_EQ(a.gratuitous.sent[0].second, "eth0 192.0.2.102");
  EXPECT_EQ(a.engine->instance("VI_1")->params().virtualAddresses,
            (std::vector<IpAddress>{addr("192.0.2.100"), addr("192.0.2.102")}));  // what the adverts now list
}

TEST_F(VrrpEngineTracking, AReloadedBackupTouchesNoAddress) {
  a.run(oneInstance(instanceConfig("VI_1", 51, 150)));
  timers.advanceTo(atMs(500));
  ASSERT_EQ(a.state("VI_1"), State::Backup);
  auto next = std::make_unique<Engine>(oneInstance(instanceConfig("VI_1", 51, 150, "192.0.2.110")),
                                       EnginePorts{a.interfaces, a.channels, a.addresses, a.gratuitous, a.scripts,
                                                   timers, a.log});
  a.addresses.ops.clear();
  ASSERT_TRUE(a.engine->handOver("VI_1", *next));
  a.engine->shutdown();
  a.engine = std::move(next);
  a.engine->start();
  EXPECT_TRUE(a.addresses.ops.empty());
  timers.advanceTo(atMs(6'000));
  EXPECT_EQ(a.state("VI_1"), State::Master);
  EXPECT_TRUE(a.addresses.has("192.0.2.110"));
  EXPECT_FALSE(a.addresses.has("192.0.2.100"));
}

}  // namespace
}  // namespace tandem::vrrp::test
