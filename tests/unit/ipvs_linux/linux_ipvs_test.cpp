// LinuxIpvs against the kernel's IPVS: plans applied and dumped back, edits, deletes, and the outcome of each
// operation when the kernel's table is not what the plan assumed. Runs in the test VM; skips elsewhere.
#include <sys/stat.h>

#include <cerrno>

#include "tests/unit/ipvs_linux/ipvs_fixture.h"

namespace tandem::ipvs::test {
namespace {

using linux_::Outcome;
using M = ForwardingMethod;

// Every kind of service Tandem configures: protocols, families, fwmarks, schedulers with their flags, persistence
// with and without a granularity, and destinations with each forwarding method, weights and thresholds.
Table richTable() {
  Table table;
  const Service web = service(ServiceKey::tcp(address("192.0.2.1"), 80), "wlc");
  table.addService(web);
  table.addDestination(web.key, destination("10.0.0.2", 80, 3, M::Dr));
  table.addDestination(web.key, destination("10.0.0.3", 8080, 0, M::Nat, 100, 10));
  table.addDestination(web.key, destination("10.0.0.4", 80, 65535, M::Tun));

  const Service dns =
      service(ServiceKey::udp(address("192.0.2.1"), 53), "rr", svc_flag::kPersistent | svc_flag::kOnePacket, 600, 24);
  table.addService(dns);
  table.addDestination(dns.key, destination("10.0.1.2", 53, 1, M::Nat));

  const Service marked =
      service(ServiceKey::fwmark(7), "sh", svc_flag::kShFallback | svc_flag::kShPort);
  table.addService(marked);
  table.addDestination(marked.key, destination("10.0.2.2", 0, 2, M::Dr));

  const Service marked6 = service(ServiceKey::fwmark(8, Family::Ipv6), "mh", svc_flag::kMhFallback);
  table.addService(marked6);
  table.addDestination(marked6.key, destination("2001:db8:2::2", 0, 5, M::Dr));

  const Service tls = service(ServiceKey::tcp(address("2001:db8::1"), 443), "sed", svc_flag::kPersistent, 300, 64);
  table.addService(tls);
  table.addDestination(tls.key, destination("2001:db8:1::2", 443, 1, M::Nat));
  table.addDestination(tls.key, destination("2001:db8:1::3", 8443, 7, M::Dr));

  const Service diameter = service(ServiceKey::sctp(address("192.0.2.2"), 3868), "lblc");
  table.addService(diameter);
  table.addDestination(diameter.key, destination("10.0.3.2", 3868, 1, M::Nat));
  return table;
}

using LinuxIpvsTest = LinuxIpvsFixture;

TEST_F(LinuxIpvsTest, AppliedPlanDumpsBackAsTheSameTable) {
  const Table wanted = richTable();
  const auto result = ipvs_.apply(plan(Table{}, wanted));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(result.errors());
  ASSERT_EQ(result.outcomes.size(), plan(Table{}, wanted).size());

  const Table dumped = dumpTable();
  EXPECT_TRUE(dumped == wanted) << "kernel:\n" << describe(plan(Table{}, dumped)) << "wanted:\n"
                                << describe(plan(Table{}, wanted));
  EXPECT_TRUE(plan(dumped, wanted).empty()) << describe(plan(dumped, wanted));
}

TEST_F(LinuxIpvsTest, DumpReportsEachAttributeAsTheKernelStoresIt) {
  reach(richTable());
  const Table dumped = dumpTable();

  const auto* dns = dumped.find(ServiceKey::udp(address("192.0.2.1"), 53));
  ASSERT_NE(dns, nullptr);
  EXPECT_EQ(dns->service.scheduler, "rr");
  EXPECT_EQ(dns->service.flags, svc_flag::kPersistent | svc_flag::kOnePacket);  // the kernel's "hashed" is hidden
  EXPECT_EQ(dns->service.timeout, 600U);
  EXPECT_EQ(dns->service.netmaskPrefix, std::optional<std::uint8_t>(24));

  const auto* tls = dumped.find(ServiceKey::tcp(address("2001:db8::1"), 443));
  ASSERT_NE(tls, nullptr);
  EXPECT_EQ(tls->service.netmaskPrefix, std::optional<std::uint8_t>(64));
  const auto& tlsDest = tls->destinations.at(DestinationKey{address("2001:db8:1::3"), 8443});
  EXPECT_EQ(tlsDest.method, M::Dr);
  EXPECT_EQ(tlsDest.weight, 7U);

  const auto* web = dumped.find(ServiceKey::tcp(address("192.0.2.1"), 80));
  ASSERT_NE(web, nullptr);
  EXPECT_FALSE(web->service.netmaskPrefix.has_value());  // the kernel's /32 reads as "whole address"
  const auto& nat = web->destinations.at(DestinationKey{address("10.0.0.3"), 8080});
  EXPECT_EQ(nat.method, M::Nat);
  EXPECT_EQ(nat.weight, 0U);
  EXPECT_EQ(nat.upperThreshold, 100U);
  EXPECT_EQ(nat.lowerThreshold, 10U);
  EXPECT_EQ(web->destinations.at(DestinationKey{address("10.0.0.4"), 80}).method, M::Tun);

  const auto* marked6 = dumped.find(ServiceKey::fwmark(8, Family::Ipv6));
  ASSERT_NE(marked6, nullptr);
  EXPECT_EQ(marked6->service.scheduler, "mh");
  EXPECT_EQ(marked6->service.flags, svc_flag::kMhFallback);
}

TEST_F(LinuxIpvsTest, EveryKernelSchedulerRoundTrips) {
  Table wanted;
  std::uint16_t port = 1000;
  for (const char* scheduler : {"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh"}) {
    const Service s = service(ServiceKey::tcp(address("198.51.100.1"), port++), scheduler);
    wanted.addService(s);
    wanted.addDestination(s.key, destination("10.1.0.1", 80, 1, M::Dr));
  }
  reach(wanted);
  EXPECT_TRUE(dumpTable() == wanted);
}

TEST_F(LinuxIpvsTest, IpvFourTunnelDestinationBehindAnIpv6Service) {
  Table wanted;
  const Service s = service(ServiceKey::tcp(address("2001:db8::9"), 80), "rr");
  wanted.addService(s);
  wanted.addDestination(s.key, destination("10.0.9.2", 80, 1, M::Tun));
  reach(wanted);
  const Table dumped = dumpTable();
  ASSERT_TRUE(dumped.contains(s.key));
  const auto& dests = dumped.find(s.key)->destinations;
  ASSERT_EQ(dests.size(), 1U);
  EXPECT_EQ(dests.begin()->first.address.family, Family::Ipv4);
  EXPECT_EQ(dests.begin()->first.address.toString(), "10.0.9.2");
}

TEST_F(LinuxIpvsTest, EditsChangeWeightsAndServiceAttributesInPlace) {
  Table table = richTable();
  reach(table);

  const ServiceKey webKey = ServiceKey::tcp(address("192.0.2.1"), 80);
  table.addDestination(webKey, destination("10.0.0.2", 80, 42, M::Nat, 5, 1));
  Service web = table.find(webKey)->service;
  web.scheduler = "wrr";
  web.flags = svc_flag::kPersistent;
  web.timeout = 1800;
  web.netmaskPrefix = 16;
  table.addService(web);

  const Plan edits = plan(dumpTable(), table);
  ASSERT_EQ(edits.size(), 2U) << describe(edits);
  EXPECT_EQ(edits[0].kind, OpKind::EditService);
  EXPECT_EQ(edits[1].kind, OpKind::EditDest);
  const auto result = ipvs_.apply(edits);
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(result.errors());

  const Table dumped = dumpTable();
  EXPECT_TRUE(dumped == table) << describe(plan(dumped, table));
  const auto& edited = dumped.find(webKey)->destinations.at(DestinationKey{address("10.0.0.2"), 80});
  EXPECT_EQ(edited.weight, 42U);
  EXPECT_EQ(edited.method, M::Nat);
  EXPECT_EQ(dumped.find(webKey)->service.timeout, 1800U);
  EXPECT_EQ(dumped.find(webKey)->service.netmaskPrefix, std::optional<std::uint8_t>(16));
}

TEST_F(LinuxIpvsTest, DeletesDestinationsAndServices) {
  const Table full = richTable();
  reach(full);

  Table smaller;
  for (const auto& [key, entry] : full.services()) {
    if (key.isFwmark()) continue;  // both fwmark services go
    smaller.addService(entry.service);
    for (const auto& [destKey, dest] : entry.destinations) {
      if (destKey.port != 8080) smaller.addDestination(key, dest);  // and the NAT destination of the web service
    }
  }
  const auto result = ipvs_.apply(plan(dumpTable(), smaller));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(result.errors());
  EXPECT_TRUE(dumpTable() == smaller);

  ASSERT_TRUE(ipvs_.apply(releasePlan(dumpTable(), smaller)).ok());
  EXPECT_TRUE(dumpTable().empty());
}

TEST_F(LinuxIpvsTest, AddingWhatExistsReportsAlreadyExistsWithTheObjectsInvolved) {
  const Service web = service(ServiceKey::tcp(address("192.0.2.1"), 80), "rr");
  const Destination real = destination("10.0.0.2", 80, 1, M::Dr);
  const Plan adds{{OpKind::AddService, web, std::nullopt}, {OpKind::AddDest, web, real}};
  ASSERT_TRUE(ipvs_.apply(adds).ok());

  const auto again = ipvs_.apply(adds);
  ASSERT_EQ(again.outcomes.size(), 2U);
  EXPECT_FALSE(again.ok());
  EXPECT_TRUE(again.needsResync());
  EXPECT_EQ(again.outcomes[0].outcome, Outcome::AlreadyExists);
  EXPECT_EQ(again.outcomes[0].error, EEXIST);
  EXPECT_EQ(again.outcomes[0].message, "adding TCP 192.0.2.1:80: File exists");
  EXPECT_EQ(again.outcomes[1].outcome, Outcome::AlreadyExists);
  EXPECT_EQ(again.outcomes[1].message, "adding destination 10.0.0.2:80 to TCP 192.0.2.1:80: File exists");
}

TEST_F(LinuxIpvsTest, EditingOrDeletingWhatIsGoneReportsNotFound) {
  const Service web = service(ServiceKey::tcp(address("192.0.2.1"), 80), "rr");
  const Service gone = service(ServiceKey::udp(address("2001:db8::5"), 53), "rr");
  const Destination real = destination("10.0.0.2", 80, 1, M::Dr);
  ASSERT_TRUE(ipvs_.apply({{OpKind::AddService, web, std::nullopt}}).ok());

  const auto result = ipvs_.apply({{OpKind::DelDest, web, real},
                                   {OpKind::EditDest, web, real},
                                   {OpKind::DelService, gone, std::nullopt},
                                   {OpKind::EditService, gone, std::nullopt},
                                   {OpKind::AddDest, gone, real}});
  ASSERT_EQ(result.outcomes.size(), 5U);
  for (const auto& outcome : result.outcomes) EXPECT_EQ(outcome.outcome, Outcome::NotFound) << outcome.message;
  EXPECT_TRUE(result.needsResync());
  EXPECT_EQ(result.outcomes[0].error, ENOENT);
  EXPECT_EQ(result.outcomes[0].message,
            "deleting destination 10.0.0.2:80 from TCP 192.0.2.1:80: No such file or directory");
  EXPECT_EQ(result.outcomes[2].error, ESRCH);
  EXPECT_EQ(result.outcomes[2].message, "deleting UDP [2001:db8::5]:53: No such process (no such virtual service)");
  EXPECT_EQ(result.outcomes[4].message,
            "adding destination 10.0.0.2:80 to UDP [2001:db8::5]:53: No such process (no such virtual service)");
}

TEST_F(LinuxIpvsTest, AFailedOperationDoesNotStopTheOnesAfterIt) {
  const Service bad = service(ServiceKey::tcp(address("192.0.2.7"), 80), "nosuch");
  const Service good = service(ServiceKey::tcp(address("192.0.2.8"), 80), "rr");
  const auto result = ipvs_.apply({{OpKind::AddService, bad, std::nullopt},
                                   {OpKind::AddService, good, std::nullopt},
                                   {OpKind::AddDest, good, std::nullopt},
                                   {OpKind::AddDest, good, destination("10.0.0.8", 80, 1, M::Dr)}});
  ASSERT_EQ(result.outcomes.size(), 4U);
  // An unknown scheduler is a real failure, not a sign of a stale table.
  EXPECT_EQ(result.outcomes[0].outcome, Outcome::Failed);
  EXPECT_EQ(result.outcomes[0].error, ENOENT);
  EXPECT_NE(result.outcomes[0].message.find("adding TCP 192.0.2.7:80: No such file or directory"), std::string::npos)
      << result.outcomes[0].message;
  EXPECT_FALSE(result.needsResync());
  EXPECT_EQ(result.outcomes[1].outcome, Outcome::Done);
  // A destination operation without a destination is refused before it reaches the kernel.
  EXPECT_EQ(result.outcomes[2].outcome, Outcome::Failed);
  EXPECT_EQ(result.outcomes[2].message, "adding destination ? to TCP 192.0.2.8:80: Invalid argument");
  EXPECT_EQ(result.outcomes[3].outcome, Outcome::Done);
  EXPECT_EQ(result.failures(), 2U);
  EXPECT_TRUE(dumpTable().contains(good.key));
}

// Operations go to the kernel in batches; each outcome must still land on its own operation.
TEST_F(LinuxIpvsTest, OutcomesStayWithTheirOperationsAcrossBatches) {
  const Service web = service(ServiceKey::tcp(address("192.0.2.1"), 80), "wrr");
  Plan adds{{OpKind::AddService, web, std::nullopt}};
  for (int i = 0; i < 300; ++i) {
    const std::string rip = "10.2." + std::to_string(i / 250) + "." + std::to_string(1 + i % 250);
    adds.push_back({OpKind::AddDest, web, destination(rip, 80, static_cast<std::uint32_t>(i), M::Dr)});
  }
  ASSERT_TRUE(ipvs_.apply({adds[0], adds[150], adds[299]}).ok());

  const auto result = ipvs_.apply(adds);
  ASSERT_EQ(result.outcomes.size(), adds.size());
  for (std::size_t i = 0; i < adds.size(); ++i) {
    const bool duplicate = i == 0 || i == 150 || i == 299;
    EXPECT_EQ(result.outcomes[i].outcome, duplicate ? Outcome::AlreadyExists : Outcome::Done) << i;
  }
  EXPECT_EQ(dumpTable().find(web.key)->destinations.size(), 300U);
}

TEST_F(LinuxIpvsTest, DumpOfAnEmptyTableIsEmpty) {
  std::string error;
  const auto snapshot = ipvs_.dump(error);
  ASSERT_TRUE(snapshot.has_value()) << error;
  EXPECT_TRUE(snapshot->table.empty());
  EXPECT_TRUE(snapshot->statistics.empty());
}

// Not in the VM: a kernel without IPVS must be named as such, and every call must fail softly.
TEST(LinuxIpvsUnavailable, SaysWhyAndFailsEveryCallWithoutThrowing) {
  struct stat info {};
  if (::stat("/sys/module/ip_vs", &info) == 0) GTEST_SKIP() << "this kernel has IPVS";
  linux_::LinuxIpvs ipvs;
  std::string why;
  EXPECT_FALSE(ipvs.available(why));
  EXPECT_EQ(why, "IPVS is not available: the kernel has no ip_vs module loaded (modprobe ip_vs)");

  std::string error;
  EXPECT_FALSE(ipvs.dump(error).has_value());
  EXPECT_EQ(error, why);
  const Service web = service(ServiceKey::tcp(address("192.0.2.1"), 80), "rr");
  const auto result = ipvs.apply({{OpKind::AddService, web, std::nullopt}});
  ASSERT_EQ(result.outcomes.size(), 1U);
  EXPECT_EQ(result.outcomes[0].outcome, Outcome::Failed);
  EXPECT_EQ(result.outcomes[0].message, "adding TCP 192.0.2.1:80: " + why);
  EXPECT_FALSE(ipvs.setTimeouts({900, 120, 300}).ok());
}

TEST(LinuxIpvsText, ActionsNameTheServiceAndDestinationLikeIpvsadm) {
  const Service v6 = service(ServiceKey::udp(address("2001:db8::1"), 53), "rr");
  const Service mark = service(ServiceKey::fwmark(7, Family::Ipv6), "rr");
  const Destination real = destination("2001:db8::2", 5353, 1, M::Nat);
  EXPECT_EQ(linux_::actionText({OpKind::EditService, v6, std::nullopt}), "editing UDP [2001:db8::1]:53");
  EXPECT_EQ(linux_::actionText({OpKind::EditDest, v6, real}), "editing destination [2001:db8::2]:5353 of UDP [2001:db8::1]:53");
  EXPECT_EQ(linux_::actionText({OpKind::DelDest, mark, real}), "deleting destination [2001:db8::2]:5353 from FWM 7 IPv6");
  EXPECT_EQ(linux_::actionText({OpKind::DelService, service(ServiceKey::sctp(address("192.0.2.1"), 9), "rr"), std::nullopt}),
            "deleting SCTP 192.0.2.1:9");
}

}  // namespace
}  // namespace tandem::ipvs::test
