#include "ipvs/wanted.h"

#include <gtest/gtest.h>

#include "tests/unit/ipvs/ipvs_test_support.h"

namespace tandem::ipvs {
namespace {

using test::dest;
using test::tcpService;

RealServerState real(std::string_view rip, std::uint32_t weight, bool up, bool inhibit = false) {
  RealServerState state;
  state.destination = dest(rip, 80, weight);
  state.up = up;
  state.inhibitOnFailure = inhibit;
  return state;
}

VirtualServerState webWith(std::vector<RealServerState> reals) {
  VirtualServerState state;
  state.service = tcpService("192.0.2.1", 80);
  state.realServers = std::move(reals);
  return state;
}

SorryServer sorry(bool inhibit = false) { return SorryServer{dest("10.9.9.9", 80, 1, ForwardingMethod::Nat), inhibit}; }

std::string planFor(const Table& current, const VirtualServerState& state) {
  return describe(plan(current, wantedTable({state})));
}

TEST(IpvsWanted, UpServersCarryTheirEffectiveWeightDownServersAreRemoved) {
  VirtualServerState state = webWith({real("10.0.0.1", 3, true), real("10.0.0.2", 1, false), real("10.0.0.3", 1, true)});
  state.realServers[2].dynamicWeight = 17;  // misc_dynamic overrides the configured weight

  EXPECT_EQ(describe(plan(Table{}, wantedTable({state}))),
            "-A -t 192.0.2.1:80 -s rr\n"
            "-a -t 192.0.2.1:80 -r 10.0.0.1:80 -g -w 3\n"
            "-a -t 192.0.2.1:80 -r 10.0.0.3:80 -g -w 17\n");
  EXPECT_EQ(liveWeight(state), 20U);
}

TEST(IpvsWanted, GoingDownRemovesAndComingBackAdds) {
  VirtualServerState state = webWith({real("10.0.0.1", 1, true), real("10.0.0.2", 1, true)});
  const Table before = wantedTable({state});
  state.realServers[1].up = false;
  EXPECT_EQ(planFor(before, state), "-d -t 192.0.2.1:80 -r 10.0.0.2:80\n");

  const Table down = wantedTable({state});
  state.realServers[1].up = true;
  EXPECT_EQ(planFor(down, state), "-a -t 192.0.2.1:80 -r 10.0.0.2:80 -g -w 1\n");
}

TEST(IpvsWanted, InhibitOnFailureSetsWeightZeroInsteadOfRemoving) {
  VirtualServerState state = webWith({real("10.0.0.1", 1, true), real("10.0.0.2", 4, true, true)});
  const Table before = wantedTable({state});
  state.realServers[1].up = false;
  EXPECT_EQ(planFor(before, state), "-e -t 192.0.2.1:80 -r 10.0.0.2:80 -g -w 0\n");

  const Table inhibited = wantedTable({state});
  state.realServers[1].up = true;
  EXPECT_EQ(planFor(inhibited, state), "-e -t 192.0.2.1:80 -r 10.0.0.2:80 -g -w 4\n");
}

TEST(IpvsWanted, AnInhibitedServerThatStartsDownIsAddedAtWeightZero) {
  const VirtualServerState state = webWith({real("10.0.0.2", 4, false, true)});
  EXPECT_EQ(planFor(Table{}, state),
            "-A -t 192.0.2.1:80 -s rr\n"
            "-a -t 192.0.2.1:80 -r 10.0.0.2:80 -g -w 0\n");
}

TEST(IpvsWanted, SorryServerReplacesTheRealServersWhileQuorumIsLost) {
  VirtualServerState state = webWith({real("10.0.0.1", 1, true), real("10.0.0.2", 1, true, true)});
  state.sorryServer = sorry();
  const Table healthy = wantedTable({state});
  EXPECT_EQ(healthy.find(state.service.key)->destinations.size(), 2U);

  // Quorum lost: the sorry server goes in; even an up real server leaves the pool, inhibited ones go to 0.
  state.realServers[0].up = false;
  state.quorumUp = false;
  EXPECT_EQ(planFor(healthy, state),
            "-a -t 192.0.2.1:80 -r 10.9.9.9:80 -m -w 1\n"
            "-e -t 192.0.2.1:80 -r 10.0.0.2:80 -g -w 0\n"
            "-d -t 192.0.2.1:80 -r 10.0.0.1:80\n");

  // A real server coming up does not enter the pool until the quorum is back.
  const Table sorryOnly = wantedTable({state});
  state.realServers[0].up = true;
  EXPECT_EQ(planFor(sorryOnly, state), "");

  state.quorumUp = true;
  EXPECT_EQ(planFor(sorryOnly, state),
            "-a -t 192.0.2.1:80 -r 10.0.0.1:80 -g -w 1\n"
            "-e -t 192.0.2.1:80 -r 10.0.0.2:80 -g -w 1\n"
            "-d -t 192.0.2.1:80 -r 10.9.9.9:80\n");
}

TEST(IpvsWanted, SorryServerInhibitKeepsItAtWeightZeroWhileIdle) {
  VirtualServerState state = webWith({real("10.0.0.1", 1, true)});
  state.sorryServer = sorry(true);
  const Table idle = wantedTable({state});
  EXPECT_EQ(planFor(Table{}, state),
            "-A -t 192.0.2.1:80 -s rr\n"
            "-a -t 192.0.2.1:80 -r 10.0.0.1:80 -g -w 1\n"
            "-a -t 192.0.2.1:80 -r 10.9.9.9:80 -m -w 0\n");

  state.realServers[0].up = false;
  state.quorumUp = false;
  EXPECT_EQ(planFor(idle, state),
            "-e -t 192.0.2.1:80 -r 10.9.9.9:80 -m -w 1\n"
            "-d -t 192.0.2.1:80 -r 10.0.0.1:80\n");
}

TEST(IpvsWanted, SorryServerSharingARealServerAddressWinsOnlyWhenActive) {
  VirtualServerState state = webWith({real("10.9.9.9", 5, true)});
  state.sorryServer = sorry(true);
  EXPECT_EQ(wantedTable({state}).find(state.service.key)->destinations.begin()->second.weight, 5U);
  state.quorumUp = false;
  const Table table = wantedTable({state});
  const auto& active = table.find(state.service.key)->destinations;
  ASSERT_EQ(active.size(), 1U);
  EXPECT_EQ(active.begin()->second.weight, 1U);
  EXPECT_EQ(active.begin()->second.method, ForwardingMethod::Nat);
}

TEST(IpvsWanted, LostQuorumWithoutSorryServerChangesNothingInThePool) {
  VirtualServerState state = webWith({real("10.0.0.1", 1, true)});
  const Table before = wantedTable({state});
  state.quorumUp = false;
  EXPECT_EQ(planFor(before, state), "");
}

TEST(IpvsQuorum, GainAndLossHonourHysteresis) {
  QuorumTracker tracker(QuorumSettings{4, 1});
  EXPECT_FALSE(tracker.start(4, false).has_value());  // 4 < 4 + 1: starts down, silently without a sorry server
  EXPECT_FALSE(tracker.up());
  EXPECT_EQ(tracker.threshold(), 5);

  EXPECT_FALSE(tracker.update(4).has_value());
  EXPECT_EQ(tracker.update(5), QuorumEvent::Gained);
  EXPECT_EQ(tracker.threshold(), 3);
  EXPECT_FALSE(tracker.update(3).has_value());  // inside the band: stays up
  EXPECT_FALSE(tracker.update(4).has_value());
  EXPECT_EQ(tracker.update(2), QuorumEvent::Lost);
  EXPECT_FALSE(tracker.update(4).has_value());  // inside the band: stays down
  EXPECT_FALSE(tracker.update(2).has_value());
  EXPECT_EQ(tracker.update(6), QuorumEvent::Gained);
}

TEST(IpvsQuorum, StartingDownReportsLossOnlyWithASorryServer) {
  QuorumTracker withSorry;
  EXPECT_EQ(withSorry.start(0, true), QuorumEvent::Lost);
  QuorumTracker up;
  EXPECT_FALSE(up.start(1, true).has_value());
  EXPECT_TRUE(up.up());
}

TEST(IpvsQuorum, NoLiveWeightLosesQuorumEvenWhenTheBandReachesZero) {
  QuorumTracker tracker(QuorumSettings{1, 1});
  tracker.start(2, false);
  ASSERT_TRUE(tracker.up());
  EXPECT_FALSE(tracker.update(1).has_value());
  EXPECT_EQ(tracker.update(0), QuorumEvent::Lost);
}

TEST(IpvsQuorum, DrivesTheSorryServerThroughLossAndRecovery) {
  // quorum 2, hysteresis 1: three servers of weight 1; losing two drops below 1, the third coming back is not
  // enough (needs 3), all three back regains it.
  VirtualServerState state =
      webWith({real("10.0.0.1", 1, true), real("10.0.0.2", 1, true), real("10.0.0.3", 1, true)});
  state.sorryServer = sorry();
  QuorumTracker tracker(QuorumSettings{2, 1});
  ASSERT_FALSE(tracker.start(liveWeight(state), true).has_value());
  state.quorumUp = tracker.up();
  Table kernel = wantedTable({state});

  auto step = [&](std::size_t index, bool up) {
    state.realServers[index].up = up;
    const auto event = tracker.update(liveWeight(state));
    state.quorumUp = tracker.up();
    const Table next = wantedTable({state});
    const std::string text = describe(plan(kernel, next));
    kernel = next;
    return std::pair{event, text};
  };

  EXPECT_EQ(step(0, false), std::pair(std::optional<QuorumEvent>{}, std::string("-d -t 192.0.2.1:80 -r 10.0.0.1:80\n")));
  EXPECT_EQ(step(1, false), std::pair(std::optional<QuorumEvent>{}, std::string("-d -t 192.0.2.1:80 -r 10.0.0.2:80\n")));
  EXPECT_EQ(step(2, false), std::pair(std::optional(QuorumEvent::Lost),
                                      std::string("-a -t 192.0.2.1:80 -r 10.9.9.9:80 -m -w 1\n"
                                                  "-d -t 192.0.2.1:80 -r 10.0.0.3:80\n")));
  EXPECT_EQ(step(0, true), std::pair(std::optional<QuorumEvent>{}, std::string()));
  EXPECT_EQ(step(1, true), std::pair(std::optional<QuorumEvent>{}, std::string()));
  EXPECT_EQ(step(2, true), std::pair(std::optional(QuorumEvent::Gained),
                                     std::string("-a -t 192.0.2.1:80 -r 10.0.0.1:80 -g -w 1\n"
                                                 "-a -t 192.0.2.1:80 -r 10.0.0.2:80 -g -w 1\n"
                                                 "-a -t 192.0.2.1:80 -r 10.0.0.3:80 -g -w 1\n"
                                                 "-d -t 192.0.2.1:80 -r 10.9.9.9:80\n")));
}

TEST(IpvsWanted, OmegaNotifiesLiveServersAndQuorumOnShutdown) {
  VirtualServerState omega = webWith({real("10.0.0.1", 1, true), real("10.0.0.2", 1, false)});
  omega.omega = true;
  VirtualServerState quiet = webWith({real("10.0.0.3", 1, true)});
  quiet.service = tcpService("192.0.2.2", 80);

  const auto events = shutdownEvents({omega, quiet});
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].kind, ShutdownEvent::Kind::RealServerDown);
  EXPECT_EQ(events[0].realServer->address, address("10.0.0.1"));
  EXPECT_EQ(events[1].kind, ShutdownEvent::Kind::QuorumDown);
  EXPECT_EQ(events[1].service, omega.service.key);

  omega.sorryServer = sorry();
  omega.quorumUp = false;
  EXPECT_EQ(shutdownEvents({omega}).size(), 1U);  // displaced real servers are not notified again
}

}  // namespace
}  // namespace tandem::ipvs
