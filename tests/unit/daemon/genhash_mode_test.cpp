// tandemd -T/--genhash: keepalived 2.2.7's genhash options and messages (the expected texts are what Debian's
// /usr/bin/genhash printed for the same arguments), and whole runs against a loopback server on a second thread.
#include "daemon/genhash_mode.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <sstream>
#include <thread>

#include "daemon/options.h"
#include "tests/unit/checkers_linux/test_servers.h"

namespace tandem::daemon {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::StartsWith;
namespace asio = boost::asio;

GenhashParse parse(std::vector<std::string> args) { return parseGenhashArguments(args); }

std::vector<std::string> withTarget(std::vector<std::string> extra) {
  std::vector<std::string> args{"-s", "127.0.0.1", "-p", "8080", "-u", "/index.html"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(GenhashCommandLine, ShortOptions) {
  const auto r = parse({"-S", "-I", "-s", "192.0.2.7", "-p", "8443", "-u", "/a?b", "-V", "www.example.test", "-v",
                        "-P", "1.1", "-t", "3"});
  ASSERT_TRUE(r.command) << r.error;
  const GenhashCommand& c = *r.command;
  EXPECT_TRUE(c.options.ssl && c.options.sni && c.verbose);
  EXPECT_EQ(c.options.server, "192.0.2.7");
  EXPECT_EQ(c.options.port, 8443);
  EXPECT_EQ(c.url, "/a?b");
  EXPECT_EQ(c.options.virtualhost, "www.example.test");
  EXPECT_EQ(c.options.protocol, check::HttpVersion::V1_1);
  EXPECT_EQ(c.options.timeout, std::chrono::seconds(3));
  EXPECT_FALSE(c.options.fwmark);
}

TEST(GenhashCommandLine, DefaultsAreKeepalived) {
  const auto r = parse(withTarget({}));
  ASSERT_TRUE(r.command) << r.error;
  EXPECT_FALSE(r.command->options.ssl || r.command->options.sni || r.command->verbose);
  EXPECT_EQ(r.command->options.protocol, check::HttpVersion::V1_0);
  EXPECT_EQ(r.command->options.timeout, std::chrono::milliseconds(0));  // keepalived waits forever
  EXPECT_EQ(r.command->options.virtualhost, "");
}

TEST(GenhashCommandLine, LongOptionsWithEqualsSignsAndUniquePrefixes) {
  const auto r = parse({"--use-ssl", "--use-sni", "--server=2001:db8::1", "--port", "443", "--url=/x", "--use-v",
                        "host.test", "--verb", "--protocol=1.0C", "--timeout", " 7", "--serv", "::1", "--fw", "5"});
  ASSERT_TRUE(r.command) << r.error;
  const GenhashCommand& c = *r.command;
  EXPECT_TRUE(c.options.ssl && c.options.sni && c.verbose);
  EXPECT_EQ(c.options.server, "::1");  // the last one given, as with getopt
  EXPECT_EQ(c.options.port, 443);
  EXPECT_EQ(c.url, "/x");
  EXPECT_EQ(c.options.virtualhost, "host.test");
  EXPECT_EQ(c.options.protocol, check::HttpVersion::V1_0C);
  EXPECT_EQ(c.options.timeout, std::chrono::seconds(7));
  EXPECT_THAT(c.options.fwmark, Optional(5u));
}

TEST(GenhashCommandLine, ClustersAttachedValuesAndValuesThatLookLikeOptions) {
  auto r = parse({"-vS", "-s127.0.0.1", "-p+8080", "-u/x", "-V", "-v"});
  ASSERT_TRUE(r.command) << r.error;
  EXPECT_TRUE(r.command->verbose && r.command->options.ssl);
  EXPECT_EQ(r.command->options.server, "127.0.0.1");
  EXPECT_EQ(r.command->options.port, 8080);
  EXPECT_EQ(r.command->url, "/x");
  EXPECT_EQ(r.command->options.virtualhost, "-v");  // getopt takes the next word whatever it is
  EXPECT_FALSE(parse({"-Sv"}).command);
  r = parse({"-Ss", "127.0.0.1", "-p", "80", "-u", "/"});
  ASSERT_TRUE(r.command) << r.error;
  EXPECT_TRUE(r.command->options.ssl);
}

TEST(GenhashCommandLine, ProtocolSpellings) {
  const std::pair<const char*, check::HttpVersion> accepted[] = {
      {"1.0", check::HttpVersion::V1_0}, {"1.0c", check::HttpVersion::V1_0C}, {"1.0C", check::HttpVersion::V1_0C},
      {"1.1", check::HttpVersion::V1_1}};
  for (const auto& [text, version] : accepted) {
    const auto r = parse(withTarget({"-P", text}));
    ASSERT_TRUE(r.command) << text << ": " << r.error;
    EXPECT_EQ(r.command->options.protocol, version) << text;
  }
  for (const char* text : {"2.0", "1.1c", "1.0K", "1.1k", "1", "", "HTTP/1.1"}) {
    const auto r = parse(withTarget({"-P", text}));
    EXPECT_FALSE(r.command) << text;
    EXPECT_EQ(r.error, std::string("invalid HTTP protocol version '") + text + "'");
  }
}

// Each message is the first line Debian's genhash (keepalived 2.2.7) printed on stderr for the same arguments.
TEST(GenhashCommandLine, MistakesGetKeepalivedsMessages) {
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {withTarget({"-s", "www.example.com"}), "server should be an IP, not www.example.com"},
      {withTarget({"-s", "[::1]"}), "server should be an IP, not [::1]"},
      {withTarget({"-s", "1.2.3"}), "server should be an IP, not 1.2.3"},
      {withTarget({"-p", "99999"}), "invalid port number '99999'"},
      {withTarget({"-p", "0"}), "invalid port number '0'"},
      {withTarget({"-p", "8080x"}), "invalid port number '8080x'"},
      {withTarget({"-p", ""}), "invalid port number ''"},
      {withTarget({"-t", "abc"}), "invalid timeout 'abc'"},
      {withTarget({"-t", ""}), "invalid timeout ''"},
      {withTarget({"-t", "-1"}), "invalid timeout '-1'"},
      {withTarget({"-m", "x"}), "invalid fwmark 'x'"},
      {withTarget({"-m", "-1"}), "invalid fwmark '-1'"},
      {withTarget({"-x"}), "Unknown option -x"},
      {withTarget({"-T"}), "Unknown option -T"},
      {withTarget({"--bogus"}), "Unknown option --bogus"},
      {withTarget({"--u", "/x"}), "Unknown option --u"},  // ambiguous: url, use-ssl, use-sni, use-virtualhost
      {withTarget({"--verbose=1"}), "Unknown option --verbose=1"},
      {withTarget({"--use-ssl=yes"}), "Unknown option --use-ssl=yes"},
      {withTarget({"-V"}), "Missing parameter for option -V"},
      {withTarget({"--port"}), "Missing parameter for option --port"},
      {withTarget({"extra", "args"}), "Unexpected argument(s): extra args"},
      {{"-s", "127.0.0.1", "-p", "8080", "--", "-u", "/index.html"}, "Unexpected argument(s): -u /index.html"},
  };
  for (const auto& [args, message] : cases) {
    const auto r = parse(args);
    EXPECT_FALSE(r.command) << message;
    EXPECT_FALSE(r.help) << message;
    EXPECT_EQ(r.error, message);
  }
}

TEST(GenhashCommandLine, ServerPortAndUrlAreRequired) {
  EXPECT_EQ(parse({"-s", "127.0.0.1", "-p", "8080"}).error,
            "missing -u url; genhash needs -s server-address -p port -u url");
  EXPECT_EQ(parse({"-s", "127.0.0.1", "-u", "/"}).error,
            "missing -p port; genhash needs -s server-address -p port -u url");
  EXPECT_EQ(parse({"-p", "8080", "-u", "/"}).error,
            "missing -s server-address; genhash needs -s server-address -p port -u url");
  EXPECT_EQ(parse({"-v"}).error,
            "missing -s server-address, -p port, -u url; genhash needs -s server-address -p port -u url");
  EXPECT_FALSE(parse({}).command);
}

TEST(GenhashCommandLine, HelpWinsUnlessAnEarlierOptionIsWrong) {
  EXPECT_TRUE(parse({"-h"}).help);
  EXPECT_TRUE(parse(withTarget({"--help"})).help);
  EXPECT_TRUE(parse({"-vh"}).help);
  const auto r = parse({"-p", "0", "-h"});
  EXPECT_FALSE(r.help);
  EXPECT_EQ(r.error, "invalid port number '0'");
  EXPECT_THAT(genhashUsage(), StartsWith("Usage: tandemd --genhash COMMAND [OPTIONS]\n"));
  EXPECT_THAT(genhashUsage(), HasSubstr("   --timeout         -t       Timeout in seconds\n"));
}

TEST(GenhashCommandLine, ZeroTimeoutIsRefused) {
  EXPECT_EQ(parse(withTarget({"-t", "0"})).error, "invalid timeout '0': at least 1 second");
}

TEST(GenhashCommandLine, FwmarkGoesOnTheSocketOptions) {
  const GenhashParse r = parse(withTarget({"-m", " 7"}));
  ASSERT_TRUE(r.command) << r.error;
  EXPECT_THAT(r.command->options.fwmark, Optional(7u));
  EXPECT_EQ(parse(withTarget({"-m", "4294967296"})).error, "invalid fwmark '4294967296'");
}

TEST(GenhashCommandLine, RunPrintsOneLineForAMistakeAndTheUsageForHelp) {
  std::ostringstream out, err;
  EXPECT_EQ(runGenhash({"-s", "127.0.0.1", "-p", "8080", "-u", "/", "-P", "2.0"}, out, err), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), "tandemd --genhash: invalid HTTP protocol version '2.0' (tandemd --genhash -h lists the options)\n");
  std::ostringstream helpOut, helpErr;
  EXPECT_EQ(runGenhash({"-h"}, helpOut, helpErr), 0);
  EXPECT_EQ(helpOut.str(), genhashUsage());
  EXPECT_EQ(helpErr.str(), "");
}

TEST(GenhashCommandLine, WhereGenhashModeStarts) {
  auto start = [](std::vector<const char*> args) {
    args.insert(args.begin(), "tandemd");
    return genhashArgumentStart(static_cast<int>(args.size()), args.data());
  };
  EXPECT_EQ(start({"-T", "-s", "127.0.0.1"}), 2);
  EXPECT_EQ(start({"--genhash", "-h"}), 2);
  EXPECT_EQ(start({"-l", "-T", "-s", "127.0.0.1"}), 3);  // keepalived: a warning, the options before ignored
  EXPECT_EQ(start({"-T"}), 2);
  EXPECT_EQ(start({"-f", "x.conf", "-t"}), std::nullopt);
  EXPECT_EQ(start({"--", "-T"}), std::nullopt);
  EXPECT_EQ(start({}), std::nullopt);
}

TEST(GenhashCommandLine, DaemonParserListsGenhashAndRefusesItMidway) {
  const char* help[] = {"tandemd", "--help"};
  const ParseOutcome shown = parseCommandLine(2, help);
  EXPECT_THAT(shown.output, HasSubstr("-T,--genhash"));
  const char* late[] = {"tandemd", "-n", "--genhash"};
  const ParseOutcome refused = parseCommandLine(3, late);
  EXPECT_FALSE(refused.options);
  EXPECT_EQ(refused.exitCode, 2);
  EXPECT_THAT(refused.error, HasSubstr("-T/--genhash"));
}

// Lines Debian's genhash printed for a python http.server reply (the first and last of its header dump).
TEST(GenhashOutput, HexDumpIsKeepalivedsDumpBuffer) {
  EXPECT_EQ(hexDump("HTTP/1.0 200 OK\r\n"),
            "0000  48 54 54 50 2f 31 2e 30 - 20 32 30 30 20 4f 4b 0d   HTTP/1.0 200 OK.\n"
            "0016  0a                      -                           .               \n");
  const std::string head = std::string(176, 'x') + "4 GMT\r\n\r\n";
  const std::string dump = hexDump(head);
  EXPECT_THAT(dump, HasSubstr("\n0176  34 20 47 4d 54 0d 0a 0d - 0a                        4 GMT....       \n"));
  EXPECT_EQ(hexDump(""), "");
  EXPECT_EQ(hexDump(std::string("\x7f\x1f\x20\x7e", 4)),
            "0000  7f 1f 20 7e             -                           .. ~            \n");
}

TEST(GenhashOutput, PlainAndVerboseReports) {
  GenhashCommand command;
  command.url = "/index.html";
  check::HttpResponse response;
  response.status = 200;
  response.md5Hex = "b0de18193e2244faadbb22b1cc770490";
  response.bodyBytes = 14;
  response.headers = {"HTTP/1.0 200 OK", "Content-Length: 14"};
  EXPECT_EQ(genhashReport(command, response, std::chrono::microseconds(4701)), "b0de18193e2244faadbb22b1cc770490\n");
  command.verbose = true;
  const std::string expected =
      "-----------------------[    HTTP Header Buffer    ]-----------------------\n"
      "0000  48 54 54 50 2f 31 2e 30 - 20 32 30 30 20 4f 4b 0d   HTTP/1.0 200 OK.\n"
      "0016  0a 43 6f 6e 74 65 6e 74 - 2d 4c 65 6e 67 74 68 3a   .Content-Length:\n"
      "0032  20 31 34 0d 0a 0d 0a    -                            14....         \n"
      "-----------------------[ HTTP Header Ascii Buffer ]-----------------------\n"
      "HTTP/1.0 200 OK\r\nContent-Length: 14\r\n\r\n\n"
      "-----------------------[        HTML Buffer        ]-----------------------\n"
      "(14 bytes, hashed as they arrived; tandemd keeps no copy to dump)\n\n"
      "-----------------------[    HTML hash resulting    ]-----------------------\n"
      "0000  b0 de 18 19 3e 22 44 fa - ad bb 22 b1 cc 77 04 90   ....>\"D...\"..w..\n"
      "-----------------------[ HTML hash final resulting ]-----------------------\n"
      "b0de18193e2244faadbb22b1cc770490\n"
      "\n"
      "Global response time for [/index.html] = 4701 usecs\n";
  EXPECT_EQ(genhashReport(command, response, std::chrono::microseconds(4701)), expected);
}

// The server runs on its own loop in a second thread: runGenhash blocks on a private loop of its own.
class ServedGenhash : public ::testing::Test {
 protected:
  void serve(const std::string& body, std::shared_ptr<asio::ssl::context> tls = nullptr) {
    server_.emplace(io_, "127.0.0.1", std::move(tls));
    server_->setReply(check::testing::httpReply(200, body));
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::vector<std::string> target(const std::string& url) {
    return {"-s", "127.0.0.1", "-p", std::to_string(server_->port()), "-u", url, "-t", "5"};
  }
  int run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    return runGenhash(args, out_, err_);
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::optional<check::testing::TestHttpServer> server_;
  std::thread thread_;
  std::ostringstream out_, err_;
};

std::string md5Of(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_md5(), nullptr);
  std::string hex;
  char pair[3];
  for (unsigned i = 0; i < size; ++i) {
    std::snprintf(pair, sizeof pair, "%02x", digest[i]);
    hex += pair;
  }
  return hex;
}

TEST_F(ServedGenhash, PrintsTheDigestOfTheBodyLikeDebiansGenhash) {
  serve("hello genhash\n");  // Debian's genhash and md5sum: b0de18193e2244faadbb22b1cc770490
  EXPECT_EQ(run(target("/index.html")), 0) << err_.str();
  EXPECT_EQ(out_.str(), "b0de18193e2244faadbb22b1cc770490\n");
  EXPECT_EQ(err_.str(), "");
  ASSERT_EQ(server_->requests().size(), 1u);
  EXPECT_EQ(server_->requests()[0].requestLine, "GET /index.html HTTP/1.0");
  EXPECT_EQ(server_->requests()[0].header("Host"), "127.0.0.1:" + std::to_string(server_->port()));
}

TEST_F(ServedGenhash, BinaryBodyOfManyReads) {
  std::string body;
  for (int i = 0; i < 100000; ++i) body.push_back(static_cast<char>((i * 131 + i / 7) & 0xff));
  serve(body);
  auto args = target("/big.bin");
  args.insert(args.end(), {"-P", "1.1", "-V", "www.example.test"});
  EXPECT_EQ(run(args), 0) << err_.str();
  EXPECT_EQ(out_.str(), md5Of(body) + "\n");
  ASSERT_EQ(server_->requests().size(), 1u);
  EXPECT_EQ(server_->requests()[0].requestLine, "GET /big.bin HTTP/1.1");
  EXPECT_EQ(server_->requests()[0].header("Host"), "www.example.test");
}

TEST_F(ServedGenhash, SslWithSniAndVerboseSections) {
  serve("secure body", check::testing::selfSignedServerContext("genhash.example.test"));
  auto args = target("/");
  args.insert(args.end(), {"--use-ssl", "--use-sni", "--use-virtualhost=www.example.test", "-v"});
  EXPECT_EQ(run(args), 0) << err_.str();
  const std::string printed = out_.str();
  EXPECT_THAT(printed, StartsWith("-----------------------[    HTTP Header Buffer    ]-----------------------\n"
                                  "0000  48 54 54 50 2f 31 2e 30 - 20 32 30 30 20 58 0d 0a   HTTP/1.0 200 X..\n"));
  EXPECT_THAT(printed, HasSubstr("HTTP/1.0 200 X\r\nContent-Length: 11\r\n\r\n\n"));
  EXPECT_THAT(printed, HasSubstr("(11 bytes, hashed as they arrived; tandemd keeps no copy to dump)\n"));
  EXPECT_THAT(printed, HasSubstr("]-----------------------\n" + md5Of("secure body") + "\n\nGlobal response time for [/] = "));
  EXPECT_THAT(printed, ::testing::EndsWith(" usecs\n"));
  ASSERT_EQ(server_->requests().size(), 1u);
  EXPECT_EQ(server_->requests()[0].sni, "www.example.test");
}

TEST(GenhashRun, AFailedFetchIsOneLineOnStderrAndExitOne) {
  std::ostringstream out, err;
  const std::string port = std::to_string(check::testing::closedPort("127.0.0.1"));
  EXPECT_EQ(runGenhash({"-s", "127.0.0.1", "-p", port, "-u", "/", "-t", "5"}, out, err), 1);
  EXPECT_EQ(out.str(), "");
  const std::string printed = err.str();
  EXPECT_THAT(printed, StartsWith("tandemd --genhash: 127.0.0.1:" + port + ": "));
  EXPECT_EQ(std::count(printed.begin(), printed.end(), '\n'), 1);
}

}  // namespace
}  // namespace tandem::daemon
