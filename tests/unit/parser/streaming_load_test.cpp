// The loader streams preprocessed lines into the model builder, statement by statement (StatementStream). These
// tests hold it to the plain pipeline (all lines, whole tree, read, validate): same model (as dumped), same messages
// in the same order, also when it must fall back because a brace is missing.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "parser/config_loader.h"
#include "parser/dump_writer.h"
#include "parser/model.h"
#include "parser/statement_stream.h"
#include "tests/unit/parser/preprocessor_test_support.h"

namespace tandem::config {
namespace {

using testing::FakeFileSystem;

constexpr const char* kMain = "/etc/keepalived/keepalived.conf";

struct Outcome {
  std::vector<std::string> messages;
  std::string dump;
};

Outcome describe(const Config& config, const Diagnostics& diags) {
  Outcome o;
  for (const Diagnostic& d : diags.all()) o.messages.push_back(d.format());
  std::ostringstream text;
  TextDumpWriter writer(text);
  topLevelSchema().write(config, writer);
  o.dump = text.str();
  return o;
}

// The pipeline as it was before streaming, step by step.
Outcome reference(const std::string& text, FileSystem& fs) {
  Diagnostics diags;
  std::vector<SourceLine> lines = preprocessText(kMain, text, {}, fs, diags);
  SyntaxTree tree = buildTree(lines, diags, isTopLevelOnlyBlock);
  Config config;
  BuildContext ctx{diags};
  topLevelSchema().read(config, tree.topLevel, ctx);
  validate(config, diags);
  return describe(config, diags);
}

void expectSameAsReference(const std::string& text) {
  FakeFileSystem fs;
  fs.add("/etc/keepalived/extra.conf", "virtual_server 10.0.0.9 80 {\n protocol TCP\n real_server 10.0.1.9 80 {\n }\n}\n");
  const Outcome expected = reference(text, fs);
  const LoadedConfig loaded = loadConfigText(kMain, text, {}, fs);
  const Outcome streamed = describe(loaded.config, loaded.diagnostics);
  EXPECT_EQ(streamed.messages, expected.messages);
  EXPECT_EQ(streamed.dump, expected.dump);
  // buildConfig on collected lines takes the same streaming path.
  Diagnostics diags;
  const std::vector<SourceLine> lines = preprocessText(kMain, text, {}, fs, diags);
  const LoadedConfig built = buildConfig(lines, std::move(diags));
  const Outcome fromLines = describe(built.config, built.diagnostics);
  EXPECT_EQ(fromLines.messages, expected.messages);
  EXPECT_EQ(fromLines.dump, expected.dump);
}

// Whether the lines went through statement by statement, without the fallback that hides a mistake of the streamed
// path behind the whole-tree one.
bool streamsThrough(const std::string& text) {
  FakeFileSystem fs;
  Diagnostics diags;
  const std::vector<SourceLine> lines = preprocessText(kMain, text, {}, fs, diags);
  StreamingConfigBuilder streaming;
  for (const SourceLine& line : lines) streaming.line(line.where, line.text, line.expandedAt);
  LoadedConfig out;
  return streaming.finish(out);
}

void expectStreamedAsReference(const std::string& text) {
  EXPECT_TRUE(streamsThrough(text));
  expectSameAsReference(text);
}

const char* const kGood =
    "global_defs {\n router_id r1\n}\n"
    "vrrp_instance VI_1\n{\n state MASTER\n interface eth0\n virtual_router_id 51\n priority 100\n"
    " virtual_ipaddress {\n  10.0.0.1/24\n }\n}\n"
    "virtual_server 10.0.0.1 80 {\n delay_loop 5\n lb_algo rr\n protocol TCP\n"
    " real_server 10.0.1.1 80 { weight 2\n  TCP_CHECK {\n   connect_timeout 3\n  }\n }\n"
    " real_server 10.0.1.2 80 {\n  HTTP_GET {\n   url {\n    path /\n   }\n  }\n }\n}\n";

TEST(StreamingLoad, CleanConfigurationReadsAsThePlainPipeline) { expectStreamedAsReference(kGood); }

// Statements Tandem keeps without acting on them outlive the arena their tree was read from: the blocks read after
// them reuse it, and the dump still writes them word for word.
TEST(StreamingLoad, KeptStatementsOutliveTheArenaTheyWereReadFrom) {
  std::string text =
      "bfd_instance B1 {\n min_rx 10\n idle_tx \"a long quoted word that does not fit in a short string\"\n}\n"
      "net_namespace blue_namespace_with_a_long_name\n"
      "global_defs {\n router_id r1\n use_pid_dir\n}\n";
  for (int i = 0; i < 200; ++i)
    text += "virtual_server 10.0.0.1 " + std::to_string(1000 + i) + " {\n protocol TCP\n real_server 10.0.1." +
            std::to_string(i % 250) + " 80 {\n  weight 1\n  TCP_CHECK {\n   connect_timeout 3\n  }\n }\n}\n";
  expectStreamedAsReference(text);
  FakeFileSystem fs;
  const LoadedConfig loaded = loadConfigText(kMain, text, {}, fs);
  const std::string dump = describe(loaded.config, loaded.diagnostics).dump;
  EXPECT_NE(dump.find("idle_tx \"a long quoted word that does not fit in a short string\""), std::string::npos) << dump;
  EXPECT_NE(dump.find("net_namespace blue_namespace_with_a_long_name"), std::string::npos);
}

// A statement that starts mid-line hands the ones before it over, and the arena they were read from is released
// there, mid-line: nothing the line's later statements hold may live in it.
TEST(StreamingLoad, StatementsSharingALineKeepTheirOwnWords) {
  const std::string text =
      "global_defs { router_id first_router_on_the_line } vrrp_script chk_a_script_with_a_long_name { script "
      "\"/usr/local/bin/check it\" } vrrp_script chk_b { script \"/bin/true\" }\n"
      "virtual_server 10.0.0.1 80 { protocol TCP real_server 10.0.1.1 80 { weight 2 } }\n";
  expectStreamedAsReference(text);
  FakeFileSystem fs;
  const LoadedConfig loaded = loadConfigText(kMain, text, {}, fs);
  EXPECT_EQ(loaded.config.global.router_id, "first_router_on_the_line");
  ASSERT_EQ(loaded.config.vrrp.scripts.size(), 2u);
  EXPECT_EQ(loaded.config.vrrp.scripts[0].name, "chk_a_script_with_a_long_name");
  EXPECT_EQ(loaded.config.vrrp.scripts[0].script, "/usr/local/bin/check it");
  EXPECT_EQ(loaded.config.vrrp.scripts[1].name, "chk_b");
}

// A copy of the model keeps its kept statements readable after the original and every tree are gone.
TEST(StreamingLoad, ACopiedModelKeepsItsKeptStatements) {
  const std::string text = "net_namespace blue_namespace_with_a_long_name\nglobal_defs {\n use_pid_dir\n}\n";
  FakeFileSystem fs;
  auto loaded = std::make_unique<LoadedConfig>(loadConfigText(kMain, text, {}, fs));
  const std::string before = describe(loaded->config, loaded->diagnostics).dump;
  const Config copy = loaded->config;
  loaded.reset();
  const std::string after = describe(copy, Diagnostics{}).dump;
  EXPECT_EQ(after, before);
  EXPECT_NE(after.find("net_namespace blue_namespace_with_a_long_name"), std::string::npos);
}

// A block's '{' may stand on the next line, alone or before the block's first statement; a statement ends with its
// line only once the next line does not open its block.
TEST(StreamingLoad, BracesOnTheirOwnLines) {
  expectStreamedAsReference(
      "virtual_server 10.0.0.1 80\n{\n protocol TCP\n real_server 10.0.1.1 80\n {  weight 2\n  TCP_CHECK\n  {\n"
      "   connect_timeout 3\n  }\n }\n delay_loop 7\n}\n"
      "vrrp_instance VI_1\n{ state BACKUP\n interface eth0\n virtual_router_id 9\n virtual_ipaddress\n {\n 10.0.0.2\n"
      " }\n}\n");
  FakeFileSystem fs;
  const LoadedConfig loaded = loadConfigText(kMain, "virtual_server 10.0.0.1 80\n{\n protocol TCP\n real_server "
                                             "10.0.1.1 80\n {  weight 2\n }\n delay_loop 7\n}\n", {}, fs);
  ASSERT_EQ(loaded.config.lvs.virtual_servers.size(), 1u);
  const VirtualServer& vs = loaded.config.lvs.virtual_servers[0];
  ASSERT_EQ(vs.real_servers.size(), 1u);
  EXPECT_EQ(vs.real_servers[0].weight, 2);
  EXPECT_EQ(vs.delay_loop, 7.0);
}

// Lists (virtual_ipaddress), kept blocks and unknown blocks are read whole inside blocks read statement by
// statement, and the statements after them go back to the streamed block.
TEST(StreamingLoad, BlocksReadWholeInsideStreamedOnes) {
  expectStreamedAsReference(
      "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 9\n virtual_ipaddress {\n  10.0.0.2/24\n"
      "  10.0.0.3/24 dev eth0\n }\n priority 120\n track_interfaces {\n  eth1\n }\n}\n"
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n real_server 10.0.1.1 80 {\n  weight 2\n"
      "  bogus_block {\n   nested { a b }\n  }\n  MISC_CHECK {\n   misc_path \"/bin/true\"\n  }\n }\n"
      " delay_loop 4\n}\n");
  FakeFileSystem fs;
  const LoadedConfig loaded = loadConfigText(
      kMain, "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 9\n virtual_ipaddress {\n  10.0.0.2/24\n }\n"
             " priority 120\n}\n", {}, fs);
  ASSERT_EQ(loaded.config.vrrp.instances.size(), 1u);
  EXPECT_EQ(loaded.config.vrrp.instances[0].priority, 120);
  EXPECT_EQ(loaded.config.vrrp.instances[0].virtual_ipaddress.size(), 1u);
}

// A virtual server with a bad header still has its block read (its mistakes reported) and is then dropped; the next
// one is kept.
TEST(StreamingLoad, AVirtualServerWithABadHeaderIsReadAndDropped) {
  const std::string text =
      "virtual_server 10.0.0.300 80 {\n protocol TCP\n real_server 10.0.1.1 80 {\n  weight 0\n }\n}\n"
      "virtual_server 10.0.0.2 80 {\n protocol TCP\n real_server 10.0.1.2 80 {\n  weight 3\n }\n}\n"
      "virtual_server fwmark\n";
  expectStreamedAsReference(text);
  FakeFileSystem fs;
  const LoadedConfig loaded = loadConfigText(kMain, text, {}, fs);
  ASSERT_EQ(loaded.config.lvs.virtual_servers.size(), 1u);
  EXPECT_EQ(loaded.config.lvs.virtual_servers[0].real_servers.at(0).weight, 3);
}

// Vectors of blocks are sized from the last block of the same kind: fewer, more and as many real servers as the
// virtual server before must all be read, and as many as before fit without growing.
TEST(StreamingLoad, BlockCountsThatChangeFromOneBlockToTheNext) {
  std::string text;
  for (int count : {10, 3, 25, 1, 0, 25, 40, 40}) {
    text += "virtual_server 10.0.0.1 " + std::to_string(1000 + count) + " {\n protocol TCP\n";
    for (int i = 0; i < count; ++i)
      text += " real_server 10.0.1." + std::to_string(i + 1) + " 80 {\n  weight " + std::to_string(i % 7 + 1) +
              "\n  TCP_CHECK {\n   connect_timeout 3\n  }\n" + (i % 5 == 0 ? "  HTTP_GET {\n   url { path / }\n  }\n" : "") +
              " }\n";
    text += "}\n";
  }
  expectStreamedAsReference(text);
  FakeFileSystem fs;
  const LoadedConfig loaded = loadConfigText(kMain, text, {}, fs);
  std::vector<std::size_t> counts;
  for (const VirtualServer& vs : loaded.config.lvs.virtual_servers) counts.push_back(vs.real_servers.size());
  EXPECT_EQ(counts, (std::vector<std::size_t>{10, 3, 25, 1, 0, 25, 40, 40}));
  EXPECT_EQ(loaded.config.lvs.virtual_servers.back().real_servers.back().weight, 40 % 7);
  // As many as the one before: room for exactly these, taken once.
  EXPECT_EQ(loaded.config.lvs.virtual_servers.back().real_servers.capacity(), 40u);
}

// A block keyword given twice, once on one line with another block after it, warns as the whole-tree reading does.
TEST(StreamingLoad, RepeatedBlocksAndStatementsAfterAClosingBrace) {
  expectStreamedAsReference(
      "global_defs { router_id a } global_defs {\n router_id b\n}\n"
      "virtual_server 10.0.0.1 80 {\n real_server 10.0.1.1 80 { weight 1 } real_server 10.0.1.2 80 { weight 2 }"
      " protocol TCP\n}\n"
      "virtual_server 10.0.0.2 80 {\n protocol TCP\n}");  // no newline at the end
}

// Virtual servers are checked as soon as their block is read; their messages must still come where and as the
// whole-model validation gives them: after every reading message, among the group's virtual servers (checked at the
// end, the group being defined after them) and the warnings about services defined twice.
TEST(StreamingLoad, VirtualServersCheckedEarlyReportAsTheWholeModelDoes) {
  std::string text =
      "virtual_server group WEB {\n protocol TCP\n real_server 10.0.1.1 80 {\n  weight 1\n }\n"
      " real_server 10.0.1.1 80 {\n  weight 2\n }\n}\n"
      "virtual_server 10.0.0.1 80 {\n real_server 10.0.1.1 80 {\n  uthreshold 5\n  lthreshold 9\n"
      "  HTTP_GET {\n   connect_timeout 2\n  }\n }\n real_server 10.0.1.1 80 {\n  MISC_CHECK {\n  }\n }\n"
      " real_server fe80::1 80 {\n  TCP_CHECK {\n  }\n }\n}\n"
      "virtual_server 10.0.0.300 80 {\n protocol TCP\n real_server 10.0.1.1 80 {\n }\n}\n"
      "virtual_server 10.0.0.1 80 {\n quorum 50\n sorry_server_inhibit\n}\n"
      "virtual_server fwmark 7 {\n lvs_method DR\n real_server 10.0.1.2 8080 {\n  weight 2\n }\n"
      " real_server 2001:db8::2 80 {\n  weight 2\n }\n}\n"
      "virtual_server_group WEB {\n 10.0.0.5 80\n}\n"
      "virtual_server 10.0.0.9 80 {\n protocol TCP\n real_server 10.0.1.9 80 {\n  bogus 1\n }\n}\n";
  expectStreamedAsReference(text);
  FakeFileSystem fs;
  const LoadedConfig loaded = loadConfigText(kMain, text, {}, fs);
  std::size_t validation = 0;
  for (const Diagnostic& d : loaded.diagnostics.all())
    if (d.message.find("already defined") != std::string::npos || d.message.find("has no 'path'") != std::string::npos ||
        d.message.find("no 'url'") != std::string::npos || d.message.find("misc_path") != std::string::npos ||
        d.message.find("below 'lthreshold'") != std::string::npos || d.message.find("link-local") != std::string::npos)
      ++validation;
  EXPECT_GE(validation, 5u);  // the test checks something: most of the messages above are there
}

// Each virtual server but a group's is checked when its '}' is read: with all of it, and only once.
TEST(StreamingLoad, EachVirtualServerIsCheckedEarlyOnceComplete) {
  Config config;
  Diagnostics reading, lexing;
  EarlyLvsChecks early;
  StatementStream stream(openBlock(topLevelSchema(), config), BuildContext{reading, nullptr, &early}, lexing);
  const Location where{FileName(kMain), 1};
  for (const char* line : {"virtual_server 10.0.0.1 80 {", " protocol TCP", " real_server 10.0.1.1 80 {", " }",
                           " real_server 10.0.1.1 80 {", " }", "}", "virtual_server group G {", " protocol TCP", "}",
                           "virtual_server fwmark 3 {", "}"})
    stream.addLine(where, line);
  ASSERT_TRUE(stream.finish());
  ASSERT_EQ(config.lvs.virtual_servers.size(), 3u);
  const std::vector<Diagnostic>* first = early.messagesOf(0);
  ASSERT_NE(first, nullptr);
  ASSERT_EQ(first->size(), 1u);  // the second real server repeats the first: seen only once both were read
  EXPECT_NE(first->front().message.find("already defined"), std::string::npos);
  EXPECT_EQ(early.messagesOf(1), nullptr);  // a group's: left to validateLvs
  ASSERT_NE(early.messagesOf(2), nullptr);
  EXPECT_EQ(early.messagesOf(3), nullptr);
}

TEST(StreamingLoad, MessagesKeepTheirOrderAcrossPhases) {
  // A preprocessor warning, a lexer error late in the file, keyword errors early, validation last.
  expectStreamedAsReference(
      "global_defs {\n bogus_keyword 1\n}\n"
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n real_server 10.0.1.1 80 {\n  weight 70000\n }\n}\n"
      "vrrp_script chk {\n script \"/bin/true\n}\n"
      "vrrp_instance VI_1 {\n interface eth0\n}\n"
      "$UNDEFINED_LINE\n");
}

TEST(StreamingLoad, MacrosLoopsAndIncludesReadAsThePlainPipeline) {
  expectSameAsReference(
      "$PORT=80\n"
      "$RS=real_server 10.0.1.${N} $PORT { \\\n weight ${N}\n}\n"
      "virtual_server 10.0.0.1 $PORT {\n protocol TCP  # comment\n"
      " ~SEQ(N,1,3) $RS\n}\n"
      "include extra.conf\n"
      "@other_host virtual_server 10.0.0.2 80 {\n");
}

TEST(StreamingLoad, MissingCloseBraceFallsBackToTheRecoveringTree) {
  expectSameAsReference(
      "vrrp_instance VI_1 {\n state MASTER\n interface eth0\n virtual_router_id 51\n"
      " virtual_ipaddress {\n  10.0.0.1/24\n"  // its '}' is missing
      "}\n"
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n real_server 10.0.1.1 80 {\n }\n}\n");
}

TEST(StreamingLoad, StrayBracesFallBackToo) {
  EXPECT_FALSE(streamsThrough("global_defs {\n router_id r1\n}\n}\n"));
  EXPECT_FALSE(streamsThrough("global_defs {\n router_id r1\n"));
  EXPECT_FALSE(streamsThrough("virtual_server 10.0.0.1 80 {\n virtual_ipaddress {\n  10.0.0.1\n }\n"));
  // A '{' without a keyword inside a block read whole breaks the stream too (after a block, not a line: a line's
  // statement may own a '{' on the next one).
  EXPECT_FALSE(streamsThrough("vrrp_instance VI_1 {\n virtual_ipaddress {\n  a { b }\n  { x }\n }\n}\n"));
  EXPECT_TRUE(streamsThrough("vrrp_instance VI_1 {\n virtual_ipaddress {\n  a\n  { x }\n }\n}\n"));
  expectSameAsReference("}\nglobal_defs {\n router_id r1\n}\n{\n weight 1\n}\nvirtual_server 10.0.0.1 80 {\n");
  expectSameAsReference("global_defs {\n router_id r1\n}\n}\nvirtual_server 10.0.0.1 80 {\n protocol TCP\n}\n");
  expectSameAsReference("virtual_server 10.0.0.1 80 {\n protocol TCP\n real_server 10.0.1.1 80 {\n  { weight 1 }\n }\n}\n");
  expectSameAsReference("virtual_server 10.0.0.1 80 {\n virtual_ipaddress {\n  10.0.0.1\n  { x }\n }\n}\n");
  expectSameAsReference("vrrp_instance VI_1 {\n virtual_ipaddress {\n  10.0.0.1\n");
}

TEST(StreamingLoad, FallbackReportsTheForgottenBraceOnce) {
  FakeFileSystem fs;
  const LoadedConfig loaded = loadConfigText(
      kMain, "global_defs {\n router_id r1\n\nvrrp_instance VI_1 {\n interface eth0\n virtual_router_id 5\n}\n", {}, fs);
  std::vector<std::string> braces;
  for (const Diagnostic& d : loaded.diagnostics.all())
    if (d.message.find("unclosed") != std::string::npos) braces.push_back(d.format());
  EXPECT_EQ(braces, (std::vector<std::string>{kMain + std::string(":1: error: unclosed '{' of 'global_defs' (the next "
                                                                   "'vrrp_instance' block starts at line 4)")}));
}

}  // namespace
}  // namespace tandem::config
