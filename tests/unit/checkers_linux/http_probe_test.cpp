// HttpProbe (HTTP_GET, SSL_GET) through the process's CurlMulti, against servers written in the test on loopback.
#include "checkers/linux/http_probe.h"

#include <openssl/evp.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>

#include "tests/unit/checkers_linux/loop_support.h"
#include "tests/unit/checkers_linux/test_servers.h"

namespace tandem::check {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Optional;
using testing::runUntil;
using testing::TestHttpServer;
namespace asio = boost::asio;

constexpr const char* kHelloMd5 = "5eb63bbbe01eeed093cb22bb8f5acdc3";  // MD5("hello world")

std::string md5Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr);
  std::string text;
  for (unsigned i = 0; i < size; ++i) text += "0123456789abcdef"[digest[i] >> 4], text += "0123456789abcdef"[digest[i] & 0xf];
  return text;
}

HttpUrl url(const std::string& path, const std::string& virtualhost = "") {
  HttpUrl u;
  u.spec.path = path;
  u.virtualhost = virtualhost;
  return u;
}

struct HttpProbeTest : ::testing::Test {
  asio::io_context io;
  CurlMulti multi{io};
  std::optional<Verdict> verdict;

  HttpProbeOptions optionsFor(const TestHttpServer& server, const std::string& address = "127.0.0.1") {
    HttpProbeOptions options;
    options.connect.address = asio::ip::make_address(address);
    options.connect.port = server.port();
    options.connect.timeout = 3000ms;
    options.urls = {url("/")};
    return options;
  }
  Verdict check(const HttpProbeOptions& options) {
    verdict.reset();
    HttpProbe probe(multi, options);
    probe.start([this](Verdict v) { verdict = std::move(v); });
    EXPECT_TRUE(runUntil(io, [this] { return verdict.has_value(); }));
    return verdict.value_or(Verdict::failure("no verdict"));
  }
};

TEST_F(HttpProbeTest, SendsKeepalivedsRequestWithTheVirtualhostsInOrder) {
  TestHttpServer server(io, "127.0.0.1");
  server.setReply(testing::httpReply(200, "hello world"));
  HttpProbeOptions options = optionsFor(server);
  options.virtualhost = "checker.example.test";
  options.urls = {url("/first?x=1", "url.example.test"), url("/second")};
  const Verdict v = check(options);
  EXPECT_TRUE(v.success) << v.reason;
  ASSERT_EQ(server.requests().size(), 2u);
  const auto& first = server.requests()[0];
  EXPECT_EQ(first.requestLine, "GET /first?x=1 HTTP/1.0");
  EXPECT_THAT(first.header("Host"), Optional(std::string("url.example.test")));
  EXPECT_THAT(first.header("User-Agent"), Optional(std::string("KeepAliveClient")));
  EXPECT_EQ(first.header("Accept"), std::nullopt);
  EXPECT_EQ(first.header("Connection"), std::nullopt);  // plain 1.0
  const auto& second = server.requests()[1];
  EXPECT_EQ(second.requestLine, "GET /second HTTP/1.0");
  EXPECT_THAT(second.header("Host"), Optional(std::string("checker.example.test")));
}

TEST_F(HttpProbeTest, HostIsTheAddressAndPortWithoutVirtualhost) {
  TestHttpServer server(io, "127.0.0.1");
  server.setReply(testing::httpReply(200, ""));
  EXPECT_TRUE(check(optionsFor(server)).success);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_THAT(server.requests()[0].header("Host"), Optional("127.0.0.1:" + std::to_string(server.port())));
}

TEST_F(HttpProbeTest, Ipv6HostIsBracketed) {
  if (!testing::haveIpv6Loopback()) GTEST_SKIP() << "no ::1 here";
  TestHttpServer server(io, "::1");
  server.setReply(testing::httpReply(200, ""));
  const Verdict v = check(optionsFor(server, "::1"));
  EXPECT_TRUE(v.success) << v.reason;
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_THAT(server.requests()[0].header("Host"), Optional("[::1]:" + std::to_string(server.port())));
}

TEST_F(HttpProbeTest, ProtocolVersions) {
  TestHttpServer server(io, "127.0.0.1");
  server.setReply(testing::httpReply(200, ""));
  HttpProbeOptions options = optionsFor(server);
  options.protocol = HttpVersion::V1_0C;
  EXPECT_TRUE(check(options).success);
  options.protocol = HttpVersion::V1_1;
  EXPECT_TRUE(check(options).success);
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[0].requestLine, "GET / HTTP/1.0");
  EXPECT_THAT(server.requests()[0].header("Connection"), Optional(std::string("close")));
  EXPECT_EQ(server.requests()[1].requestLine, "GET / HTTP/1.1");
  EXPECT_THAT(server.requests()[1].header("Connection"), Optional(std::string("close")));
}

TEST_F(HttpProbeTest, StatusCodeMustBeInTheUrlsRanges) {
  TestHttpServer server(io, "127.0.0.1");
  server.setReply(testing::httpReply(404, "missing"));
  HttpProbeOptions options = optionsFor(server);
  const Verdict byDefault = check(options);
  EXPECT_FALSE(byDefault.success);
  EXPECT_THAT(byDefault.reason, HasSubstr("HTTP status code 404"));

  options.urls[0].spec.statusCodes = {{200, 200}, {400, 404}};
  const Verdict accepted = check(options);
  EXPECT_TRUE(accepted.success) << accepted.reason;
}

TEST_F(HttpProbeTest, DigestOfTheBody) {
  TestHttpServer server(io, "127.0.0.1");
  server.setReply(testing::httpReply(200, "hello world", "X-Test: yes\r\n"));
  HttpProbeOptions options = optionsFor(server);
  options.urls[0].spec.digest = "5EB63BBBE01EEED093CB22BB8F5ACDC3";
  const Verdict matching = check(options);
  EXPECT_TRUE(matching.success) << matching.reason;

  options.urls[0].spec.digest = "00000000000000000000000000000000";
  const Verdict wrong = check(options);
  EXPECT_FALSE(wrong.success);
  EXPECT_THAT(wrong.reason, HasSubstr(std::string("MD5 digest ") + kHelloMd5));
}

TEST_F(HttpProbeTest, StopsAtTheFirstFailingUrl) {
  TestHttpServer server(io, "127.0.0.1");
  server.setReply(testing::httpReply(500, ""));
  HttpProbeOptions options = optionsFor(server);
  options.urls = {url("/broken"), url("/never")};
  const Verdict v = check(options);
  EXPECT_FALSE(v.success);
  EXPECT_THAT(v.reason, HasSubstr("/broken"));
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].requestLine, "GET /broken HTTP/1.0");
}

TEST_F(HttpProbeTest, ServerThatNeverAnswersTimesOut) {
  TestHttpServer server(io, "127.0.0.1");
  server.setReply(std::nullopt);
  HttpProbeOptions options = optionsFor(server);
  options.connect.timeout = 400ms;
  const auto started = std::chrono::steady_clock::now();
  const Verdict v = check(options);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_FALSE(v.success);
  EXPECT_THAT(v.reason, HasSubstr("timed out after 0.4 s"));
  EXPECT_EQ(server.requests().size(), 1u);  // the request went out; the answer never came
  EXPECT_GE(elapsed, 400ms);
  EXPECT_LT(elapsed, 2000ms);
  EXPECT_EQ(multi.transfers(), 0u);
  EXPECT_EQ(multi.watchedSockets(), 0u);
}

TEST_F(HttpProbeTest, ClosedPortFails) {
  HttpProbeOptions options;
  options.connect.address = asio::ip::make_address("127.0.0.1");
  options.connect.port = testing::closedPort("127.0.0.1");
  options.urls = {url("/")};
  const Verdict v = check(options);
  EXPECT_FALSE(v.success);
  EXPECT_THAT(v.reason, HasSubstr("127.0.0.1:" + std::to_string(options.connect.port)));
}

TEST_F(HttpProbeTest, BindIfIsAppliedToCurlsSocket) {
  TestHttpServer server(io, "127.0.0.1");
  server.setReply(testing::httpReply(200, ""));
  HttpProbeOptions options = optionsFor(server);
  options.connect.bindInterface = "nosuchif0";
  const Verdict v = check(options);
  EXPECT_FALSE(v.success);
  EXPECT_THAT(v.reason, HasSubstr("bind_if nosuchif0"));
  EXPECT_TRUE(server.requests().empty());
}

// keepalived hashes what it reads after the headers; a chunked reply is hashed with its framing, and so do we.
TEST_F(HttpProbeTest, ChunkedBodyIsHashedAsReceived) {
  TestHttpServer server(io, "127.0.0.1");
  const std::string raw = "b\r\nhello world\r\n0\r\n\r\n";
  server.setReply("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + raw);
  HttpProbeOptions options = optionsFor(server);
  options.protocol = HttpVersion::V1_1;
  options.urls[0].spec.digest = kHelloMd5;
  const Verdict decoded = check(options);
  EXPECT_FALSE(decoded.success);
  EXPECT_THAT(decoded.reason, HasSubstr("MD5 digest"));

  options.urls[0].spec.digest = md5Hex(raw);
  const Verdict asReceived = check(options);
  EXPECT_TRUE(asReceived.success) << asReceived.reason;
}

TEST_F(HttpProbeTest, CancelStopsTheTransfer) {
  TestHttpServer server(io, "127.0.0.1");
  server.setReply(std::nullopt);
  HttpProbe probe(multi, optionsFor(server));
  int calls = 0;
  probe.start([&calls](Verdict) { ++calls; });
  ASSERT_TRUE(runUntil(io, [&] { return server.requests().size() == 1; }));
  EXPECT_EQ(multi.transfers(), 1u);
  probe.cancel();
  EXPECT_FALSE(probe.running());
  EXPECT_EQ(multi.transfers(), 0u);
  testing::runFor(io, 200ms);
  EXPECT_EQ(calls, 0);
}

struct SslGetTest : HttpProbeTest {
  TestHttpServer server{io, "127.0.0.1", testing::selfSignedServerContext("real.example.test")};
  SslGetTest() { server.setReply(testing::httpReply(200, "hello world")); }
  HttpProbeOptions sslOptions() {
    HttpProbeOptions options = optionsFor(server);
    options.ssl = true;
    options.virtualhost = "www.example.test";
    options.urls[0].spec.digest = kHelloMd5;
    return options;
  }
};

TEST_F(SslGetTest, SendsTheVirtualhostAsSniWhenEnabled) {
  HttpProbeOptions options = sslOptions();
  options.enableSni = true;
  const Verdict v = check(options);
  EXPECT_TRUE(v.success) << v.reason;  // self-signed and for another name: keepalived does not verify either
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].sni, "www.example.test");
  EXPECT_THAT(server.requests()[0].header("Host"), Optional(std::string("www.example.test")));
}

TEST_F(SslGetTest, SniNameOverridesTheVirtualhostInTheHandshakeOnly) {
  HttpProbeOptions options = sslOptions();
  options.enableSni = true;
  options.sniName = "sni.example.test";
  options.urls[0].virtualhost = "url.example.test";
  const Verdict v = check(options);
  EXPECT_TRUE(v.success) << v.reason;
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].sni, "sni.example.test");
  EXPECT_THAT(server.requests()[0].header("Host"), Optional(std::string("url.example.test")));
}

TEST_F(SslGetTest, NoSniUnlessEnabled) {
  const Verdict v = check(sslOptions());
  EXPECT_TRUE(v.success) << v.reason;
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].sni, "");
  EXPECT_THAT(server.requests()[0].header("Host"), Optional(std::string("www.example.test")));
}

TEST_F(SslGetTest, PlainHttpToTheTlsServerFails) {
  HttpProbeOptions options = sslOptions();
  options.ssl = false;
  options.connect.timeout = 500ms;
  EXPECT_FALSE(check(options).success);
}

TEST(RequestFor, SniFallsBackToTheUrlsVirtualhostThenTheCheckers) {
  HttpProbeOptions options;
  options.connect.address = boost::asio::ip::make_address("192.0.2.1");
  options.connect.port = 443;
  options.ssl = true;
  options.enableSni = true;
  options.virtualhost = "checker";
  EXPECT_EQ(requestFor(options, url("/", "url")).sniName, "url");
  EXPECT_EQ(requestFor(options, url("/")).sniName, "checker");
  options.virtualhost.clear();
  EXPECT_EQ(requestFor(options, url("/")).sniName, "");
  EXPECT_EQ(requestFor(options, url("/")).host, "192.0.2.1:443");
  options.ssl = false;
  EXPECT_EQ(requestFor(options, url("/", "url")).sniName, "");
}

}  // namespace
}  // namespace tandem::check
