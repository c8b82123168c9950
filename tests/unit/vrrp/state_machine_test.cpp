// RFC 5798 section 6 scenarios with simulated time. Defaults (vrrp_test_support.h): VRRPv3, priority 100,
// interval 100 cs, so Skew_Time = 156 * 100 cs / 256 = 609375 us and Master_Down_Interval = 3609375 us.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/vrrp/vrrp_test_support.h"
#include "vrrp/timing.h"

namespace tandem::vrrp {
namespace {

using namespace test;

struct Step {
  const char* what;
  Event event;
  TimePoint at;
  Lines expected;
};

struct Scenario {
  const char* name;
  InstanceParams params;
  std::vector<Step> steps;
};

InstanceParams with(void (*tweak)(InstanceParams&)) {
  InstanceParams p = baseParams();
  tweak(p);
  return p;
}

const Lines kBackupToMasterAt3609375 = {
    "BACKUP -> MASTER (master_down_timer)", "add_vips", "send_advert prio=100", "send_gratuitous x5",
    "arm garp_delay at 8609375us", "arm advert at 4609375us", "notify MASTER"};

std::vector<Scenario> scenarios() {
  const auto expire = [](TimerId t) { return Event{event::TimerExpired{t}}; };
  const auto advert = [](const char* src, int prio, int cs = 100) {
    return Event{event::AdvertReceived{advertFrom(src, prio, cs)}};
  };
  return {
      {"startup_as_backup_waits_master_down_interval",
       baseParams(),
       {{"start", event::Startup{}, atUs(0),
         {"INIT -> BACKUP (startup)", "arm master_down at 3609375us", "notify BACKUP"}},
        {"nobody there", expire(TimerId::MasterDown), atUs(3609375), kBackupToMasterAt3609375}}},

      {"owner_starts_as_master_at_once",
       with([](InstanceParams& p) { p.priority = 255; }),
       {{"start", event::Startup{}, atUs(0),
         {"INIT -> MASTER (startup)", "add_vips", "send_advert prio=255", "send_gratuitous x5",
          "arm garp_delay at 5000000us", "arm advert at 1000000us", "notify MASTER"}},
        {"advert tick", expire(TimerId::Advert), atS(1), {"send_advert prio=255", "arm advert at 2000000us"}},
        {"second garp burst", expire(TimerId::GarpDelay), atS(5), {"send_gratuitous x5"}}}},

      {"resume_goes_straight_to_master_and_advertises_at_once",
       baseParams(),
       {{"resume", event::Resume{}, atUs(250),
         {"INIT -> MASTER (resumed)", "add_vips", "send_advert prio=100", "send_gratuitous x5",
          "arm garp_delay at 5000250us", "arm advert at 1000250us", "notify MASTER"}},
        {"a second resume changes nothing", event::Resume{}, atUs(300), {}}}},

      {"resume_while_faulty_is_a_fault",
       baseParams(),
       {{"interface down", event::InterfaceChanged{false}, atUs(0), {}},
        {"resume", event::Resume{}, atUs(0), {"INIT -> FAULT (startup)", "notify FAULT"}}}},

      {"state_master_non_owner_listens_one_interval_plus_minimal_skew",
       with([](InstanceParams& p) { p.initialState = State::Master; }),
       {{"start", event::Startup{}, atUs(0),
         {"INIT -> BACKUP (startup)", "arm master_down at 1003906us", "notify BACKUP"}}}},

      {"master_failure_takeover_exactly_3_adv_plus_skew_after_last_advert",
       baseParams(),
       {{"start", event::Startup{}, atUs(0),
         {"INIT -> BACKUP (startup)", "arm master_down at 3609375us", "notify BACKUP"}},
        {"master advert", advert("10.0.0.2", 200), atUs(500000), {"arm master_down at 4109375us"}},
        {"stale expiry of the old deadline", expire(TimerId::MasterDown), atUs(3609375), {}},
        {"one microsecond early", expire(TimerId::MasterDown), atUs(4109374), {}},
        {"on time", expire(TimerId::MasterDown), atUs(4109375),
         {"BACKUP -> MASTER (master_down_timer)", "add_vips", "send_advert prio=100", "send_gratuitous x5",
          "arm garp_delay at 9109375us", "arm advert at 5109375us", "notify MASTER"}}}},

      {"priority_zero_makes_backup_take_over_after_skew_time",
       baseParams(),
       {{"start", event::Startup{}, atUs(0),
         {"INIT -> BACKUP (startup)", "arm master_down at 3609375us", "notify BACKUP"}},
        {"master advert", advert("10.0.0.2", 200), atUs(500000), {"arm master_down at 4109375us"}},
        {"master leaves", advert("10.0.0.2", 0), atS(1), {"arm master_down at 1609375us"}},
        {"skew elapsed", expire(TimerId::MasterDown), atUs(1609375),
         {"BACKUP -> MASTER (master_down_timer)", "add_vips", "send_advert prio=100", "send_gratuitous x5",
          "arm garp_delay at 6609375us", "arm advert at 2609375us", "notify MASTER"}}}},

      {"master_yields_to_higher_priority",
       baseParams(),
       {{"start", event::Startup{}, atUs(0),
         {"INIT -> BACKUP (startup)", "arm master_down at 3609375us", "notify BACKUP"}},
        {"take over", expire(TimerId::MasterDown), atUs(3609375), kBackupToMasterAt3609375},
        {"lower priority: answer, stay", advert("10.0.0.2", 50), atS(4), {"send_advert prio=100"}},
        {"priority 0: answer and reset the advert timer", advert("10.0.0.2", 0), atUs(4100000),
         {"send_advert prio=100", "arm advert at 5100000us"}},
        {"higher priority", advert("10.0.0.2", 150), atUs(4200000),
         {"MASTER -> BACKUP (higher_priority_advert)", "cancel advert", "cancel garp_delay", "remove_vips",
          "arm master_down at 7809375us", "notify BACKUP"}},
        {"old advert timer is dead", expire(TimerId::Advert), atUs(5100000), {}}}},

      {"preemption_higher_priority_backup_ignores_lower_master",
       with([](InstanceParams& p) { p.priority = 150; }),
       {{"start", event::Startup{}, atUs(0),
         {"INIT -> BACKUP (startup)", "arm master_down at 3414062us", "notify BACKUP"}},
        {"lower master", advert("10.0.0.2", 100), atS(1), {}},
        {"lower master", advert("10.0.0.2", 100), atS(2), {}},
        {"preempt", expire(TimerId::MasterDown), atUs(3414062),
         {"BACKUP -> MASTER (master_down_timer)", "add_vips", "send_advert prio=150", "send_gratuitous x5",
          "arm garp_delay at 8414062us", "arm advert at 4414062us", "notify MASTER"}}}},

      {"nopreempt_follows_a_lower_master",
       with([](InstanceParams& p) {
         p.priority = 150;
         p.preempt = false;
       }),
       {{"start", event::Startup{}, atUs(0),
         {"INIT -> BACKUP (startup)", "arm master_down at 3414062us", "notify BACKUP"}},
        {"lower master", advert("10.0.0.2", 100), atS(1), {"arm master_down at 4414062us"}},
        {"lower master", advert("10.0.0.2", 100), atS(2), {"arm master_down at 5414062us"}}}},

      {"v3_backup_learns_master_adver_interval",
       baseParams(),
       {{"start", event::Startup{}, atUs(0),
         {"INIT -> BACKUP (startup)", "arm master_down at 3609375us", "notify BACKUP"}},
        // 3 * 2 s + 156 * 200 cs / 256 = 6 s + 1218750 us
        {"slow master", advert("10.0.0.2", 200, 200), atS(1), {"arm master_down at 8218750us"}},
        {"prio 0: skew of the learned interval", advert("10.0.0.2", 0, 200), atS(2),
         {"arm master_down at 3218750us"}}}},

      {"fault_enter_and_exit",
       baseParams(),
       {{"start", event::Startup{}, atUs(0),
         {"INIT -> BACKUP (startup)", "arm master_down at 3609375us", "notify BACKUP"}},
        {"take over", expire(TimerId::MasterDown), atUs(3609375), kBackupToMasterAt3609375},
        {"link down", event::InterfaceChanged{false}, atS(4),
         {"MASTER -> FAULT (fault_set)", "cancel advert", "cancel garp_delay", "send_advert prio=0", "remove_vips",
          "notify FAULT"}},
        {"adverts ignored in fault", advert("10.0.0.2", 200), atS(5), {}},
        {"track script fails too", event::FaultChanged{true}, atS(6), {}},
        {"link up, script still failed", event::InterfaceChanged{true}, atS(7), {}},
        {"script recovers", event::FaultChanged{false}, atS(8),
         {"FAULT -> BACKUP (fault_cleared)", "arm master_down at 11609375us", "notify BACKUP"}}}},

      {"owner_leaves_fault_as_master",
       with([](InstanceParams& p) { p.priority = 255; }),
       {{"start while link down", event::InterfaceChanged{false}, atUs(0), {}},
        {"start", event::Startup{}, atUs(0), {"INIT -> FAULT (startup)", "notify FAULT"}},
        {"link up", event::InterfaceChanged{true}, atS(1),
         {"FAULT -> MASTER (fault_cleared)", "add_vips", "send_advert prio=255", "send_gratuitous x5",
          "arm garp_delay at 6000000us", "arm advert at 2000000us", "notify MASTER"}}}},

      {"shutdown_as_master_sends_priority_zero",
       baseParams(),
       {{"start", event::Startup{}, atUs(0),
         {"INIT -> BACKUP (startup)", "arm master_down at 3609375us", "notify BACKUP"}},
        {"take over", expire(TimerId::MasterDown), atUs(3609375), kBackupToMasterAt3609375},
        {"stop", event::Shutdown{}, atS(4),
         {"MASTER -> INIT (shutdown)", "cancel advert", "cancel garp_delay", "send_advert prio=0", "remove_vips",
          "notify INIT"}},
        {"stopped instance ignores adverts", advert("10.0.0.2", 200), atS(5), {}}}},

      {"shutdown_as_backup_is_silent",
       baseParams(),
       {{"start", event::Startup{}, atUs(0),
         {"INIT -> BACKUP (startup)", "arm master_down at 3609375us", "notify BACKUP"}},
        {"stop", event::Shutdown{}, atS(1), {"BACKUP -> INIT (shutdown)", "cancel master_down", "notify INIT"}}}},
  };
}

TEST(VrrpStateMachineScenarios, Rfc5798Walkthroughs) {
  for (const auto& scenario : scenarios()) {
    Sim sim(scenario.params);
    for (const auto& step : scenario.steps)
      EXPECT_EQ(sim.on(step.event, step.at), step.expected) << scenario.name << ": " << step.what;
  }
}

TEST(VrrpStateMachineTiming, SkewAndMasterDownMatchKeepalivedMicroseconds) {
  EXPECT_EQ(skewTime(Version::V3, 100, Centiseconds{100}), Duration{609375});
  EXPECT_EQ(skewTime(Version::V3, 200, Centiseconds{50}), Duration{109375});
  EXPECT_EQ(skewTime(Version::V3, 254, Centiseconds{100}), Duration{7812});
  // RFC 3768: v2 skew ignores the interval.
  EXPECT_EQ(skewTime(Version::V2, 100, Centiseconds{300}), Duration{609375});
  EXPECT_EQ(skewTime(Version::V2, 200, Centiseconds{100}), Duration{218750});
  EXPECT_EQ(minimalSkewTime(Version::V3, Centiseconds{100}), Duration{3906});
  EXPECT_EQ(masterDownInterval(Version::V3, 100, Centiseconds{100}), Duration{3609375});
  EXPECT_EQ(masterDownInterval(Version::V2, 100, Centiseconds{300}), Duration{9609375});
  EXPECT_EQ(masterDownInterval(Version::V3, 100, Centiseconds{100}, 5), Duration{5609375});
}

// Both sides become master after start (neither heard the other yet); the lower address must yield.
TEST(VrrpStateMachine, EqualPriorityTieIsBrokenByHigherAddress) {
  for (const auto& [peer, peerWins] : {std::pair{"10.0.0.9", true}, std::pair{"10.0.0.2", false}}) {
    InstanceParams p = baseParams();
    p.ownAddress = ip("10.0.0.5");
    Sim sim(p);
    sim.start();
    sim.fireDue(TimerId::MasterDown);
    sim.receive(advertFrom(peer, 100), atS(4));
    EXPECT_EQ(sim.instance().state(), peerWins ? State::Backup : State::Master) << peer;
  }
}

TEST(VrrpStateMachine, MasterRepliesToLowerPriorityUnlessLowerPrioNoAdvert) {
  InstanceParams p = baseParams();
  p.lowerPrioNoAdvert = true;
  Sim sim(p);
  sim.start();
  sim.fireDue(TimerId::MasterDown);
  EXPECT_EQ(sim.receive(advertFrom("10.0.0.2", 50), atS(4)), Lines{});
}

TEST(VrrpStateMachine, HigherPrioSendAdvertAnnouncesBeforeYielding) {
  InstanceParams p = baseParams();
  p.higherPrioSendAdvert = true;
  Sim sim(p);
  sim.start();
  sim.fireDue(TimerId::MasterDown);
  const Lines lines = sim.receive(advertFrom("10.0.0.2", 150), atS(4));
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0], "send_advert prio=100");
  EXPECT_EQ(lines[1], "MASTER -> BACKUP (higher_priority_advert)");
}

TEST(VrrpStateMachine, PreemptDelayHoldsOffTakeoverThenPreempts) {
  InstanceParams p = baseParams();
  p.priority = 150;  // Master_Down_Interval 3414062 us
  p.preemptDelay = std::chrono::seconds{10};
  Sim sim(p);
  sim.start();
  EXPECT_EQ(sim.receive(advertFrom("10.0.0.2", 100), atS(1)),
            (Lines{"arm preempt_delay at 11000000us", "arm master_down at 4414062us"}));
  for (int s = 2; s <= 10; ++s)
    EXPECT_EQ(sim.receive(advertFrom("10.0.0.2", 100), atS(s)),
              Lines{"arm master_down at " + std::to_string(s * 1'000'000 + 3414062) + "us"});
  EXPECT_EQ(sim.fireDue(TimerId::PreemptDelay), Lines{});
  EXPECT_EQ(sim.receive(advertFrom("10.0.0.2", 100), atS(11)), Lines{});  // now ignored
  EXPECT_EQ(sim.instance().deadline(TimerId::MasterDown), atUs(13414062));
  EXPECT_EQ(sim.advanceTo(atUs(13414062)).front(), "BACKUP -> MASTER (master_down_timer)");
}

TEST(VrrpStateMachine, PreemptDelayStopsWhenAHigherMasterAppears) {
  InstanceParams p = baseParams();
  p.priority = 150;
  p.preemptDelay = std::chrono::seconds{10};
  Sim sim(p);
  sim.start();
  sim.receive(advertFrom("10.0.0.2", 100), atS(1));
  EXPECT_EQ(sim.receive(advertFrom("10.0.0.3", 200), atS(2)),
            (Lines{"cancel preempt_delay", "arm master_down at 5414062us"}));
  EXPECT_FALSE(sim.instance().deadline(TimerId::PreemptDelay));
}

TEST(VrrpStateMachine, V2IntervalMismatchIsDroppedAndCounted) {
  InstanceParams p = baseParams();
  p.version = Version::V2;
  Sim sim(p);
  sim.start();
  EXPECT_EQ(sim.receive(advertFrom("10.0.0.2", 200, 200, Version::V2), atS(1)), Lines{});
  EXPECT_EQ(sim.instance().counters().dropped(AcceptReason::IntervalMismatch), 1u);
  EXPECT_EQ(sim.receive(advertFrom("10.0.0.2", 200, 100, Version::V2), atS(1)),
            Lines{"arm master_down at 4609375us"});
  EXPECT_EQ(sim.instance().masterAdverInterval(), Centiseconds{100});
}

TEST(VrrpStateMachine, EffectivePriorityIsClampedAndOwnerNeverMoves) {
  Sim sim(baseParams());
  sim.on(event::PriorityChanged{300}, atS(0));
  EXPECT_EQ(sim.instance().effectivePriority(), 254);
  sim.on(event::PriorityChanged{-20}, atS(0));
  EXPECT_EQ(sim.instance().effectivePriority(), 1);

  InstanceParams owner = baseParams();
  owner.priority = 255;
  Sim ownerSim(owner);
  ownerSim.on(event::PriorityChanged{90}, atS(0));
  EXPECT_EQ(ownerSim.instance().effectivePriority(), 255);
}

TEST(VrrpStateMachine, MasterAdvertisesItsNewEffectivePriority) {
  Sim sim(baseParams());
  sim.start();
  sim.fireDue(TimerId::MasterDown);
  sim.on(event::PriorityChanged{80}, atS(4));
  EXPECT_EQ(sim.fireDue(TimerId::Advert).front(), "send_advert prio=80");
}

// The timer adapter may fire a MASTER's advert up to 1/64 of the interval early, to send many instances' adverts
// together: it is sent, and the next one stays due a whole interval after the one it replaced.
TEST(VrrpStateMachine, AdvertMayLeaveUpToOneSixtyFourthEarlyWithoutShorteningTheInterval) {
  Sim sim(baseParams());  // advert_int 1 s: 15625 us allowed
  sim.start();
  sim.fireDue(TimerId::MasterDown);
  const TimePoint due = sim.instance().deadline(TimerId::Advert).value();
  EXPECT_EQ(sim.fire(TimerId::Advert, due - Duration{15626}), std::vector<std::string>{});  // too early: ignored
  EXPECT_EQ(sim.instance().deadline(TimerId::Advert), due);
  const auto sent = sim.fire(TimerId::Advert, due - Duration{15625});
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.front(), "send_advert prio=100");
  EXPECT_EQ(sim.instance().deadline(TimerId::Advert), due + std::chrono::seconds{1});
  // Late, it counts from when it went: never two adverts closer than an interval less the allowance.
  const TimePoint next = *sim.instance().deadline(TimerId::Advert);
  sim.fire(TimerId::Advert, next + std::chrono::milliseconds{200});
  EXPECT_EQ(sim.instance().deadline(TimerId::Advert), next + std::chrono::milliseconds{1200});
  // Only the advert: a backup's master-down timer fired a microsecond early changes nothing.
  Sim backup(baseParams());
  backup.start();
  const TimePoint down = backup.instance().deadline(TimerId::MasterDown).value();
  EXPECT_EQ(backup.fire(TimerId::MasterDown, down - Duration{1}), std::vector<std::string>{});
  EXPECT_EQ(backup.instance().state(), State::Backup);
}

TEST(VrrpStateMachine, DecodeFailuresAndRejectionsAreCountedByReason) {
  Sim sim(baseParams());
  sim.start();
  sim.on(event::DecodeFailed{DecodeError::BadChecksum}, atS(1));
  sim.on(event::DecodeFailed{DecodeError::BadChecksum}, atS(1));
  DecodedAdvert wrongVrid = advertFrom("10.0.0.2", 200);
  wrongVrid.advert.vrid = 52;
  EXPECT_EQ(sim.receive(wrongVrid, atS(1)), Lines{});
  EXPECT_EQ(sim.receive(advertFrom("10.0.0.1", 200), atS(1)), Lines{});  // our own address
  const Counters& c = sim.instance().counters();
  EXPECT_EQ(c.dropped(DecodeError::BadChecksum), 2u);
  EXPECT_EQ(c.dropped(AcceptReason::VridMismatch), 1u);
  EXPECT_EQ(c.dropped(AcceptReason::FromOwnAddress), 1u);
  EXPECT_EQ(c.advertsReceived, 0u);
}

TEST(VrrpStateMachine, CountersFollowTheElection) {
  Sim sim(baseParams());
  sim.start();
  sim.fireDue(TimerId::MasterDown);  // sends 1
  sim.fireDue(TimerId::Advert);      // sends 2
  sim.receive(advertFrom("10.0.0.2", 0), atUs(4700000));  // answers: sends 3
  sim.receive(advertFrom("10.0.0.2", 200), atS(5));        // yields
  sim.on(event::Shutdown{}, atS(6));
  const Counters& c = sim.instance().counters();
  EXPECT_EQ(c.advertsSent, 3u);
  EXPECT_EQ(c.advertsReceived, 2u);
  EXPECT_EQ(c.priorityZeroReceived, 1u);
  EXPECT_EQ(c.priorityZeroSent, 0u);
  EXPECT_EQ(c.becameMaster, 1u);
  EXPECT_EQ(c.releasedMaster, 1u);
  EXPECT_EQ(c.transitions, 4u);  // INIT->BACKUP->MASTER->BACKUP->INIT
}

TEST(VrrpStateMachine, SkipCheckAdvAddrOnlyTrustsTheKnownMaster) {
  InstanceParams p = baseParams();
  p.skipCheckAdvAddr = true;
  Sim sim(p);
  sim.start();
  DecodedAdvert odd = advertFrom("10.0.0.2", 200);
  odd.advert.addresses = {ip("10.9.9.9")};
  EXPECT_EQ(sim.receive(odd, atS(1)), Lines{});  // new master: checked, rejected
  EXPECT_EQ(sim.receive(advertFrom("10.0.0.2", 200), atS(1)), Lines{"arm master_down at 4609375us"});
  EXPECT_EQ(sim.receive(odd, atS(2)), Lines{"arm master_down at 5609375us"});  // known master: not checked
  EXPECT_EQ(sim.instance().counters().dropped(AcceptReason::AddressListMismatch), 1u);
}

TEST(VrrpStateMachine, AhSequenceNumbersMustIncreasePerSender) {
  Sim sim(baseParams());
  sim.start();
  auto seq = [](std::uint32_t n) {
    DecodedAdvert d = advertFrom("10.0.0.2", 200);
    d.ahSequence = n;
    return d;
  };
  EXPECT_EQ(sim.receive(seq(5), atS(1)).size(), 1u);
  EXPECT_EQ(sim.receive(seq(5), atS(2)), Lines{});
  EXPECT_EQ(sim.receive(seq(4), atS(2)), Lines{});
  EXPECT_EQ(sim.receive(seq(6), atS(3)).size(), 1u);
  EXPECT_EQ(sim.instance().counters().dropped(AcceptReason::AhReplay), 2u);
  // A sender silent for longer than Master_Down_Interval has restarted: its counter starts again.
  sim.on(event::Shutdown{}, atS(4));
  sim.start(atS(10));
  EXPECT_EQ(sim.receive(seq(1), atS(11)).size(), 1u);
}

}  // namespace
}  // namespace tandem::vrrp

namespace tandem::vrrp::test {
namespace {

TEST(VrrpStateMachine, StateMasterHearingALowerMasterWaitsTheFullMasterDownInterval) {
  InstanceParams p = baseParams();
  p.priority = 150;  // Master_Down_Interval 3414062 us
  p.initialState = State::Master;
  Sim sim(p);
  sim.start();
  const auto shortWait = sim.instance().deadline(TimerId::MasterDown).value();
  EXPECT_LT(shortWait, atS(2)) << "a silent segment is taken over after about one interval";
  EXPECT_EQ(sim.receive(advertFrom("10.0.0.2", 100), atUs(500'000)), Lines{"arm master_down at 3414062us"});
  EXPECT_EQ(sim.receive(advertFrom("10.0.0.2", 100), atUs(1'500'000)), Lines{}) << "lower priority: ignored";
  EXPECT_EQ(sim.advanceTo(atUs(3414061)), Lines{});
  EXPECT_EQ(sim.advanceTo(atUs(3414062)).front(), "BACKUP -> MASTER (master_down_timer)");
}

TEST(VrrpStateMachine, StateMasterOnASilentSegmentTakesOverAfterOneInterval) {
  InstanceParams p = baseParams();
  p.priority = 150;
  p.initialState = State::Master;
  Sim sim(p);
  sim.start();
  const auto lines = sim.advanceTo(atS(2));
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), "BACKUP -> MASTER (master_down_timer)");
  EXPECT_LT(sim.instance().counters().becameMaster, 2u);
}

}  // namespace
}  // namespace tandem::vrrp::test
