// A VRRP child killed and respawned (see vrrp/resume.h): a recorded MASTER resumes without touching its VIPs and
// advertises at once; anything doubtful starts afresh as keepalived does; the RFC rules settle conflicts.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/vrrp_engine/engine_fakes.h"
#include "vrrp/packet.h"

namespace tandem::vrrp::test {
namespace {

using std::chrono::milliseconds;

bool anyRemoval(const FakeAddresses& addresses, std::size_t from = 0) {
  return std::any_of(addresses.ops.begin() + static_cast<std::ptrdiff_t>(from), addresses.ops.end(),
                     [](const std::string& op) { return op.rfind("del ", 0) == 0; });
}

class VrrpEngineResume : public TwoHosts {
 protected:
  // A (priority 150) master, B (100) backup, then A's child killed and respawned 30 ms later.
  void masterKilledAndRespawned(InstanceConfig master, InstanceConfig backup) {
    a.run(oneInstance(master));
    b.run(oneInstance(backup));
    timers.advanceTo(atMs(10'000));
    ASSERT_EQ(a.state("VI_1"), State::Master);
    ASSERT_TRUE(a.addresses.has("192.0.2.100"));
    a.crash();
    timers.advanceBy(milliseconds{30});
    opsBefore = a.addresses.ops.size();
    sentBefore = link.sent.size();
    a.respawn(oneInstance(master));
  }
  std::size_t opsBefore = 0;
  std::size_t sentBefore = 0;
};

TEST_F(VrrpEngineResume, TheRecordFollowsEveryTransition) {
  a.run(oneInstance(instanceConfig("VI_1", 51, 150)));
  ASSERT_EQ(a.resume.last.size(), 1u);
  const ResumeRecord& r = a.resume.last[0];
  EXPECT_EQ(r.instance, "VI_1");
  EXPECT_EQ(r.interface, "eth0");
  EXPECT_EQ(r.vrid, 51);
  EXPECT_EQ(r.state, State::Backup);
  EXPECT_EQ(r.vips, std::vector<std::string>{"192.0.2.100/24"});
  timers.advanceTo(atMs(10'000));
  EXPECT_EQ(a.resume.last[0].state, State::Master);
  a.engine->shutdown();
  EXPECT_EQ(a.resume.last[0].state, State::Initialize);
}

TEST_F(VrrpEngineResume, ABurstOfTransitionsIsSavedOnce) {
  EngineConfig config;
  for (int i = 1; i <= 50; ++i) {
    InstanceConfig c = instanceConfig(("VI_" + std::to_string(i)).c_str(), i, 150);
    c.vips.clear();
    config.instances.push_back(c);
  }
  a.run(config);
  const int atStart = a.resume.saves;
  timers.advanceTo(atMs(10'000));  // all fifty become master at the same instant
  EXPECT_EQ(a.resume.saves, atStart + 1);
  for (const auto& r : a.resume.last) EXPECT_EQ(r.state, State::Master);
}

TEST_F(VrrpEngineResume, ARespawnedMasterKeepsItsVipsAndAdvertisesAtOnce) {
  masterKilledAndRespawned(instanceConfig("VI_1", 51, 150), instanceConfig("VI_1", 51, 100));
  EXPECT_EQ(a.state("VI_1"), State::Master);
  EXPECT_TRUE(a.addresses.has("192.0.2.100"));
  EXPECT_FALSE(anyRemoval(a.addresses, opsBefore));
  EXPECT_TRUE(a.log.has("VRRP_Instance(VI_1) resumes as MASTER: the previous VRRP child had it MASTER"));
  EXPECT_TRUE(a.log.has("INIT -> MASTER (resumed after a VRRP child restart)"));
  EXPECT_FALSE(a.log.has("leftover"));
  // The advert goes out in the same instant, not after a Master_Down_Interval.
  ASSERT_GT(link.sent.size(), sentBefore);
  const Advert advert = decodeIpv4Packet(link.sent[sentBefore], 2, {}).decoded.advert;
  EXPECT_EQ(advert.priority, 150);
  timers.advanceTo(atMs(20'000));
  EXPECT_EQ(a.state("VI_1"), State::Master);
  EXPECT_EQ(b.state("VI_1"), State::Backup);
  EXPECT_FALSE(b.log.has("BACKUP -> MASTER"));
  EXPECT_FALSE(anyRemoval(a.addresses, opsBefore));
}

TEST_F(VrrpEngineResume, AFreshStartStillRemovesLeftovers) {
  a.addresses.preset("192.0.2.100");
  a.resume.last = {ResumeRecord{"VI_1", "eth0", Family::Ipv4, 51, State::Master, {"192.0.2.100/24"}, 0}};
  a.run(oneInstance(instanceConfig("VI_1", 51, 150)));  // no resumeFrom: the daemon itself started
  EXPECT_EQ(a.state("VI_1"), State::Backup);
  EXPECT_FALSE(a.addresses.has("192.0.2.100"));
  EXPECT_TRUE(a.log.has("removed leftover VIP 192.0.2.100/24"));
}

TEST_F(VrrpEngineResume, OnlyASameInstanceRecordedMasterWithTheSameVipsResumes) {
  const InstanceConfig c = instanceConfig("VI_1", 51, 150);
  const ResumeRecord master{"VI_1", "eth0", Family::Ipv4, 51, State::Master, vipsFingerprint(c), 0};
  EXPECT_TRUE(decideResume(c, &master).resumeMaster);
  EXPECT_FALSE(decideResume(c, nullptr).resumeMaster);
  auto changed = [&](auto edit) {
    ResumeRecord r = master;
    edit(r);
    return decideResume(c, &r);
  };
  EXPECT_EQ(changed([](ResumeRecord& r) { r.state = State::Backup; }).why,
            "the previous VRRP child had it in BACKUP");
  EXPECT_FALSE(changed([](ResumeRecord& r) { r.state = State::Fault; }).resumeMaster);
  EXPECT_FALSE(changed([](ResumeRecord& r) { r.vrid = 52; }).resumeMaster);
  EXPECT_FALSE(changed([](ResumeRecord& r) { r.interface = "eth1"; }).resumeMaster);
  EXPECT_FALSE(changed([](ResumeRecord& r) { r.family = Family::Ipv6; }).resumeMaster);
  EXPECT_EQ(changed([](ResumeRecord& r) { r.vips = {"192.0.2.100/32"}; }).why,
            "its VIPs changed since the previous VRRP child had it MASTER");
  InstanceConfig labelled = c;
  labelled.vips[0].label = "eth0:1";
  EXPECT_FALSE(decideResume(labelled, &master).resumeMaster);
}

TEST_F(VrrpEngineResume, ARecordedBackupStartsAfreshAndDropsWhatItShouldNotHold) {
  a.run(oneInstance(instanceConfig("VI_1", 51, 100)));
  b.run(oneInstance(instanceConfig("VI_1", 51, 150)));
  timers.advanceTo(atMs(10'000));
  ASSERT_EQ(a.state("VI_1"), State::Backup);
  a.crash();
  a.addresses.preset("192.0.2.100");  // whatever put it there, a backup must not keep it
  a.respawn(oneInstance(instanceConfig("VI_1", 51, 100)));
  EXPECT_EQ(a.state("VI_1"), State::Backup);
  EXPECT_FALSE(a.addresses.has("192.0.2.100"));
  EXPECT_TRUE(a.log.has("starts afresh: the previous VRRP child had it in BACKUP"));
}

TEST_F(VrrpEngineResume, AResumedMasterHearingABetterMasterStepsDownAndReleases) {
  // While A's child was dead, B (now configured higher, e.g. after a reload there) became master.
  a.run(oneInstance(instanceConfig("VI_1", 51, 150)));
  timers.advanceTo(atMs(10'000));
  ASSERT_EQ(a.state("VI_1"), State::Master);
  a.crash();
  b.run(oneInstance(instanceConfig("VI_1", 51, 200)));
  b.addresses.preset("192.0.2.100");
  timers.advanceTo(atMs(15'000));
  ASSERT_EQ(b.state("VI_1"), State::Master);
  a.respawn(oneInstance(instanceConfig("VI_1", 51, 150)));
  EXPECT_EQ(a.state("VI_1"), State::Master);
  timers.advanceTo(atMs(17'000));
  EXPECT_EQ(a.state("VI_1"), State::Backup);
  EXPECT_TRUE(a.log.has("MASTER -> BACKUP (higher priority advert)"));
  EXPECT_FALSE(a.addresses.has("192.0.2.100"));
  EXPECT_EQ(b.state("VI_1"), State::Master);
}

TEST_F(VrrpEngineResume, AFaultAtRespawnWinsOverTheRecord) {
  a.run(oneInstance(instanceConfig("VI_1", 51, 150)));
  timers.advanceTo(atMs(10'000));
  a.crash();
  a.interfaces.links["eth0"].up = false;
  a.respawn(oneInstance(instanceConfig("VI_1", 51, 150)));
  EXPECT_EQ(a.state("VI_1"), State::Fault);
  EXPECT_FALSE(a.addresses.has("192.0.2.100"));
}

TEST_F(VrrpEngineResume, AFailingStartupScriptDoesNotHoldAResumedMaster) {
  InstanceConfig c = instanceConfig("VI_1", 51, 150);
  c.trackScripts = {TrackRef{"chk", 0, false}};
  EngineConfig config = oneInstance(c);
  TrackScriptConfig chk;
  chk.name = "chk";
  chk.command.argv = {"/bin/chk"};
  config.scripts = {chk};
  a.scripts.autoStatus = [](const std::vector<std::string>&) { return std::optional<int>(0); };
  a.run(config);
  timers.advanceTo(atMs(10'000));
  ASSERT_EQ(a.state("VI_1"), State::Master);
  a.crash();
  a.scripts.autoStatus = nullptr;  // the next run hangs: its verdict comes later
  a.respawn(config);
  EXPECT_EQ(a.state("VI_1"), State::Master);
  timers.advanceBy(milliseconds{1});
  EXPECT_EQ(a.state("VI_1"), State::Master);
  EXPECT_TRUE(a.addresses.has("192.0.2.100"));
  a.scripts.finish("/bin/chk", 1);
  EXPECT_EQ(a.state("VI_1"), State::Fault);
  EXPECT_FALSE(a.addresses.has("192.0.2.100"));
}

TEST_F(VrrpEngineResume, ASyncGroupResumesOnlyAsAWhole) {
  EngineConfig config;
  config.instances = {instanceConfig("VI_1", 51, 150), instanceConfig("VI_2", 52, 150, "192.0.2.200")};
  for (auto& i : config.instances) i.syncGroup = "G";
  config.syncGroups = {SyncGroupConfig{"G", {"VI_1", "VI_2"}, {}}};
  a.run(config);
  timers.advanceTo(atMs(10'000));
  ASSERT_EQ(a.state("VI_1"), State::Master);
  ASSERT_EQ(a.state("VI_2"), State::Master);
  a.crash();
  a.respawn(config);
  EXPECT_EQ(a.state("VI_1"), State::Master);
  EXPECT_EQ(a.state("VI_2"), State::Master);
  EXPECT_TRUE(a.addresses.has("192.0.2.100"));
  EXPECT_TRUE(a.addresses.has("192.0.2.200"));

  // VI_2's VIPs changed in the file meanwhile: it cannot resume, so neither does VI_1.
  a.crash();
  config.instances[1].vips[0].prefixLength = 25;
  a.respawn(config);
  EXPECT_EQ(a.state("VI_1"), State::Backup);
  EXPECT_EQ(a.state("VI_2"), State::Backup);
  EXPECT_TRUE(a.log.has("VRRP_Instance(VI_1) starts afresh with VRRP_Group(G), which cannot resume as a whole"));
  EXPECT_FALSE(a.addresses.has("192.0.2.100"));
}

TEST_F(VrrpEngineResume, AnAhMasterContinuesPastTheSequenceNumbersItReserved) {
  const InstanceConfig ah = ahInstanceConfig(150);
  const InstanceConfig backup = ahInstanceConfig(100);
  // Long enough for the reservation to be renewed a few times: a master sends one advert a second.
  a.run(oneInstance(ah));
  b.run(oneInstance(backup));
  const int savesAtStart = a.resume.saves;
  timers.advanceTo(atMs(3'000'000));
  ASSERT_EQ(a.state("VI_1"), State::Master);
  EXPECT_LT(a.resume.saves - savesAtStart, 10);  // one per transition and per 512 adverts, not one per advert
  ASSERT_EQ(a.resume.last.size(), 1u);
  EXPECT_GT(a.resume.last[0].ahSequenceReserved, 3'000u);
  a.crash();
  timers.advanceBy(milliseconds{30});
  a.respawn(oneInstance(ah));
  timers.advanceTo(atMs(3'020'000));
  EXPECT_EQ(b.engine->instance("VI_1")->counters().dropped(AcceptReason::AhReplay), 0u);
  EXPECT_EQ(a.state("VI_1"), State::Master);
  EXPECT_EQ(b.state("VI_1"), State::Backup);
  EXPECT_FALSE(b.log.has("BACKUP -> MASTER"));
}

}  // namespace
}  // namespace tandem::vrrp::test
