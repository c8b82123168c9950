// tandemctl's request parser must answer garbage with an error, never throw or crash.
#include <gtest/gtest.h>

#include <random>

#include "daemon/control_protocol.h"
#include "daemon/control_server.h"

namespace tandem::daemon {
namespace {

TEST(DaemonControlProtocol, ParsesTheKnownCommands) {
  for (const auto& [line, command] : std::vector<std::pair<std::string, ControlCommand>>{
           {R"({"command":"status"})", ControlCommand::Status},
           {"{\"command\": \"reload\"}\n", ControlCommand::Reload},
           {"{\"command\":\"ping\",\"extra\":1}\r\n", ControlCommand::Ping}}) {
    const ParsedRequest p = parseControlRequest(line);
    ASSERT_TRUE(p.request) << line << ": " << p.error;
    EXPECT_EQ(p.request->command, command);
  }
}

TEST(DaemonControlProtocol, RefusesMalformedRequestsWithAReason) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"", "not valid JSON"},
      {"status", "not valid JSON"},
      {"{\"command\":", "not valid JSON"},
      {"[\"status\"]", "must be a JSON object"},
      {"\"status\"", "must be a JSON object"},
      {"42", "must be a JSON object"},
      {"{}", "no \"command\""},
      {"{\"cmd\":\"status\"}", "no \"command\""},
      {"{\"command\":1}", "must be a string"},
      {"{\"command\":null}", "must be a string"},
      {"{\"command\":\"flush\"}", "unknown command \"flush\""},
      {"{\"command\":\"drain\"}", "drain needs \"real_server\""},
      {"{\"command\":\"undrain\",\"real_server\":7}", "\"real_server\" must be a string"},
      {"{\"command\":\"drain\",\"real_server\":\"10.0.0.1\",\"virtual_server\":[]}",
       "\"virtual_server\" must be a string"},
      {"{\"command\":\"STATUS\"}", "unknown command"},
  };
  for (const auto& [line, why] : cases) {
    const ParsedRequest p = parseControlRequest(line);
    EXPECT_FALSE(p.request) << line;
    EXPECT_NE(p.error.find(why), std::string::npos) << line << " -> " << p.error;
  }
}

TEST(DaemonControlProtocol, DrainCarriesItsServersBothWays) {
  const ControlRequest drain{ControlCommand::Drain, "TCP 192.0.2.1:80", "10.0.0.1:80"};
  const std::string line = encodeRequest(drain);
  EXPECT_EQ(line, "{\"command\":\"drain\",\"real_server\":\"10.0.0.1:80\",\"virtual_server\":\"TCP 192.0.2.1:80\"}\n");
  const ParsedRequest p = parseControlRequest(line);
  ASSERT_TRUE(p.request) << p.error;
  EXPECT_EQ(p.request->command, ControlCommand::Drain);
  EXPECT_EQ(p.request->virtualServer, "TCP 192.0.2.1:80");
  EXPECT_EQ(p.request->realServer, "10.0.0.1:80");
  const ParsedRequest everywhere = parseControlRequest("{\"command\":\"undrain\",\"real_server\":\"10.0.0.1\"}");
  ASSERT_TRUE(everywhere.request);
  EXPECT_EQ(everywhere.request->command, ControlCommand::Undrain);
  EXPECT_TRUE(everywhere.request->virtualServer.empty());
}

TEST(DaemonControlProtocol, RefusesAnOversizedLine) {
  const std::string line = "{\"command\":\"status\",\"pad\":\"" + std::string(kMaxRequestBytes, 'x') + "\"}";
  const ParsedRequest p = parseControlRequest(line);
  EXPECT_FALSE(p.request);
  EXPECT_NE(p.error.find("longer than"), std::string::npos);
}

TEST(DaemonControlProtocol, RandomBytesNeverThrowAndTheReplyIsOneValidJsonLine) {
  std::mt19937 random(12345);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 64);
  for (int i = 0; i < 2000; ++i) {
    std::string line;
    const int n = length(random);
    for (int k = 0; k < n; ++k) line += static_cast<char>(byte(random));
    if (i % 3 == 0) line = "{\"command\":\"" + line + "\"}";  // invalid UTF-8 inside a string
    ParsedRequest p;
    ASSERT_NO_THROW(p = parseControlRequest(line));
    if (p.request) continue;
    const std::string reply = encodeLine(errorReply(p.error));
    ASSERT_EQ(reply.back(), '\n');
    EXPECT_EQ(reply.find('\n'), reply.size() - 1);
    EXPECT_FALSE(nlohmann::json::parse(reply, nullptr, false).is_discarded()) << reply;
  }
}

TEST(DaemonControlProtocol, ServerAnswersGarbageAndHandlerExceptionsWithErrorReplies) {
  boost::asio::io_context io;
  int calls = 0;
  ControlServer server(io, "/nonexistent/unused.sock", [&](const ControlRequest& r) -> nlohmann::json {
    ++calls;
    if (r.command == ControlCommand::Reload) throw std::runtime_error("boom");
    return {{"ok", true}};
  }, [](const std::string&) {});
  EXPECT_EQ(server.answer("not json")["ok"], false);
  EXPECT_EQ(server.answer(R"({"command":"reload"})")["error"], "internal error: boom");
  EXPECT_EQ(server.answer(R"({"command":"status"})")["ok"], true);
  EXPECT_EQ(calls, 2);
}

TEST(DaemonControlProtocol, RequestsRoundTrip) {
  for (auto c : {ControlCommand::Status, ControlCommand::Reload, ControlCommand::Ping}) {
    const ParsedRequest p = parseControlRequest(encodeRequest(c));
    ASSERT_TRUE(p.request);
    EXPECT_EQ(p.request->command, c);
  }
}

TEST(DaemonControlProtocol, ChildSocketsAreNamedAfterTheMainOne) {
  EXPECT_EQ(childSocketPath("/run/tandem.sock", "vrrp"), "/run/tandem-vrrp.sock");
  EXPECT_EQ(childSocketPath("/tmp/x/ctl", "checker"), "/tmp/x/ctl-checker");
  EXPECT_EQ(childSocketPath(".sock", "vrrp"), ".sock-vrrp");
}

}  // namespace
}  // namespace tandem::daemon
