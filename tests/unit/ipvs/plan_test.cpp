#include "ipvs/plan.h"

#include <gtest/gtest.h>

#include "tests/unit/ipvs/ipvs_test_support.h"

namespace tandem::ipvs {
namespace {

using test::dest;
using test::tableOf;
using test::tcpService;

TEST(IpvsPlan, FromEmptyAddsServiceThenItsDestinationsInOrder) {
  const Service web = tcpService("192.0.2.1", 80);
  const Table wanted = tableOf(web, {dest("10.0.0.3", 80), dest("10.0.0.2", 80, 2)});

  EXPECT_EQ(describe(plan(Table{}, wanted)),
            "-A -t 192.0.2.1:80 -s rr\n"
            "-a -t 192.0.2.1:80 -r 10.0.0.2:80 -g -w 2\n"
            "-a -t 192.0.2.1:80 -r 10.0.0.3:80 -g -w 1\n");
}

TEST(IpvsPlan, RemovingAServiceIsOneDelServiceWithoutDelDest) {
  const Service web = tcpService("192.0.2.1", 80);
  const Table current = tableOf(web, {dest("10.0.0.2", 80), dest("10.0.0.3", 80)});

  EXPECT_EQ(describe(plan(current, Table{})), "-D -t 192.0.2.1:80\n");
}

TEST(IpvsPlan, WeightChangeIsOneEditDest) {
  const Service web = tcpService("192.0.2.1", 80);
  const Table current = tableOf(web, {dest("10.0.0.2", 80, 1), dest("10.0.0.3", 80, 1)});
  const Table wanted = tableOf(web, {dest("10.0.0.2", 80, 1), dest("10.0.0.3", 80, 5)});

  EXPECT_EQ(describe(plan(current, wanted)), "-e -t 192.0.2.1:80 -r 10.0.0.3:80 -g -w 5\n");
}

TEST(IpvsPlan, MethodAndThresholdChangesAreEditDest) {
  const Service web = tcpService("192.0.2.1", 80);
  Destination tuned = dest("10.0.0.2", 80, 1, ForwardingMethod::Nat);
  tuned.upperThreshold = 100;
  tuned.lowerThreshold = 10;
  const Table current = tableOf(web, {dest("10.0.0.2", 80)});
  const Table wanted = tableOf(web, {tuned});

  EXPECT_EQ(describe(plan(current, wanted)), "-e -t 192.0.2.1:80 -r 10.0.0.2:80 -m -w 1 -x 100 -y 10\n");
}

TEST(IpvsPlan, NewDestinationsAreAddedBeforeOldOnesAreDeleted) {
  const Service web = tcpService("192.0.2.1", 80);
  const Table current = tableOf(web, {dest("10.0.0.1", 80), dest("10.0.0.2", 80, 3)});
  const Table wanted = tableOf(web, {dest("10.0.0.2", 80, 4), dest("10.0.0.9", 80)});

  EXPECT_EQ(describe(plan(current, wanted)),
            "-a -t 192.0.2.1:80 -r 10.0.0.9:80 -g -w 1\n"
            "-e -t 192.0.2.1:80 -r 10.0.0.2:80 -g -w 4\n"
            "-d -t 192.0.2.1:80 -r 10.0.0.1:80\n");
}

TEST(IpvsPlan, SchedulerOrPersistenceChangeIsEditServiceBeforeDestinationChanges) {
  const Service before = tcpService("192.0.2.1", 443, "wlc");
  Service after = tcpService("192.0.2.1", 443, "sh");
  after.flags = svc_flag::kPersistent | svc_flag::kShFallback | svc_flag::kShPort;
  after.timeout = 300;
  after.netmaskPrefix = 24;
  const Table current = tableOf(before, {dest("10.0.0.2", 443)});
  const Table wanted = tableOf(after, {dest("10.0.0.2", 443, 2)});

  EXPECT_EQ(describe(plan(current, wanted)),
            "-E -t 192.0.2.1:443 -s sh -p 300 -M 255.255.255.0 -b sh-fallback,sh-port\n"
            "-e -t 192.0.2.1:443 -r 10.0.0.2:443 -g -w 2\n");
}

TEST(IpvsPlan, KernelOnlyDifferencesDoNotEditTheService) {
  Service configured = tcpService("192.0.2.1", 80);
  Service kernel = configured;
  kernel.flags |= svc_flag::kHashed;  // the kernel marks every service it holds
  kernel.timeout = 360;               // leftover timeout on a non-persistent service means nothing
  EXPECT_TRUE(plan(tableOf(kernel, {}), tableOf(configured, {})).empty());

  configured.flags = kernel.flags = svc_flag::kPersistent;
  configured.timeout = kernel.timeout = 60;
  kernel.netmaskPrefix = 32;  // an explicit /32 is the default granularity
  EXPECT_TRUE(plan(tableOf(kernel, {}), tableOf(configured, {})).empty());

  kernel.timeout = 61;
  EXPECT_EQ(describe(plan(tableOf(kernel, {}), tableOf(configured, {}))), "-E -t 192.0.2.1:80 -s rr -p 60\n");
}

TEST(IpvsPlan, FwmarkAndIpv6ServicesUseIpvsadmSyntax) {
  Service mark4;
  mark4.key = ServiceKey::fwmark(7);
  mark4.scheduler = "wrr";
  Service mark6;
  mark6.key = ServiceKey::fwmark(7, Family::Ipv6);
  mark6.scheduler = "mh";
  mark6.flags = svc_flag::kMhPort | svc_flag::kPersistent;
  mark6.timeout = 30;
  mark6.netmaskPrefix = 64;
  Service dns;
  dns.key = ServiceKey::udp(address("2001:db8::53"), 53);
  dns.scheduler = "rr";
  dns.flags = svc_flag::kOnePacket;

  Table wanted;
  for (const Service& service : {mark6, dns, mark4}) {
    wanted.addService(service);
  }
  wanted.addDestination(mark4.key, dest("10.0.0.2", 0, 1, ForwardingMethod::Tun));
  wanted.addDestination(mark6.key, dest("2001:db8::2", 0));
  wanted.addDestination(dns.key, dest("2001:db8::10", 53, 1, ForwardingMethod::Nat));

  // Address services first (IPv4 before IPv6), then fwmark services by mark, IPv4 before IPv6.
  EXPECT_EQ(describe(plan(Table{}, wanted)),
            "-A -u [2001:db8::53]:53 -s rr -o\n"
            "-a -u [2001:db8::53]:53 -r [2001:db8::10]:53 -m -w 1\n"
            "-A -f 7 -s wrr\n"
            "-a -f 7 -r 10.0.0.2:0 -i -w 1\n"
            "-A -f 7 -6 -s mh -p 30 -M 64 -b mh-port\n"
            "-a -f 7 -6 -r [2001:db8::2]:0 -g -w 1\n");
}

TEST(IpvsPlan, ServicesAreVisitedInKeyOrderWhateverTheChange) {
  const Service a = tcpService("192.0.2.1", 80);
  const Service b = tcpService("192.0.2.2", 80);
  const Service c = tcpService("192.0.2.3", 80);
  Table current = tableOf(a, {dest("10.0.0.1", 80)});
  current.addService(c);
  Table wanted = tableOf(b, {dest("10.0.0.1", 80)});
  wanted.addService(c);
  wanted.addDestination(c.key, dest("10.0.0.1", 80));

  EXPECT_EQ(describe(plan(current, wanted)),
            "-D -t 192.0.2.1:80\n"
            "-A -t 192.0.2.2:80 -s rr\n"
            "-a -t 192.0.2.2:80 -r 10.0.0.1:80 -g -w 1\n"
            "-a -t 192.0.2.3:80 -r 10.0.0.1:80 -g -w 1\n");
}

TEST(IpvsPlan, SctpUsesTheLongOption) {
  Service sctp;
  sctp.key = ServiceKey::sctp(address("192.0.2.1"), 3868);
  EXPECT_EQ(describe(plan(Table{}, tableOf(sctp, {}))), "-A --sctp-service 192.0.2.1:3868 -s wlc\n");
}

TEST(IpvsPlan, AdoptingRulesThatAlreadyMatchIsAnEmptyPlan) {
  const Service web = tcpService("192.0.2.1", 80);
  Table kernel = tableOf(web, {dest("10.0.0.2", 80), dest("10.0.0.3", 80, 2)});
  const Service foreign = tcpService("198.51.100.1", 25);
  kernel.addService(foreign);
  kernel.addDestination(foreign.key, dest("10.9.9.9", 25));
  const Table wanted = tableOf(web, {dest("10.0.0.2", 80), dest("10.0.0.3", 80, 2)});

  EXPECT_TRUE(plan(ownedPart(kernel, wanted), wanted).empty());
  EXPECT_EQ(ownedPart(kernel, wanted), wanted);
  EXPECT_FALSE(kernel == wanted);
  // Without ownedPart the foreign service would be deleted: the filter is what protects it.
  EXPECT_EQ(describe(plan(kernel, wanted)), "-D -t 198.51.100.1:25\n");
}

TEST(IpvsPlan, AStrayDestinationInAnOwnedServiceIsReconciledAway) {
  const Service web = tcpService("192.0.2.1", 80);
  const Table kernel = tableOf(web, {dest("10.0.0.2", 80), dest("10.0.0.66", 80)});
  const Table wanted = tableOf(web, {dest("10.0.0.2", 80)});

  EXPECT_EQ(describe(plan(ownedPart(kernel, wanted), wanted)), "-d -t 192.0.2.1:80 -r 10.0.0.66:80\n");
}

TEST(IpvsPlan, ReleaseDeletesOwnedServicesOnlyAndOnlyThoseStillPresent) {
  const Service web = tcpService("192.0.2.1", 80);
  const Service mail = tcpService("192.0.2.1", 25);
  const Service gone = tcpService("192.0.2.9", 80);
  Table kernel = tableOf(web, {dest("10.0.0.2", 80)});
  kernel.addService(tcpService("198.51.100.1", 80));  // foreign
  kernel.addService(mail);
  Table configured;
  for (const Service& service : {web, mail, gone}) {
    configured.addService(service);
  }

  EXPECT_EQ(describe(releasePlan(kernel, ownedPart(kernel, configured))),
            "-D -t 192.0.2.1:25\n"
            "-D -t 192.0.2.1:80\n");
}

TEST(IpvsPlan, OperationsCompareByKindKeyAndAttributes) {
  const Service web = tcpService("192.0.2.1", 80);
  const Plan once = plan(Table{}, tableOf(web, {dest("10.0.0.2", 80)}));
  const Plan twice = plan(Table{}, tableOf(web, {dest("10.0.0.2", 80)}));
  const Plan heavier = plan(Table{}, tableOf(web, {dest("10.0.0.2", 80, 9)}));
  EXPECT_EQ(once, twice);
  EXPECT_NE(once, heavier);
  ASSERT_EQ(once.size(), 2U);
  EXPECT_EQ(once[1].kind, OpKind::AddDest);
  ASSERT_TRUE(once[1].destination.has_value());
  EXPECT_EQ(once[1].destination->key.address, address("10.0.0.2"));
}

TEST(IpvsAddress, ParsesAndPrintsBothFamilies) {
  EXPECT_EQ(address("192.0.2.1"), Address::v4(192, 0, 2, 1));
  EXPECT_EQ(address("2001:DB8:0:0:0:0:0:1").toString(), "2001:db8::1");
  EXPECT_EQ(address("::ffff:192.0.2.1").family, Family::Ipv6);
  EXPECT_FALSE(Address::parse("192.0.2.256").has_value());
  EXPECT_FALSE(Address::parse("example.org").has_value());
  EXPECT_THROW(address("nope"), std::invalid_argument);
  EXPECT_LT(address("10.0.0.2"), address("10.0.0.10"));
  EXPECT_LT(address("255.255.255.255"), address("::1"));
}

TEST(IpvsTable, DestinationsNeedTheirService) {
  Table table;
  EXPECT_THROW(table.addDestination(ServiceKey::fwmark(1), dest("10.0.0.1", 0)), std::logic_error);
  EXPECT_THROW(ServiceKey::fwmark(0), std::invalid_argument);
}

}  // namespace
}  // namespace tandem::ipvs
