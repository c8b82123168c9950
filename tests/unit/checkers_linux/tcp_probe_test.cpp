// TcpProbe against real sockets on loopback, ports picked by the kernel.
#include "checkers/linux/tcp_probe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <optional>

#include "tests/unit/checkers_linux/loop_support.h"
#include "tests/unit/checkers_linux/test_servers.h"

namespace tandem::check {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::runUntil;
namespace asio = boost::asio;

ConnectOptions to(const std::string& address, std::uint16_t port, std::chrono::milliseconds timeout = 2000ms) {
  ConnectOptions options;
  options.address = asio::ip::make_address(address);
  options.port = port;
  options.timeout = timeout;
  return options;
}

struct TcpProbeTest : ::testing::Test {
  asio::io_context io;
  std::optional<Verdict> verdict;
  int calls = 0;

  Probe::Done record() {
    return [this](Verdict v) {
      ++calls;
      verdict = std::move(v);
    };
  }
  bool finish() { return runUntil(io, [this] { return verdict.has_value(); }); }
};

TEST_F(TcpProbeTest, ConnectsToAListener) {
  asio::ip::tcp::acceptor listener(io, {asio::ip::make_address("127.0.0.1"), 0});
  TcpProbe probe(io, to("127.0.0.1", listener.local_endpoint().port()));
  probe.start(record());
  EXPECT_TRUE(probe.running());
  ASSERT_TRUE(finish());
  EXPECT_TRUE(verdict->success) << verdict->reason;
  EXPECT_FALSE(probe.running());
  EXPECT_EQ(calls, 1);
}

TEST_F(TcpProbeTest, ConnectsOverIpv6) {
  if (!testing::haveIpv6Loopback()) GTEST_SKIP() << "no ::1 here";
  asio::ip::tcp::acceptor listener(io, {asio::ip::make_address("::1"), 0});
  TcpProbe probe(io, to("::1", listener.local_endpoint().port()));
  probe.start(record());
  ASSERT_TRUE(finish());
  EXPECT_TRUE(verdict->success) << verdict->reason;
}

TEST_F(TcpProbeTest, ClosedPortIsRefused) {
  const std::uint16_t port = testing::closedPort("127.0.0.1");
  TcpProbe probe(io, to("127.0.0.1", port));
  probe.start(record());
  ASSERT_TRUE(finish());
  EXPECT_FALSE(verdict->success);
  EXPECT_THAT(verdict->reason, HasSubstr("connection refused"));
  EXPECT_THAT(verdict->reason, HasSubstr("127.0.0.1:" + std::to_string(port)));
}

TEST_F(TcpProbeTest, UnansweredConnectTimesOutAtTheConfiguredTime) {
  testing::FullListener blackHole("127.0.0.1");
  TcpProbe probe(io, to("127.0.0.1", blackHole.port(), 300ms));
  const auto started = std::chrono::steady_clock::now();
  probe.start(record());
  ASSERT_TRUE(finish());
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_FALSE(verdict->success);
  EXPECT_THAT(verdict->reason, HasSubstr("timed out after 0.3 s"));
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 1500ms);  // the kernel's own SYN retry (1 s) must not be what ended it
}

TEST_F(TcpProbeTest, ConnectsFromTheBoundAddressAndPort) {
  asio::ip::tcp::acceptor listener(io, {asio::ip::make_address("127.0.0.1"), 0});
  std::optional<asio::ip::tcp::endpoint> peer;
  listener.async_accept([&peer](const boost::system::error_code& ec, asio::ip::tcp::socket socket) {
    if (!ec) peer = socket.remote_endpoint();
  });
  ConnectOptions options = to("127.0.0.1", listener.local_endpoint().port());
  options.bindTo = asio::ip::make_address("127.0.0.2");
  options.bindPort = testing::closedPort("127.0.0.2");
  TcpProbe probe(io, options);
  probe.start(record());
  ASSERT_TRUE(runUntil(io, [&] { return verdict.has_value() && peer.has_value(); }));
  EXPECT_TRUE(verdict->success) << verdict->reason;
  EXPECT_EQ(peer->address().to_string(), "127.0.0.2");
  EXPECT_EQ(peer->port(), options.bindPort);
}

TEST_F(TcpProbeTest, BindsToTheInterface) {
  asio::ip::tcp::acceptor listener(io, {asio::ip::make_address("127.0.0.1"), 0});
  ConnectOptions options = to("127.0.0.1", listener.local_endpoint().port());
  options.bindInterface = "lo";
  TcpProbe probe(io, options);
  probe.start(record());
  ASSERT_TRUE(finish());
  EXPECT_TRUE(verdict->success) << verdict->reason;

  verdict.reset();
  options.bindInterface = "nosuchif0";
  TcpProbe elsewhere(io, options);
  elsewhere.start(record());
  ASSERT_TRUE(finish());
  EXPECT_FALSE(verdict->success);
  EXPECT_THAT(verdict->reason, HasSubstr("bind_if nosuchif0"));
}

TEST_F(TcpProbeTest, BindAddressOfTheOtherFamilyFails) {
  ConnectOptions options = to("127.0.0.1", 80);
  options.bindTo = asio::ip::make_address("::1");
  TcpProbe probe(io, options);
  probe.start(record());
  EXPECT_FALSE(verdict.has_value());  // never from inside start()
  ASSERT_TRUE(finish());
  EXPECT_FALSE(verdict->success);
  EXPECT_THAT(verdict->reason, HasSubstr("not of the family"));
}

TEST_F(TcpProbeTest, CancelledAttemptNeverReports) {
  testing::FullListener blackHole("127.0.0.1");
  TcpProbe probe(io, to("127.0.0.1", blackHole.port(), 200ms));
  probe.start(record());
  probe.cancel();
  EXPECT_FALSE(probe.running());
  testing::runFor(io, 400ms);
  EXPECT_EQ(calls, 0);
}

TEST_F(TcpProbeTest, RestartAbandonsTheAttemptUnderWay) {
  testing::FullListener blackHole("127.0.0.1");
  asio::ip::tcp::acceptor listener(io, {asio::ip::make_address("127.0.0.1"), 0});
  TcpProbe probe(io, to("127.0.0.1", blackHole.port(), 200ms));
  std::vector<std::string> seen;
  probe.start([&seen](Verdict v) { seen.push_back("first:" + v.reason); });
  probe.start(record());
  ASSERT_TRUE(finish());
  testing::runFor(io, 300ms);
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(calls, 1);
}

// Every probe of a loop shares one ConnectWatcher: answered, refused and unanswered connects settle in the same
// turns, each probe hears once, and once nothing is pending the loop has no work left (run() returns).
TEST_F(TcpProbeTest, ManyProbesShareTheLoopsWatcherAndEachHearsOnce) {
  asio::ip::tcp::acceptor listener(io, {asio::ip::make_address("127.0.0.1"), 0});
  testing::FullListener blackHole("127.0.0.1");
  const std::uint16_t closed = testing::closedPort("127.0.0.1");
  std::vector<std::unique_ptr<TcpProbe>> probes;
  std::vector<int> heard(300, 0);
  std::vector<std::string> reasons(300);
  for (std::size_t i = 0; i < heard.size(); ++i) {
    const std::uint16_t port = i % 3 == 0 ? listener.local_endpoint().port() : i % 3 == 1 ? closed : blackHole.port();
    probes.push_back(std::make_unique<TcpProbe>(io, to("127.0.0.1", port, 300ms)));
    probes.back()->start([&heard, &reasons, i](Verdict v) {
      ++heard[i];
      reasons[i] = v.success ? "ok" : v.reason;
    });
  }
  probes[2]->cancel();  // an unanswered one, forgotten before it settles
  const auto started = std::chrono::steady_clock::now();
  io.run_for(5s);  // returns early only when the loop has no work left
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
  EXPECT_EQ(asio::use_service<ConnectWatcher>(io).pending(), 0u);
  for (std::size_t i = 0; i < heard.size(); ++i) {
    if (i == 2) {
      EXPECT_EQ(heard[i], 0);
      continue;
    }
    ASSERT_EQ(heard[i], 1) << "probe " << i;
    if (i % 3 == 0) {
      EXPECT_EQ(reasons[i], "ok");
    } else if (i % 3 == 1) {
      EXPECT_THAT(reasons[i], HasSubstr("connection refused"));
    } else if (reasons[i] != "ok") {  // the black hole's backlog takes a few before it stops answering
      EXPECT_THAT(reasons[i], HasSubstr("timed out after 0.3 s"));
    }
  }
}

TEST_F(TcpProbeTest, AProbeDestroyedWhilePendingLeavesTheLoopFree) {
  testing::FullListener blackHole("127.0.0.1");
  auto probe = std::make_unique<TcpProbe>(io, to("127.0.0.1", blackHole.port(), 5000ms));
  probe->start(record());
  testing::runFor(io, 50ms);
  probe.reset();
  const auto started = std::chrono::steady_clock::now();
  io.restart();
  io.run_for(3s);  // runs it out if the watcher kept its timer or its wait
  EXPECT_LT(std::chrono::steady_clock::now() - started, 500ms);
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace tandem::check
