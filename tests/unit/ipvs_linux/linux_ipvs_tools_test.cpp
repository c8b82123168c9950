// LinuxIpvs beside ipvsadm (what administrators will check Tandem's work with), timeouts, statistics with real
// traffic, and the connection-sync daemon. Runs in the test VM; skips elsewhere.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>
#include <sstream>
#include <vector>

#include "tests/unit/ipvs_linux/ipvs_fixture.h"

namespace tandem::ipvs::test {
namespace {

using M = ForwardingMethod;

// ipvsadm pads its columns; the comparison only cares about the words.
std::vector<std::string> normalizedLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string word;
    std::string joined;
    while (words >> word) joined += (joined.empty() ? "" : " ") + word;
    if (!joined.empty()) lines.push_back(joined);
  }
  return lines;
}

bool containsLine(const std::vector<std::string>& lines, const std::string& line) {
  for (const std::string& candidate : lines) {
    if (candidate == line) return true;
  }
  return false;
}

class LinuxIpvsToolsTest : public LinuxIpvsFixture {
 protected:
  void SetUp() override {
    LinuxIpvsFixture::SetUp();
    if (IsSkipped()) return;
    if (!hasIpvsadm()) GTEST_SKIP() << "ipvsadm is not installed (scripts/setup-vm.sh)";
  }
};

TEST_F(LinuxIpvsToolsTest, IpvsadmListsWhatLinuxIpvsApplied) {
  Table table;
  const Service web = service(ServiceKey::tcp(address("192.0.2.1"), 80), "wlc");
  table.addService(web);
  table.addDestination(web.key, destination("10.0.0.2", 80, 3, M::Dr));
  table.addDestination(web.key, destination("10.0.0.3", 8080, 0, M::Nat));
  table.addDestination(web.key, destination("10.0.0.4", 80, 2, M::Tun));
  const Service dns = service(ServiceKey::udp(address("192.0.2.1"), 53), "rr", svc_flag::kPersistent, 600, 24);
  table.addService(dns);
  const Service marked = service(ServiceKey::fwmark(7), "sh", svc_flag::kShFallback | svc_flag::kShPort);
  table.addService(marked);
  const Service v6 = service(ServiceKey::tcp(address("2001:db8::1"), 443), "sed");
  table.addService(v6);
  table.addDestination(v6.key, destination("2001:db8:1::2", 443, 5, M::Dr));
  reach(table);

  const std::string output = shOutput("ipvsadm -Ln 2>&1");
  const auto lines = normalizedLines(output);
  for (const char* expected : {"TCP 192.0.2.1:80 wlc",
                               "-> 10.0.0.2:80 Route 3 0 0",
                               "-> 10.0.0.3:8080 Masq 0 0 0",
                               "-> 10.0.0.4:80 Tunnel 2 0 0",
                               "UDP 192.0.2.1:53 rr persistent 600 mask 255.255.255.0",
                               "FWM 7 sh (sh-fallback,sh-port)",
                               "TCP [2001:db8::1]:443 sed",
                               "-> [2001:db8:1::2]:443 Route 5 0 0"}) {
    EXPECT_TRUE(containsLine(lines, expected)) << "no line \"" << expected << "\" in:\n" << output;
  }
}

// The other direction: rules written by ipvsadm, from describe()'s ipvsadm lines, dump as the table they came from.
TEST_F(LinuxIpvsToolsTest, RulesRestoredByIpvsadmDumpAsTheirTable) {
  Table table;
  const Service web = service(ServiceKey::tcp(address("192.0.2.1"), 80), "wrr", svc_flag::kPersistent, 300, 24);
  table.addService(web);
  table.addDestination(web.key, destination("10.0.0.2", 80, 3, M::Dr, 50, 5));
  table.addDestination(web.key, destination("10.0.0.3", 8080, 1, M::Nat));
  const Service marked6 = service(ServiceKey::fwmark(9, Family::Ipv6), "mh", svc_flag::kMhPort);
  table.addService(marked6);
  table.addDestination(marked6.key, destination("2001:db8::7", 0, 4, M::Tun));
  const Service dns = service(ServiceKey::udp(address("2001:db8::1"), 53), "lc", svc_flag::kOnePacket);
  table.addService(dns);
  table.addDestination(dns.key, destination("2001:db8::8", 5353, 1, M::Nat));

  const std::string rules = describe(plan(Table{}, table));
  const std::string path = "/tmp/tandem-ipvs-rules-" + std::to_string(::getpid());
  {
    std::ofstream out(path);
    out << rules;
  }
  ASSERT_TRUE(sh("ipvsadm -R < " + path)) << rules;
  ::unlink(path.c_str());
  const Table dumped = dumpTable();
  EXPECT_TRUE(dumped == table) << "ipvsadm -R of:\n" << rules << "dumps as:\n" << describe(plan(Table{}, dumped));
}

TEST_F(LinuxIpvsToolsTest, TimeoutsAreSetAndReadBack) {
  ASSERT_TRUE(ipvs_.setTimeouts({900, 120, 300}).ok());
  std::string error;
  const auto timeouts = ipvs_.timeouts(error);
  ASSERT_TRUE(timeouts.has_value()) << error;
  EXPECT_EQ(*timeouts, (linux_::Timeouts{900, 120, 300}));
  EXPECT_TRUE(containsLine(normalizedLines(shOutput("ipvsadm -Ln --timeout")), "Timeout (tcp tcpfin udp): 900 120 300"));

  // Zero leaves a value alone.
  ASSERT_TRUE(ipvs_.setTimeouts({0, 60, 0}).ok());
  EXPECT_EQ(*ipvs_.timeouts(error), (linux_::Timeouts{900, 60, 300}));
}

// A local client's SYN to a virtual service is scheduled by IPVS (LOCAL_OUT hook): one connection, one inbound
// packet, on the service and on the destination chosen, and an inactive connection there (no handshake).
TEST_F(LinuxIpvsToolsTest, StatisticsCountAConnectionAttempt) {
  ASSERT_TRUE(sh("ip link add tv0 type dummy && ip link set tv0 up && ip addr add 192.0.2.1/24 dev tv0 && "
                 "ip addr add 10.0.0.1/24 dev tv0"));
  Table table;
  const Service web = service(ServiceKey::tcp(address("192.0.2.1"), 80), "rr");
  table.addService(web);
  table.addDestination(web.key, destination("10.0.0.2", 80, 1, M::Dr));
  reach(table);

  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in vip{};
  vip.sin_family = AF_INET;
  vip.sin_port = htons(80);
  ::inet_pton(AF_INET, "192.0.2.1", &vip.sin_addr);
  // Non-blocking: the SYN leaves at once. Closing before any retransmission keeps the counts at one packet.
  ::connect(fd, reinterpret_cast<const sockaddr*>(&vip), sizeof vip);
  ::close(fd);

  // The kernel folds its per-CPU counters into the reported totals on its estimator tick (every 2 s): poll.
  std::string error;
  std::optional<linux_::Snapshot> snapshot;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    snapshot = ipvs_.dump(error);
    ASSERT_TRUE(snapshot.has_value()) << error;
    if (snapshot->statistics.at(web.key).counters.connections > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (std::chrono::steady_clock::now() < deadline);
  const auto& stats = snapshot->statistics.at(web.key);
  EXPECT_EQ(stats.counters.connections, 1U);
  EXPECT_GE(stats.counters.inPackets, 1U);
  const auto& destStats = stats.destinations.at(DestinationKey{address("10.0.0.2"), 80});
  EXPECT_EQ(destStats.counters.connections, 1U);
  EXPECT_EQ(destStats.activeConnections + destStats.inactiveConnections, 1U);
  // ipvsadm's totals (--exact: no K/M rounding) are the same counters.
  const std::string expected = "TCP 192.0.2.1:80 " + std::to_string(stats.counters.connections) + " " +
                               std::to_string(stats.counters.inPackets) + " " +
                               std::to_string(stats.counters.outPackets) + " " +
                               std::to_string(stats.counters.inBytes) + " " + std::to_string(stats.counters.outBytes);
  const std::string listing = shOutput("ipvsadm -Ln --stats --exact");
  EXPECT_TRUE(containsLine(normalizedLines(listing), expected)) << "no \"" << expected << "\" in:\n" << listing;
}

TEST_F(LinuxIpvsToolsTest, SyncDaemonStartsListsAndStops) {
  ASSERT_TRUE(sh("ip link add ts0 type dummy && ip link set ts0 multicast on up && ip addr add 10.9.9.1/24 dev ts0"));
  linux_::SyncDaemon daemon;
  daemon.state = linux_::SyncState::Master;
  daemon.interface = "ts0";
  daemon.syncId = 7;
  const auto started = ipvs_.startSyncDaemon(daemon);
  ASSERT_TRUE(started.ok()) << started.message;

  std::string error;
  auto daemons = ipvs_.syncDaemons(error);
  ASSERT_TRUE(daemons.has_value()) << error;
  ASSERT_EQ(daemons->size(), 1U);
  EXPECT_EQ(daemons->front().state, linux_::SyncState::Master);
  EXPECT_EQ(daemons->front().interface, "ts0");
  EXPECT_EQ(daemons->front().syncId, 7U);
  EXPECT_EQ(daemons->front().port, 8848);  // the kernel's defaults are reported
  EXPECT_EQ(daemons->front().group, address("224.0.0.81"));
  EXPECT_NE(shOutput("ipvsadm -L --daemon").find("master sync daemon (mcast=ts0, syncid=7"), std::string::npos)
      << shOutput("ipvsadm -L --daemon");

  ASSERT_TRUE(ipvs_.stopSyncDaemon(linux_::SyncState::Master).ok());
  daemons = ipvs_.syncDaemons(error);
  ASSERT_TRUE(daemons.has_value()) << error;
  EXPECT_TRUE(daemons->empty());
  const auto again = ipvs_.stopSyncDaemon(linux_::SyncState::Master);
  EXPECT_FALSE(again.ok());
  EXPECT_NE(again.message.find("stopping the IPVS sync daemon (master): "), std::string::npos) << again.message;
}

}  // namespace
}  // namespace tandem::ipvs::test
