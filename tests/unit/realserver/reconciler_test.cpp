#include "realserver/reconciler.h"

#include <gtest/gtest.h>

namespace tandem::realserver {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

// Every wanted setting with the same current value (a fresh system has 0 everywhere).
Observed freshSystem(const Desired& setup, std::vector<IpAddress> loAddresses = {ip("127.0.0.1"), ip("::1")}) {
  Observed o;
  o.loAddresses = std::move(loAddresses);
  for (const auto& [key, value] : wantedSysctls(setup)) o.sysctls[key] = "0";
  return o;
}

// The system after the actions were carried out.
void carryOut(Observed& o, const std::vector<Action>& actions) {
  for (const Action& a : actions) {
    switch (a.kind) {
      case Action::Kind::SetSysctl: o.sysctls[a.sysctl] = a.value; break;
      case Action::Kind::AddVip: o.loAddresses.push_back(a.vip); break;
      case Action::Kind::RemoveVip: std::erase(o.loAddresses, a.vip); break;
      case Action::Kind::Leave: break;
    }
  }
}

std::vector<std::string> lines(const std::vector<Action>& actions) {
  std::vector<std::string> out;
  for (const Action& a : actions) out.push_back(a.describe());
  return out;
}

Desired twoVips() {
  Desired s;
  s.vips = {ip("10.0.0.100"), ip("2001:db8::100")};
  return s;
}

TEST(RealServerSysctls, LoAllAndEachOutwardInterfaceOnceNoneWithoutArpSuppression) {
  Desired s = twoVips();
  s.interfaces = {"eth0", "lo", "eth0.100"};
  const auto wanted = wantedSysctls(s);
  ASSERT_EQ(wanted.size(), 8u);
  EXPECT_EQ(wanted[0].first.name(), "net.ipv4.conf.lo.arp_ignore");
  EXPECT_EQ(wanted[0].second, "1");
  EXPECT_EQ(wanted[3].first.name(), "net.ipv4.conf.all.arp_announce");
  EXPECT_EQ(wanted[3].second, "2");
  EXPECT_EQ(wanted[6].first.name(), "net.ipv4.conf.eth0/100.arp_ignore");
  EXPECT_EQ(wanted[6].first.path(), "net/ipv4/conf/eth0.100/arp_ignore");
  s.arpSuppression = false;
  EXPECT_TRUE(wantedSysctls(s).empty());
}

TEST(RealServerReconciler, StartSetsSysctlsBeforeBindingVips) {
  Reconciler r(twoVips());
  const auto actions = r.start(freshSystem(r.desired()));
  EXPECT_EQ(lines(actions), (std::vector<std::string>{
                                "setting net.ipv4.conf.lo.arp_ignore = 1 (was 0)",
                                "setting net.ipv4.conf.lo.arp_announce = 2 (was 0)",
                                "setting net.ipv4.conf.all.arp_ignore = 1 (was 0)",
                                "setting net.ipv4.conf.all.arp_announce = 2 (was 0)",
                                "adding 10.0.0.100/32 to lo (missing)",
                                "adding 2001:db8::100/128 to lo (missing)",
                            }));
}

TEST(RealServerReconciler, NothingToDoWhenTheSystemIsAsWanted) {
  Reconciler r(twoVips());
  Observed o = freshSystem(r.desired());
  carryOut(o, r.start(o));
  EXPECT_TRUE(r.reconcile(o).empty());
}

TEST(RealServerReconciler, AVipThatDisappearsIsPutBack) {
  Reconciler r(twoVips());
  Observed o = freshSystem(r.desired());
  carryOut(o, r.start(o));
  std::erase(o.loAddresses, ip("2001:db8::100"));
  EXPECT_EQ(lines(r.reconcile(o)), std::vector<std::string>{"adding 2001:db8::100/128 to lo (it disappeared)"});
}

TEST(RealServerReconciler, ASettingResetByANetworkRestartIsSetAgainAndTheFirstValueIsRestoredOnStop) {
  Reconciler r(twoVips());
  Observed o = freshSystem(r.desired());
  o.sysctls[{"all", "arp_ignore"}] = "2";  // the operator's value before the helper
  carryOut(o, r.start(o));
  o.sysctls[{"all", "arp_ignore"}] = "0";  // something reset it
  EXPECT_EQ(lines(r.reconcile(o)),
            std::vector<std::string>{"setting net.ipv4.conf.all.arp_ignore = 1 (reset to 0 since)"});
  carryOut(o, r.reconcile(o));
  const auto undo = r.stop(o);
  EXPECT_EQ(lines(undo), (std::vector<std::string>{
                             "removing 10.0.0.100/32 from lo (added by the helper)",
                             "removing 2001:db8::100/128 from lo (added by the helper)",
                             "setting net.ipv4.conf.all.arp_announce = 0 (restoring)",
                             "setting net.ipv4.conf.all.arp_ignore = 2 (restoring)",
                             "setting net.ipv4.conf.lo.arp_announce = 0 (restoring)",
                             "setting net.ipv4.conf.lo.arp_ignore = 0 (restoring)",
                         }));
}

TEST(RealServerReconciler, StopUndoesOnlyWhatTheHelperDid) {
  Desired s = twoVips();
  Reconciler r(s);
  Observed o = freshSystem(s, {ip("127.0.0.1"), ip("10.0.0.100")});  // the old shell script already bound it
  o.sysctls[{"lo", "arp_ignore"}] = "1";                              // and set this one
  const auto started = r.start(o);
  EXPECT_EQ(lines(started).front(), "10.0.0.100/32 is already on lo: kept, and left there on exit");
  carryOut(o, started);
  std::erase(o.loAddresses, ip("10.0.0.100"));
  carryOut(o, r.reconcile(o));  // put back: still not the helper's to remove
  const auto undo = lines(r.stop(o));
  EXPECT_EQ(undo, (std::vector<std::string>{
                      "leaving 10.0.0.100/32 on lo: it was there before the helper started",
                      "removing 2001:db8::100/128 from lo (added by the helper)",
                      "setting net.ipv4.conf.all.arp_announce = 0 (restoring)",
                      "setting net.ipv4.conf.all.arp_ignore = 0 (restoring)",
                      "setting net.ipv4.conf.lo.arp_announce = 0 (restoring)",
                  }));
}

TEST(RealServerReconciler, ASettingChangedBySomeoneElseIsLeftAndAVipAlreadyGoneIsNotRemoved) {
  Reconciler r(twoVips());
  Observed o = freshSystem(r.desired());
  carryOut(o, r.start(o));
  o.sysctls[{"lo", "arp_announce"}] = "1";
  std::erase(o.loAddresses, ip("10.0.0.100"));
  const auto undo = lines(r.stop(o));
  EXPECT_EQ(undo.size(), 5u);
  EXPECT_EQ(undo[0], "removing 2001:db8::100/128 from lo (added by the helper)");
  EXPECT_EQ(undo[3], "leaving net.ipv4.conf.lo.arp_announce = 1: changed by someone else since");
}

TEST(RealServerReconciler, KeepOnExitChangesNothing) {
  Desired s = twoVips();
  s.keepOnExit = true;
  Reconciler r(s);
  Observed o = freshSystem(s);
  carryOut(o, r.start(o));
  const auto undo = r.stop(o);
  ASSERT_EQ(undo.size(), 1u);
  EXPECT_EQ(undo[0].kind, Action::Kind::Leave);
}

TEST(RealServerReconciler, AnInterfaceThatAppearsLaterGetsItsSettings) {
  Desired s = twoVips();
  s.interfaces = {"eth1"};
  Reconciler r(s);
  Observed o = freshSystem(s);
  o.sysctls[{"eth1", "arp_ignore"}] = std::nullopt;
  o.sysctls[{"eth1", "arp_announce"}] = std::nullopt;
  const auto started = r.start(o);
  ASSERT_EQ(started.size(), 8u);  // lo and all, two VIPs, and a word about each setting of eth1
  EXPECT_EQ(started[4].describe(),
            "cannot read net.ipv4.conf.eth1.arp_ignore (no interface eth1?): set when it appears");
  carryOut(o, started);
  EXPECT_TRUE(r.reconcile(o).empty());  // said once
  o.sysctls[{"eth1", "arp_ignore"}] = "0";
  o.sysctls[{"eth1", "arp_announce"}] = "0";
  EXPECT_EQ(lines(r.reconcile(o)), (std::vector<std::string>{"setting net.ipv4.conf.eth1.arp_ignore = 1 (was 0)",
                                                           "setting net.ipv4.conf.eth1.arp_announce = 2 (was 0)"}));
  carryOut(o, r.reconcile(o));
  o.sysctls[{"eth1", "arp_ignore"}] = std::nullopt;  // the interface went away: nothing to restore there
  const auto undo = lines(r.stop(o));
  EXPECT_EQ(std::count_if(undo.begin(), undo.end(), [](const std::string& l) { return l.find("eth1") != std::string::npos; }), 1);
}

TEST(RealServerReconciler, ReconfigureUndoesWhatIsNoLongerWantedAndAddsWhatIsNew) {
  Desired s = twoVips();
  s.interfaces = {"eth0"};
  Reconciler r(s);
  Observed o = freshSystem(s);
  carryOut(o, r.start(o));
  Desired next;
  next.vips = {ip("10.0.0.100"), ip("10.0.0.101")};
  const auto actions = lines(r.reconfigure(next, o));
  EXPECT_EQ(actions, (std::vector<std::string>{
                         "removing 2001:db8::100/128 from lo (added by the helper)",
                         "setting net.ipv4.conf.eth0.arp_announce = 0 (restoring)",
                         "setting net.ipv4.conf.eth0.arp_ignore = 0 (restoring)",
                         "adding 10.0.0.101/32 to lo (new in the configuration)",
                     }));
  EXPECT_EQ(r.sysctlsOfInterest().size(), 4u);
}

TEST(RealServerReconciler, ReconfigureWithoutArpSuppressionRestoresEverySetting) {
  Reconciler r(twoVips());
  Observed o = freshSystem(r.desired());
  carryOut(o, r.start(o));
  Desired next = twoVips();
  next.arpSuppression = false;
  const auto actions = r.reconfigure(next, o);
  EXPECT_EQ(actions.size(), 4u);
  for (const Action& a : actions) EXPECT_EQ(a.kind, Action::Kind::SetSysctl);
  carryOut(o, actions);
  EXPECT_TRUE(r.stop(o).size() == 2u);  // the two VIPs
}

}  // namespace
}  // namespace tandem::realserver
