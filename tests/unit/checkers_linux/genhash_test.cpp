// genhash() blocks on a private loop, so the test server runs on a loop of its own in a second thread.
#include "checkers/linux/genhash.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <thread>

#include "tests/unit/checkers_linux/test_servers.h"

namespace tandem::check {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Optional;
namespace asio = boost::asio;

struct ServerThread {
  asio::io_context io;
  testing::TestHttpServer server;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::thread thread;

  explicit ServerThread(std::shared_ptr<asio::ssl::context> tls = nullptr) : server(io, "127.0.0.1", std::move(tls)) {
    server.setReply(testing::httpReply(200, "hello world", "X-Served-By: test\r\n"));
    thread = std::thread([this] { io.run(); });
  }
  ~ServerThread() {
    work.reset();
    io.stop();
    thread.join();
  }
  // Read once genhash has returned: the reply was written after the request was recorded.
  const std::vector<testing::RecordedRequest>& requests() const { return server.requests(); }
};

TEST(Genhash, StatusDigestAndHeaders) {
  ServerThread served;
  GenhashOptions options;
  options.server = "127.0.0.1";
  options.port = served.server.port();
  options.virtualhost = "www.example.test";
  options.timeout = std::chrono::seconds(5);
  const HttpResponse result = genhash("/index.html", options);
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.md5Hex, "5eb63bbbe01eeed093cb22bb8f5acdc3");
  EXPECT_EQ(result.bodyBytes, 11u);
  ASSERT_FALSE(result.headers.empty());
  EXPECT_EQ(result.headers.front(), "HTTP/1.0 200 X");
  EXPECT_THAT(result.headers, Contains("X-Served-By: test"));
  ASSERT_EQ(served.requests().size(), 1u);
  EXPECT_EQ(served.requests()[0].requestLine, "GET /index.html HTTP/1.0");
  EXPECT_THAT(served.requests()[0].header("Host"), Optional(std::string("www.example.test")));
}

TEST(Genhash, SslWithSniFromTheVirtualhost) {
  ServerThread served(testing::selfSignedServerContext("genhash.example.test"));
  GenhashOptions options;
  options.server = "127.0.0.1";
  options.port = served.server.port();
  options.ssl = true;
  options.sni = true;
  options.virtualhost = "www.example.test";
  options.protocol = HttpVersion::V1_1;
  options.timeout = std::chrono::seconds(5);
  const HttpResponse result = genhash("/", options);
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.md5Hex, "5eb63bbbe01eeed093cb22bb8f5acdc3");
  ASSERT_EQ(served.requests().size(), 1u);
  EXPECT_EQ(served.requests()[0].sni, "www.example.test");
  EXPECT_EQ(served.requests()[0].requestLine, "GET / HTTP/1.1");
}

TEST(Genhash, RejectsANameForServer) {
  GenhashOptions options;
  options.server = "www.example.test";
  options.port = 80;
  EXPECT_THAT(genhash("/", options).error, HasSubstr("should be an IP address"));
}

TEST(Genhash, ReportsAConnectionFailure) {
  GenhashOptions options;
  options.server = "127.0.0.1";
  options.port = testing::closedPort("127.0.0.1");
  options.timeout = std::chrono::seconds(5);
  const HttpResponse result = genhash("/", options);
  EXPECT_THAT(result.error, HasSubstr("127.0.0.1:" + std::to_string(options.port)));
  EXPECT_EQ(result.status, 0);
}

}  // namespace
}  // namespace tandem::check
