// Two engines back to back on a fake link: election, failover with RFC timing, shutdown, -V, notify argv,
// drops, leftover VIPs, gratuitous ARP pacing.
#include <gtest/gtest.h>

#include "tests/unit/vrrp_engine/engine_fakes.h"
#include "vrrp/packet.h"
#include "vrrp/timing.h"

namespace tandem::vrrp::test {
namespace {

using std::chrono::microseconds;

std::int64_t downUs(int priority) {
  return masterDownInterval(Version::V3, static_cast<std::uint8_t>(priority), Centiseconds{100}).count();
}

class VrrpEngineElection : public TwoHosts {
 protected:
  void startPair(EngineOptions optionsA = {}) {
    a.run(oneInstance(instanceConfig("VI_1", 51, 150)), optionsA);
    b.run(oneInstance(instanceConfig("VI_1", 51, 100)));
  }
};

TEST_F(VrrpEngineElection, HigherPriorityBecomesMasterAfterItsMasterDownInterval) {
  startPair();
  timers.advanceTo(atMs(10'000));
  EXPECT_EQ(a.state("VI_1"), State::Master);
  EXPECT_EQ(b.state("VI_1"), State::Backup);
  EXPECT_EQ(a.log.when("VRRP_Instance(VI_1) BACKUP -> MASTER (master-down timer)"), downUs(150));
  EXPECT_TRUE(a.addresses.has("192.0.2.100"));
  EXPECT_FALSE(b.addresses.has("192.0.2.100"));
  EXPECT_FALSE(b.log.has("-> MASTER"));
  ASSERT_FALSE(a.channels.opened.empty());
  EXPECT_EQ(a.channels.opened[0]->destinations.front(), addr("224.0.0.18"));
  EXPECT_EQ(a.gratuitous.sent.front(), (std::pair<std::int64_t, std::string>{downUs(150), "eth0 192.0.2.100"}));
}

TEST_F(VrrpEngineElection, BackupTakesOverOneMasterDownIntervalAfterTheLastAdvertOfADeadMaster) {
  startPair();
  timers.advanceTo(atMs(10'000));
  // A became master at downUs(150) and advertises every second since; its last advert before 10 s:
  const std::int64_t lastAdvert = downUs(150) + 6'000'000;
  a.crash();
  timers.advanceTo(atMs(20'000));
  EXPECT_EQ(b.state("VI_1"), State::Master);
  EXPECT_EQ(b.log.when("VRRP_Instance(VI_1) BACKUP -> MASTER (master-down timer)"), lastAdvert + downUs(100));
  EXPECT_TRUE(b.addresses.has("192.0.2.100"));
}

// The failover clock runs until the gratuitous ARP: the takeover's log lines are written once the VIP is bound and
// the advert and the ARP have left, still in their own order.
TEST_F(VrrpEngineElection, TakeoverLogLinesAreWrittenAfterItsAdvertAndGratuitousArp) {
  startPair();
  timers.advanceTo(atMs(10'000));
  a.crash();
  const std::size_t advertsBefore = link.sent.size();
  std::vector<std::string> seen;
  b.log.onLine = [&](const std::string& line) {
    const bool vipBound = b.addresses.has("192.0.2.100");
    seen.push_back(line + (vipBound ? " [vip]" : "") + (b.gratuitous.sent.empty() ? "" : " [garp]") +
                   (link.sent.size() > advertsBefore ? " [advert]" : ""));
  };
  timers.advanceTo(atMs(20'000));
  ASSERT_EQ(b.state("VI_1"), State::Master);
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen[0], "VRRP_Instance(VI_1) BACKUP -> MASTER (master-down timer) [vip] [garp] [advert]");
  EXPECT_EQ(seen[1].rfind("VRRP_Instance(VI_1) added VIPs ", 0), 0u) << seen[1];
}

// The event loop may send a master's adverts up to 1/64 of the interval early to batch them: the master still sends
// one a second, and the backup never mistakes it for a dead one.
TEST_F(VrrpEngineElection, AdvertsSentEarlyKeepTheirCadenceAndTheBackupQuiet) {
  timers.routineEarly = true;
  startPair();
  timers.advanceTo(atMs(10'000));
  const std::size_t before = link.sent.size();
  timers.advanceTo(atMs(60'000));
  EXPECT_EQ(link.sent.size() - before, 50u);
  EXPECT_EQ(a.state("VI_1"), State::Master);
  EXPECT_EQ(b.state("VI_1"), State::Backup);
  EXPECT_FALSE(b.log.has("-> MASTER"));
}

TEST_F(VrrpEngineElection, OrderlyShutdownSendsPriorityZeroAndTheBackupTakesOverAfterSkewTime) {
  startPair();
  timers.advanceTo(atMs(10'000));
  a.engine->shutdown();
  EXPECT_FALSE(a.addresses.has("192.0.2.100"));
  EXPECT_TRUE(a.log.has("VRRP_Instance(VI_1) MASTER -> INIT (shutdown)"));
  timers.advanceTo(atMs(12'000));
  EXPECT_EQ(b.state("VI_1"), State::Master);
  const auto skew = skewTime(Version::V3, 100, Centiseconds{100}).count();
  EXPECT_EQ(b.log.when("BACKUP -> MASTER"), 10'000'000 + skew);
}

TEST_F(VrrpEngineElection, DontReleaseVrrpLeavesVipsAndSendsNoPriorityZero) {
  startPair(EngineOptions{.dontReleaseVrrp = true});
  timers.advanceTo(atMs(10'000));
  const std::size_t sent = link.sent.size();
  a.engine->shutdown();
  EXPECT_EQ(link.sent.size(), sent);
  EXPECT_TRUE(a.addresses.has("192.0.2.100"));
  EXPECT_TRUE(a.log.has("VIPs left in place (-V)"));
  // The backup only notices the silence: a full Master_Down_Interval after the last advert.
  timers.advanceTo(atMs(10'600));
  EXPECT_EQ(b.state("VI_1"), State::Backup);
  timers.advanceTo(atMs(14'000));
  EXPECT_EQ(b.state("VI_1"), State::Master);
}

TEST_F(VrrpEngineElection, StateChangesReachTheObserverOnceEachAfterTheirActions) {
  std::vector<std::string> seen;
  EngineOptions options;
  options.onStateChange = [this, &seen](const std::string& name, State from, State to) {
    seen.push_back(name + " " + std::string(toString(from)) + "->" + std::string(toString(to)) +
                   (a.addresses.has("192.0.2.100") ? " with VIP" : ""));
  };
  startPair(options);
  timers.advanceTo(atMs(10'000));
  a.engine->shutdown();
  EXPECT_EQ(seen, (std::vector<std::string>{"VI_1 INIT->BACKUP", "VI_1 BACKUP->MASTER with VIP", "VI_1 MASTER->INIT"}));
}

TEST_F(VrrpEngineElection, NotifyScriptsGetKeepalivedsArguments) {
  InstanceConfig c = instanceConfig("VI_1", 51, 150);
  NotifyScripts notify;
  notify.master = {splitCommandLine("/etc/n.sh master 'with space'"), ""};
  notify.generic = {{"/etc/notify"}, "nobody"};
  notify.stop = {{"/etc/stop"}, ""};
  c.notify = std::make_shared<const NotifyScripts>(notify);
  a.run(oneInstance(c));
  timers.advanceTo(atMs(5'000));
  EXPECT_EQ(a.scripts.argvsOf("/etc/n.sh"),
            (std::vector<std::vector<std::string>>{{"/etc/n.sh", "master", "with space"}}));
  EXPECT_EQ(a.scripts.argvsOf("/etc/notify"), (std::vector<std::vector<std::string>>{
                                                  {"/etc/notify", "INSTANCE", "VI_1", "BACKUP", "150"},
                                                  {"/etc/notify", "INSTANCE", "VI_1", "MASTER", "150"}}));
  EXPECT_EQ(a.scripts.runs.back().user, "nobody");
  a.engine->shutdown();
  EXPECT_EQ(a.scripts.argvsOf("/etc/stop").size(), 1u);
  EXPECT_EQ(a.scripts.argvsOf("/etc/notify").back(),
            (std::vector<std::string>{"/etc/notify", "INSTANCE", "VI_1", "STOP", "150"}));
}

TEST_F(VrrpEngineElection, DropsAreCountedPerReasonAndUnknownVridsPerChannel) {
  InstanceConfig withPass = instanceConfig("VI_1", 51, 100, "192.0.2.100", Version::V2);
  withPass.params.authType = AuthType::Pass;
  withPass.params.authData = makeAuthData("secret");
  InstanceConfig otherPass = withPass;
  otherPass.params.authData = makeAuthData("wrong");
  otherPass.params.priority = 200;
  a.run(oneInstance(otherPass));
  b.run(oneInstance(withPass));
  Host c{timers, link, "192.0.2.3"};
  c.run(oneInstance(instanceConfig("VI_9", 99, 100)));
  timers.advanceTo(atMs(8'000));
  const Instance& vi1 = *b.engine->instance("VI_1");
  EXPECT_GT(vi1.counters().dropped(DecodeError::AuthFailure), 0u);
  EXPECT_EQ(vi1.counters().advertsReceived, 0u);
  EXPECT_GT(c.engine->unknownVrid("eth0", Family::Ipv4), 0u);
  // Wrong password: both believe they are alone.
  EXPECT_EQ(a.state("VI_1"), State::Master);
  EXPECT_EQ(b.state("VI_1"), State::Master);
}

TEST_F(VrrpEngineElection, AhAdvertsCarryIncreasingSequenceNumbersAndAreAccepted) {
  InstanceConfig ah = instanceConfig("VI_1", 51, 150, "192.0.2.100", Version::V2);
  ah.params.authType = AuthType::Ah;
  ah.params.authData = makeAuthData("key");
  a.run(oneInstance(ah));
  ah.params.priority = 100;
  b.run(oneInstance(ah));
  timers.advanceTo(atMs(10'000));
  EXPECT_EQ(a.state("VI_1"), State::Master);
  EXPECT_EQ(b.state("VI_1"), State::Backup);
  EXPECT_GT(b.engine->instance("VI_1")->counters().advertsReceived, 3u);
  EXPECT_EQ(b.engine->instance("VI_1")->counters().dropped(AcceptReason::AhReplay), 0u);
}

TEST_F(VrrpEngineElection, UnicastAdvertsGoToEveryPeer) {
  InstanceConfig c = instanceConfig("VI_1", 51, 150);
  c.channel.unicastPeers = {addr("192.0.2.2"), addr("192.0.2.3")};
  a.run(oneInstance(c));
  timers.advanceTo(atMs(4'000));
  ASSERT_EQ(a.channels.opened.size(), 1u);
  const auto& d = a.channels.opened[0]->destinations;
  ASSERT_GE(d.size(), 2u);
  EXPECT_EQ(d[0], addr("192.0.2.2"));
  EXPECT_EQ(d[1], addr("192.0.2.3"));
}

TEST_F(VrrpEngineElection, LeftoverVipsAreRemovedAtStartUnlessTheInstanceStartsAsMaster) {
  a.addresses.preset("192.0.2.100");
  b.addresses.preset("192.0.2.200");
  a.run(oneInstance(instanceConfig("VI_1", 51, 100)));
  b.run(oneInstance(instanceConfig("VI_2", 52, 255, "192.0.2.200")));
  EXPECT_FALSE(a.addresses.has("192.0.2.100"));
  EXPECT_TRUE(a.log.has("removed leftover VIP 192.0.2.100/24"));
  EXPECT_EQ(b.state("VI_2"), State::Master);
  EXPECT_TRUE(b.addresses.has("192.0.2.200"));
  EXPECT_FALSE(b.log.has("leftover"));
}

TEST_F(VrrpEngineElection, VipFailuresAreLoggedOneByOne) {
  InstanceConfig c = instanceConfig("VI_1", 51, 255);
  VirtualAddress second;
  second.address = addr("192.0.2.101");
  c.vips.push_back(second);
  a.addresses.failOn = addr("192.0.2.100");
  a.run(oneInstance(c));
  EXPECT_TRUE(a.log.has("VRRP_Instance(VI_1) cannot add VIP 192.0.2.100/24: EPERM"));
  EXPECT_TRUE(a.addresses.has("192.0.2.101"));
}

TEST_F(VrrpEngineElection, GratuitousArpsArePacedByGarpIntervalAndRepeatedAfterGarpMasterDelay) {
  InstanceConfig c = instanceConfig("VI_1", 51, 255);
  VirtualAddress excluded;
  excluded.address = addr("198.51.100.7");
  c.excludedVips = {excluded};
  c.params.garpMasterRepeat = 2;
  c.params.garpMasterDelay = std::chrono::seconds{5};
  c.garpInterval = microseconds{100'000};
  a.run(oneInstance(c));
  timers.advanceTo(atMs(1'000));
  using Sent = std::vector<std::pair<std::int64_t, std::string>>;
  EXPECT_EQ(a.gratuitous.sent, (Sent{{0, "eth0 192.0.2.100"},
                                     {100'000, "eth0 198.51.100.7"},
                                     {200'000, "eth0 192.0.2.100"},
                                     {300'000, "eth0 198.51.100.7"}}));
  timers.advanceTo(atMs(6'000));
  ASSERT_EQ(a.gratuitous.sent.size(), 8u);
  EXPECT_EQ(a.gratuitous.sent[4].first, 5'000'000);
}

TEST_F(VrrpEngineElection, GarpMasterRefreshRepeatsWhileMaster) {
  InstanceConfig c = instanceConfig("VI_1", 51, 255);
  c.garpMasterRefresh = std::chrono::milliseconds{2'000};
  c.garpMasterRefreshRepeat = 1;
  a.run(oneInstance(c));
  timers.advanceTo(atMs(5'000));
  ASSERT_EQ(a.gratuitous.sent.size(), 3u);
  EXPECT_EQ(a.gratuitous.sent[1].first, 2'000'000);
  EXPECT_EQ(a.gratuitous.sent[2].first, 4'000'000);
}

TEST_F(VrrpEngineElection, ChannelThatCannotOpenPutsTheInstanceInFault) {
  a.channels.fail = true;
  a.run(oneInstance(instanceConfig("VI_1", 51, 150)));
  EXPECT_EQ(a.state("VI_1"), State::Fault);
  EXPECT_TRUE(a.log.has("cannot open the VRRP socket on eth0: refused by the test"));
}

TEST_F(VrrpEngineElection, SplitBrainIsLoggedLoudlyWithThePeerAddress) {
  startPair();
  timers.advanceTo(atMs(10'000));
  a.channels.mute();  // B stops hearing A, A still hears B
  timers.advanceTo(atMs(30'000));
  EXPECT_EQ(b.state("VI_1"), State::Master);
  EXPECT_EQ(a.state("VI_1"), State::Master);
  bool loud = false;
  for (const auto& l : a.log.lines)
    loud = loud || (l.level == EngineLog::Level::Error && l.text.find("SPLIT BRAIN: 192.0.2.2") != std::string::npos);
  EXPECT_TRUE(loud);
}

}  // namespace
}  // namespace tandem::vrrp::test

namespace tandem::vrrp::test {
namespace {

TEST_F(VrrpEngineElection, AhRestartedMasterContinuesPastItsPeersSequenceNumbers) {
  const InstanceConfig ah = ahInstanceConfig(150);
  const InstanceConfig backup = ahInstanceConfig(100);
  a.run(oneInstance(ah));
  b.run(oneInstance(backup));
  timers.advanceTo(atMs(10'000));
  ASSERT_EQ(a.state("VI_1"), State::Master);
  a.crash();
  timers.advanceTo(atMs(20'000));
  ASSERT_EQ(b.state("VI_1"), State::Master);
  // The same node comes back: it must not start its AH sequence at 1, which B has seen from it already.
  Host restarted{timers, link, "192.0.2.1"};
  restarted.run(oneInstance(ah));
  timers.advanceTo(atMs(30'000));
  EXPECT_EQ(b.engine->instance("VI_1")->counters().dropped(AcceptReason::AhReplay), 0u);
  EXPECT_EQ(restarted.state("VI_1"), State::Master);
  EXPECT_EQ(b.state("VI_1"), State::Backup);
}

}  // namespace
}  // namespace tandem::vrrp::test
