// Split-brain and no-peer alarms: conditions keepalived does not report.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/vrrp/vrrp_test_support.h"

namespace tandem::vrrp {
namespace {

using namespace test;

long countOf(const Lines& lines, const std::string& prefix) {
  return std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.rfind(prefix, 0) == 0; });
}

// Adverts from `peer` every `step` seconds in [from, to], with the advert timer ticking in between.
Lines advertsFrom(Sim& sim, const char* peer, int priority, int from, int to, int step = 1) {
  Lines all;
  for (int s = from; s <= to; s += step) {
    sim.advanceTo(atS(s));
    const Lines lines = sim.receive(advertFrom(peer, priority), atS(s));
    all.insert(all.end(), lines.begin(), lines.end());
  }
  return all;
}

// Priority 150: Master_Down_Interval = 3 s + 106 * 100 cs / 256 = 3414062 us; master from 3414062 us on.
Sim masterAt150(InstanceParams p = baseParams()) {
  p.priority = 150;
  Sim sim(p);
  sim.start();
  sim.fireDue(TimerId::MasterDown);
  return sim;
}

TEST(VrrpSplitBrain, PeerThatNeverYieldsRaisesOneAlarmThenClears) {
  Sim sim = masterAt150();
  for (int s = 5; s <= 8; ++s) {
    sim.advanceTo(atS(s));
    const Lines lines = sim.receive(advertFrom("10.0.0.2", 100), atS(s));
    EXPECT_EQ(countOf(lines, "split_brain_alarm"), 0) << "at " << s << " s: only " << s - 5 << " s of conflict";
  }
  sim.advanceTo(atS(9));
  // 4 s of conflicting adverts > 3414062 us.
  EXPECT_EQ(sim.receive(advertFrom("10.0.0.2", 100), atS(9)),
            (Lines{"send_advert prio=150", "split_brain_alarm peer=10.0.0.2 prio=100"}));
  sim.advanceTo(atS(10));
  EXPECT_EQ(sim.receive(advertFrom("10.0.0.2", 100), atS(10)), Lines{"send_advert prio=150"});
  EXPECT_EQ(sim.instance().state(), State::Master);

  // The peer goes quiet. Ticks at 13414062 us (exactly Master_Down_Interval) keep it, the next clears it.
  EXPECT_EQ(countOf(sim.advanceTo(atUs(13414062)), "split_brain_cleared"), 0);
  EXPECT_EQ(countOf(sim.advanceTo(atUs(14414062)), "split_brain_cleared peer=10.0.0.2"), 1);
}

TEST(VrrpSplitBrain, EqualPriorityFromLowerAddressCountsAsConflict) {
  InstanceParams p = baseParams();
  p.ownAddress = ip("10.0.0.5");
  Sim sim = masterAt150(p);
  EXPECT_EQ(countOf(advertsFrom(sim, "10.0.0.2", 150, 4, 9), "split_brain_alarm peer=10.0.0.2 prio=150"), 1);
}

TEST(VrrpSplitBrain, GapsLongerThanMasterDownRestartTheCount) {
  Sim sim = masterAt150();
  // One advert every 4 s: never a continuous conflict.
  EXPECT_EQ(countOf(advertsFrom(sim, "10.0.0.2", 100, 4, 40, 4), "split_brain_alarm"), 0);
}

TEST(VrrpSplitBrain, LeavingMasterClearsTheAlarm) {
  Sim sim = masterAt150();
  advertsFrom(sim, "10.0.0.2", 100, 4, 9);
  const Lines lines = sim.receive(advertFrom("10.0.0.3", 200), atS(9));
  EXPECT_EQ(countOf(lines, "split_brain_cleared peer=10.0.0.2"), 1);
  EXPECT_EQ(sim.instance().state(), State::Backup);
}

TEST(VrrpSplitBrain, CanBeSwitchedOff) {
  InstanceParams p = baseParams();
  p.splitBrainDetection = false;
  Sim sim = masterAt150(p);
  EXPECT_EQ(countOf(advertsFrom(sim, "10.0.0.2", 100, 4, 12), "split_brain"), 0);
}

InstanceParams noPeerParams(State initial) {
  InstanceParams p = baseParams();
  p.initialState = initial;
  p.noPeerAlarmIntervals = 2;  // 2 * 3609375 us = 7218750 us
  return p;
}

TEST(VrrpNoPeerHeard, BackupConfiguredMasterAloneRaisesOnceAndClearsOnAdvert) {
  Sim sim(noPeerParams(State::Backup));
  sim.start();
  EXPECT_EQ(countOf(sim.advanceTo(atUs(3609375)), "BACKUP -> MASTER"), 1);
  // Advert ticks every second from 3609375 us; the 8th (8 s >= 7218750 us of silence) raises it.
  EXPECT_EQ(countOf(sim.advanceTo(atUs(10609375)), "no_peer_heard_alarm"), 0);
  EXPECT_EQ(sim.advanceTo(atUs(11609375)),
            (Lines{"send_advert prio=100", "arm advert at 12609375us", "no_peer_heard_alarm silence=8000000us"}));
  EXPECT_EQ(countOf(sim.advanceTo(atS(30)), "no_peer_heard_alarm"), 0);
  EXPECT_EQ(sim.receive(advertFrom("10.0.0.2", 50), atS(30)),
            (Lines{"no_peer_heard_cleared", "send_advert prio=100"}));
}

TEST(VrrpNoPeerHeard, SilenceCountsFromTheLastAdvertHeard) {
  Sim sim(noPeerParams(State::Backup));
  sim.start();
  sim.advanceTo(atS(5));
  sim.receive(advertFrom("10.0.0.2", 50), atS(5));  // heard at 5 s while master
  EXPECT_EQ(countOf(sim.advanceTo(atUs(11609375)), "no_peer_heard_alarm"), 0);
  EXPECT_EQ(countOf(sim.advanceTo(atUs(12609375)), "no_peer_heard_alarm silence=7609375us"), 1);
}

TEST(VrrpNoPeerHeard, NotForMasterConfiguredOrWhenDisabled) {
  Sim master(noPeerParams(State::Master));
  master.start();
  EXPECT_EQ(countOf(master.advanceTo(atS(60)), "no_peer_heard"), 0);

  InstanceParams off = noPeerParams(State::Backup);
  off.noPeerAlarmIntervals = 0;
  Sim sim(off);
  sim.start();
  EXPECT_EQ(countOf(sim.advanceTo(atS(60)), "no_peer_heard"), 0);
}

TEST(VrrpNoPeerHeard, LeavingMasterClearsIt) {
  Sim sim(noPeerParams(State::Backup));
  sim.start();
  sim.advanceTo(atS(12));
  EXPECT_EQ(countOf(sim.on(event::InterfaceChanged{false}, atS(12)), "no_peer_heard_cleared"), 1);
}

}  // namespace
}  // namespace tandem::vrrp
