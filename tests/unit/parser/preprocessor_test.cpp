// Preprocessor: comments, quotes, bad bytes, conditionals, macros, ~SEQ/~LST.
#include "parser/preprocessor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "parser/preprocess_text.h"
#include "tests/unit/parser/preprocessor_test_support.h"

namespace tandem::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::FakeFileSystem;

using Result = testing::PreprocessResult;

Result run(const std::string& text, PreprocessOptions options = {}) {
  FakeFileSystem fs;
  Result r;
  r.lines = preprocessText("/etc/keepalived/keepalived.conf", text, options, fs, r.diags);
  return r;
}

PreprocessOptions withId(const std::string& id) {
  PreprocessOptions o;
  o.configId = id;
  return o;
}

// ---- comments, quotes, line endings --------------------------------------------------------

TEST(PreprocessorComments, HashAndBangStartCommentsAnywhereOutsideQuotes) {
  Result r = run("! header\nrouter_id r1 # trailing\nsmtp_server 10.0.0.1! x\n  # indented comment\n");
  EXPECT_THAT(r.texts(), ElementsAre("router_id r1", "smtp_server 10.0.0.1"));
  EXPECT_THAT(r.lineNumbers(), ElementsAre(2, 3));
  EXPECT_TRUE(r.errors().empty());
}

TEST(PreprocessorComments, QuotesProtectCommentCharacters) {
  Result r = run("script \"echo a#b!c\" # gone\nscript 'x \"#\" y' # gone\nscript \"it's # kept\"\n");
  EXPECT_THAT(r.texts(), ElementsAre("script \"echo a#b!c\"", "script 'x \"#\" y'", "script \"it's # kept\""));
}

TEST(PreprocessorComments, EscapedQuoteDoesNotCloseString) {
  Result r = run("script \"say \\\"#1\\\" now\" # gone\n");
  EXPECT_THAT(r.texts(), ElementsAre("script \"say \\\"#1\\\" now\""));
}

TEST(PreprocessorComments, BackslashEscapesCommentCharacterOutsideQuotes) {
  Result r = run("notification_email_from a\\#b\\!c # real comment\n");
  EXPECT_THAT(r.texts(), ElementsAre("notification_email_from a#b!c"));
}

TEST(PreprocessorComments, CrlfAndIndentationAreHandled) {
  Result r = run("global_defs {\r\n\trouter_id r1   \r\n}\r\n");
  EXPECT_THAT(r.texts(), ElementsAre("global_defs {", "\trouter_id r1", "}"));
  EXPECT_THAT(r.lineNumbers(), ElementsAre(1, 2, 3));
}

TEST(PreprocessorComments, VeryLongLineIsKeptWhole) {
  const std::string word(200000, 'a');
  Result r = run("router_id " + word + "\n");
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0].text.size(), word.size() + 10);
}

// An unterminated quote is reported once; everything after the opening quote, comment
// characters included, stays in the string, which is closed at the end of the line.
TEST(PreprocessorComments, UnterminatedQuoteIsErrorAndClosedAtEndOfLine) {
  Result r = run("script \"/bin/check # not a comment\nrouter_id r1\n");
  EXPECT_THAT(r.texts(), ElementsAre("script \"/bin/check # not a comment\"", "router_id r1"));
  EXPECT_THAT(r.errors(), ElementsAre(HasSubstr("keepalived.conf:1: error: unterminated double-quoted string")));
}

// Lines without any preprocessor character take a shortcut; these sit on its edges.
TEST(PreprocessorComments, PlainLinesKeepIndentationAndLoseTrailingBlanks) {
  Result r = run("\t  script \"/bin/x # y ! z\" \t \n   a 'b\"c'\n  \t \n");
  EXPECT_THAT(r.texts(), ElementsAre("\t  script \"/bin/x # y ! z\"", "   a 'b\"c'"));
  EXPECT_THAT(r.lineNumbers(), ElementsAre(1, 2));
  EXPECT_TRUE(r.errors().empty());
}

TEST(PreprocessorMacro, MacroInsideQuotesStillExpands) {
  Result r = run("$X=val\nscript \"/bin/${X}\"\ninclude_x 1\n@id a\n~ b\n", withId("id"));
  EXPECT_THAT(r.texts(), ElementsAre("script \"/bin/val\"", "include_x 1", "    a", "~ b"));
}

TEST(PreprocessorBadBytes, NulByteIsErrorAndLineDropped) {
  Result r = run(std::string("router_id a\nvrrp\0x 1\nrouter_id b\n", 33));
  EXPECT_THAT(r.texts(), ElementsAre("router_id a", "router_id b"));
  EXPECT_THAT(r.errors(), ElementsAre(HasSubstr("keepalived.conf:2: error: NUL byte")));
}

TEST(PreprocessorBadBytes, ControlCharacterIsErrorAndLineDropped) {
  Result r = run("router_id \x01x\nrouter_id b\n");
  EXPECT_THAT(r.texts(), ElementsAre("router_id b"));
  EXPECT_THAT(r.errors(), ElementsAre(HasSubstr("keepalived.conf:1: error: control character 0x01")));
}

TEST(PreprocessorBadBytes, BinaryFileStopsAfterAFewBadLines) {
  std::string blob;
  for (int i = 0; i < 1000; ++i) blob += std::string("\x7f\x45LF\x02\x01\n");
  Result r = run(blob);
  EXPECT_TRUE(r.lines.empty());
  EXPECT_EQ(r.errors().size(), 4u);
  EXPECT_THAT(r.errors().back(), HasSubstr("file looks binary"));
}

// ---- conditionals --------------------------------------------------------------------------

TEST(PreprocessorConditional, LineKeptOnlyWhenIdMatches) {
  const std::string text = "@main router_id main_router\n@backup router_id backup_router\n";
  EXPECT_THAT(run(text, withId("main")).texts(), ElementsAre("      router_id main_router"));
  EXPECT_THAT(run(text, withId("backup")).texts(), ElementsAre("        router_id backup_router"));
  EXPECT_TRUE(run(text, withId("other")).texts().empty());
  EXPECT_TRUE(run(text).texts().empty());
}

TEST(PreprocessorConditional, CaretNegatesTheMatch) {
  const std::string text = "@^main 1.2.3.4\n@^backup 1.2.3.5\n";
  EXPECT_THAT(run(text, withId("main")).texts(), ElementsAre("         1.2.3.5"));
  EXPECT_THAT(run(text).texts(), ElementsAre("       1.2.3.4", "         1.2.3.5"));
}

TEST(PreprocessorConditional, IdWithNothingAfterItDropsTheLine) {
  EXPECT_TRUE(run("@main\n", withId("main")).texts().empty());
}

// ---- macros --------------------------------------------------------------------------------

TEST(PreprocessorMacro, DollarNameNeedsBlankCommaParenOrEndAfterIt) {
  Result r = run("$A=x\nw $A $A,$A) $A.y a$A\n");
  EXPECT_THAT(r.texts(), ElementsAre("w x x,x) $A.y ax"));
}

TEST(PreprocessorMacro, BracedNameNeedsNothingAfterIt) {
  Result r = run("$NET=10.0\nvirtual_ipaddress ${NET}.1/24\n");
  EXPECT_THAT(r.texts(), ElementsAre("virtual_ipaddress 10.0.1/24"));
}

TEST(PreprocessorMacro, UndefinedMacrosStayAsWritten) {
  Result r = run("$A=1\nscript \"echo $HOME ${UNDEF} $ ${A} $A\"\n");
  EXPECT_THAT(r.texts(), ElementsAre("script \"echo $HOME ${UNDEF} $ 1 $A\""));
  EXPECT_TRUE(r.errors().empty());
}

TEST(PreprocessorMacro, SubstitutionHappensAtUseNotAtDefinition) {
  Result r = run("$ADDRESS_BASE=10.2.${ADDRESS_BASE_SUB}\n$ADDRESS_BASE_SUB=0\n${ADDRESS_BASE}.100/32\n"
                 "$ADDRESS_BASE_SUB=10\n${ADDRESS_BASE}.100/32\n");
  EXPECT_THAT(r.texts(), ElementsAre("10.2.0.100/32", "10.2.10.100/32"));
  EXPECT_THAT(r.lineNumbers(), ElementsAre(3, 5));
}

TEST(PreprocessorMacro, BlankBeforeEqualsIsNotADefinitionAndEmptyValueIs) {
  Result r = run("$A =1\n$E=\nx${E}y\n");
  EXPECT_THAT(r.texts(), ElementsAre("$A =1", "xy"));
}

TEST(PreprocessorMacro, ExpansionCanProduceAConditional) {
  const std::string text = "$IF_MAIN=@main\n$IF_MAIN priority 240\n";
  EXPECT_THAT(run(text, withId("main")).texts(), ElementsAre("priority 240"));
  EXPECT_TRUE(run(text, withId("backup")).texts().empty());
}

TEST(PreprocessorMacro, ConditionalDefinition) {
  const std::string text = "@main $PRIORITY=240\n@backup $PRIORITY=200\npriority $PRIORITY\n";
  EXPECT_THAT(run(text, withId("backup")).texts(), ElementsAre("priority 200"));
}

// The first body line joins the line that uses the macro; the others keep the line where the
// definition starts and remember the use.
TEST(PreprocessorMacro, MultiLineMacroExpandsToSeveralLines) {
  Result r = run("$INSTANCE= \\\n"
                 "vrrp_instance VI_${NUM} { \\\n"
                 "   # a comment line inside the definition \\\n"
                 "    interface eth0.${NUM} # comment \\\n"
                 "@high priority 130 \\\n"
                 "}\n"
                 "$NUM=0\n"
                 "$INSTANCE\n"
                 "$NUM=1\n"
                 "$INSTANCE\n",
                 withId("high"));
  EXPECT_THAT(r.texts(), ElementsAre("vrrp_instance VI_0 {", "    interface eth0.0", "      priority 130", "}",
                                     "vrrp_instance VI_1 {", "    interface eth0.1", "      priority 130", "}"));
  EXPECT_THAT(r.lineNumbers(), ElementsAre(8, 1, 1, 1, 10, 1, 1, 1));
  EXPECT_FALSE(r.lines[0].expandedAt.valid());
  EXPECT_EQ(r.lines[1].expandedAt.line, 8);
  EXPECT_EQ(r.lines[7].expandedAt.line, 10);
}

TEST(PreprocessorMacro, EmptyLineEndsMultiLineDefinition) {
  Result r = run("$M=a \\\nb \\\n\nc\n$M\n");
  EXPECT_THAT(r.texts(), ElementsAre("c", "a", "b"));
}

TEST(PreprocessorMacro, ContinuationMayPrecedeAComment) {
  Result r = run("$M=a \\\t# note\n  b \\\n# only a comment\nc # end\n$M\n");
  EXPECT_THAT(r.texts(), ElementsAre("a", "  b", "c"));
}

TEST(PreprocessorMacro, MultiLineDefinitionUnderFailedConditionalSwallowsItsBody) {
  Result r = run("@other $M=a \\\nb \\\nc\nd\n", withId("main"));
  EXPECT_THAT(r.texts(), ElementsAre("d"));
}

TEST(PreprocessorMacro, NestedMultiLineMacrosKeepOrder) {
  Result r = run("$RS= \\\nreal_server 10.0.${VS}.${RS_NUM} { \\\n}\n"
                 "$VS_BLOCK= \\\nvirtual_server 10.0.${VS}.4 80 { \\\n$RS_NUM=1 \\\n$RS \\\n$RS_NUM=2 \\\n$RS \\\n}\n"
                 "$VS=7\n$VS_BLOCK\n");
  EXPECT_THAT(r.texts(), ElementsAre("virtual_server 10.0.7.4 80 {", "real_server 10.0.7.1 {", "}",
                                     "real_server 10.0.7.2 {", "}", "}"));
}

TEST(PreprocessorMacro, MultiLineMacroBeforeEndOfLineIsLeftWithWarning) {
  Result r = run("$M=a \\\nb\n$M x\n");
  EXPECT_THAT(r.texts(), ElementsAre("$M x"));
  EXPECT_THAT(r.warnings(), ElementsAre(HasSubstr("multi-line macro $M")));
}

TEST(PreprocessorMacro, SelfReferenceIsErrorAtTheLineNotAHang) {
  Result r = run("$IF=$IF\ninterface $IF\nrouter_id ok\n");
  EXPECT_THAT(r.texts(), ElementsAre("router_id ok"));
  EXPECT_THAT(r.errors(), ElementsAre(HasSubstr("keepalived.conf:2: error: macro $IF expands to itself (IF -> IF)")));
}

TEST(PreprocessorMacro, MutualReferenceIsErrorNamingTheChain) {
  Result r = run("$A=x${B}\n$B=${A}y\nv ${A}\n");
  EXPECT_TRUE(r.texts().empty());
  EXPECT_THAT(r.errors(), ElementsAre(HasSubstr("macro $A expands to itself (A -> B -> A)")));
}

TEST(PreprocessorMacro, RecursionThroughMultiLineBodyIsError) {
  Result r = run("$M=a \\\n$M\n$M\n");
  EXPECT_THAT(r.texts(), ElementsAre("a"));
  EXPECT_THAT(r.errors(), ElementsAre(HasSubstr("macro $M expands to itself")));
}

TEST(PreprocessorMacro, RecursionThroughSequenceBodyIsError) {
  Result r = run("$A= ~SEQ(I,1,2) x$I $A\n$A\n");
  EXPECT_FALSE(r.errors().empty());
  EXPECT_THAT(r.errors().front(), HasSubstr("macro $A expands to itself"));
}

TEST(PreprocessorMacro, ExponentialExpansionIsCapped) {
  std::string text = "$M0=xxxxxxxxxxxxxxxx\n";
  for (int i = 1; i <= 40; ++i) {
    text += "$M" + std::to_string(i) + "=${M" + std::to_string(i - 1) + "}${M" + std::to_string(i - 1) + "}\n";
  }
  text += "${M40}\nafter\n";
  Result r = run(text);
  EXPECT_THAT(r.texts(), ElementsAre("after"));
  EXPECT_THAT(r.errors(), ElementsAre(HasSubstr("line ignored")));
}

// ---- predefined macros ---------------------------------------------------------------------

TEST(PreprocessorPredefined, PwdIsTheFolderOfTheCurrentFile) {
  EXPECT_THAT(run("script \"${_PWD}/check.sh\"\n").texts(), ElementsAre("script \"/etc/keepalived/check.sh\""));
}

TEST(PreprocessorPredefined, InstanceIsTheConfigIdUnlessAnInstanceNameIsGiven) {
  EXPECT_THAT(run("router_id ${_INSTANCE}\n", withId("lb1")).texts(), ElementsAre("router_id lb1"));
  PreprocessOptions o = withId("lb1");
  o.instanceName = "blue";
  EXPECT_THAT(run("router_id ${_INSTANCE}\n", o).texts(), ElementsAre("router_id blue"));
}

TEST(PreprocessorPredefined, RandomUsesInjectedSourceAndRange) {
  PreprocessOptions o;
  o.random = [] { return 1234u; };
  EXPECT_THAT(run("a ${_RANDOM}\nb ${_RANDOM 10 19}\nc ${_RANDOM 5}\n", o).texts(),
              ElementsAre("a 1234", "b 14", "c 1239"));
}

TEST(PreprocessorPredefined, EnvReadsInjectedEnvironment) {
  PreprocessOptions o;
  o.getenv = [](const std::string& name) -> std::optional<std::string> {
    if (name == "SITE") return std::string("paris");
    return std::nullopt;
  };
  Result r = run("router_id ${_ENV SITE}-${_ENV MISSING}\n", o);
  EXPECT_THAT(r.texts(), ElementsAre("router_id paris-"));
  EXPECT_THAT(r.warnings(), ElementsAre(HasSubstr("environment variable MISSING is not set")));
}

TEST(PreprocessorPredefined, HashAndBangAreLiteralInQuotesAndCommentsOutside) {
  Result r = run("script \"echo ${_HASH}1 ${_BANG}\"\n$OFF=${_HASH}\n$OFF use_pid_dir\n$ON=\n$ON linkbeat_use_polling\n");
  EXPECT_THAT(r.texts(), ElementsAre("script \"echo #1 !\"", "linkbeat_use_polling"));
}

TEST(PreprocessorPredefined, EscapedHashIsNotReinterpretedAfterExpansion) {
  Result r = run("$X=1\nscript a\\#b $X\n");
  EXPECT_THAT(r.texts(), ElementsAre("script a#b 1"));
}

TEST(PreprocessorPredefined, PredefinedNamesCanBeRedefined) {
  EXPECT_THAT(run("$_HASH=h\nx ${_HASH}\n").texts(), ElementsAre("x h"));
}

// ---- ~SEQ and ~LST -------------------------------------------------------------------------

TEST(PreprocessorLoop, SequenceForms) {
  EXPECT_THAT(run("~SEQ(S, 0, 3) ip_address 10.0.${S}.1\n").texts(),
              ElementsAre("ip_address 10.0.0.1", "ip_address 10.0.1.1", "ip_address 10.0.2.1", "ip_address 10.0.3.1"));
  EXPECT_THAT(run("~SEQ(S,144,16,192) ${S}\n").texts(), ElementsAre("144", "160", "176", "192"));
  EXPECT_THAT(run("~SEQ(S,3) ${S}\n").texts(), ElementsAre("1", "2", "3"));
  EXPECT_THAT(run("~SEQ(S,-2) ${S}\n").texts(), ElementsAre("-1", "-2"));
  EXPECT_THAT(run("~SEQ(S,3,1) ${S}\n").texts(), ElementsAre("3", "2", "1"));
  EXPECT_THAT(run("~SEQx(S, 0x90, 0x10, 0xc0) fe80::${S}\n").texts(),
              ElementsAre("fe80::90", "fe80::a0", "fe80::b0", "fe80::c0"));
}

TEST(PreprocessorLoop, NestedSequencesOnOneLineAndNumbersFromMacros) {
  Result r = run("$LAST=2\n~SEQ(A,1,$LAST) ~SEQ(B, 0, ${LAST}) ${A}.${B}\n");
  EXPECT_THAT(r.texts(), ElementsAre("1.0", "1.1", "1.2", "2.0", "2.1", "2.2"));
  EXPECT_THAT(r.lineNumbers(), ::testing::Each(2));
}

TEST(PreprocessorLoop, SequenceOverMultiLineMacroRepeatsBlocks) {
  Result r = run("$VI= \\\nvrrp_instance vi${ID} { \\\n  virtual_router_id ${ID} \\\n}\n"
                 "$BLOCK= ~SEQ(ID,1,2) $VI\n$BLOCK\n");
  EXPECT_THAT(r.texts(), ElementsAre("vrrp_instance vi1 {", "  virtual_router_id 1", "}", "vrrp_instance vi2 {",
                                     "  virtual_router_id 2", "}"));
}

TEST(PreprocessorLoop, InvalidSequenceIsError) {
  Result r = run("~SEQ(S,1,-1,5) x\n~SEQ(S,a) x\n~SEQx(S,-1,2) x\n~SEQ S,1,2) x\n");
  EXPECT_TRUE(r.texts().empty());
  EXPECT_EQ(r.errors().size(), 4u);
  EXPECT_THAT(r.errors().front(), HasSubstr("keepalived.conf:1: error: invalid ~SEQ"));
}

TEST(PreprocessorLoop, ListWithOneAndSeveralVariables) {
  EXPECT_THAT(run("~LST(IP, 1, 2, 3) 10.${IP}\n").texts(), ElementsAre("10.1", "10.2", "10.3"));
  EXPECT_THAT(run("~LST({IP, IP1}, {10,1},{20,4}, {5}) 192.168.${IP}.${IP1}\n").texts(),
              ElementsAre("192.168.10.1", "192.168.20.4", "192.168.5."));
  EXPECT_THAT(run("~LST({I,P},{,a.}, {6,b.}) x${I} ${P}1\n").texts(), ElementsAre("x a.1", "x6 b.1"));
}

TEST(PreprocessorLoop, ListAndSequenceCombine) {
  EXPECT_THAT(run("~LST(IP, 1, 2) ~SEQ(N,168,2,170) 192.${N}.${IP}\n").texts(),
              ElementsAre("192.168.1", "192.170.1", "192.168.2", "192.170.2"));
}

TEST(PreprocessorLoop, InvalidListIsError) {
  Result r = run("~LST({A,B}, {1,2,3}) x\n~LST(A 1) x\n");
  EXPECT_TRUE(r.texts().empty());
  EXPECT_EQ(r.errors().size(), 2u);
}

TEST(PreprocessorLoop, HugeSequenceStopsAtOutputLimit) {
  PreprocessOptions o;
  o.limits.maxOutputLines = 1000;
  Result r = run("~SEQ(I,0,1,9000000000000000000) x${I}\n", o);
  EXPECT_EQ(r.lines.size(), 1000u);
  EXPECT_THAT(r.errors(), ElementsAre(HasSubstr("configuration expands to more than 1000 lines")));
}

TEST(PreprocessorLoop, HugeSequenceWithEmptyBodyStopsAtWorkLimit) {
  PreprocessOptions o;
  o.limits.maxWorkSteps = 5000;
  Result r = run("~SEQ(I,0,1,9000000000000000000)\n", o);
  EXPECT_TRUE(r.lines.empty());
  EXPECT_THAT(r.errors(), ElementsAre(HasSubstr("more than 5000 processed lines")));
}

TEST(PreprocessorContinuation, TrailingBackslashOutsideDefinitionIsWarnedAndDropped) {
  Result r = run("router_id a \\\nb\n");
  EXPECT_THAT(r.texts(), ElementsAre("router_id a", "b"));
  EXPECT_THAT(r.warnings(), ElementsAre(HasSubstr("keepalived.conf:1: warning: a trailing '\\'")));
}

// The bytes that send a line down the full path are looked for once per piece of a file, not once per line.
TEST(PreprocessorFastPath, FirstSpecialByteFindsEachKindWhereverItStands) {
  for (const char special : {'#', '!', '\\', '$', '"', '\'', '\x01', '\0', '\r', '\v', '\x7f'}) {
    for (std::size_t at = 0; at < 40; ++at) {
      std::string text(40, 'a');
      text[3] = ' ';
      text[at] = special;
      EXPECT_EQ(preproc::firstSpecialByte(text) - text.data(), static_cast<std::ptrdiff_t>(at))
          << "byte " << static_cast<int>(special) << " at " << at;
    }
  }
  const std::string none = "\tword {x} \n\xc3\xa9\xff ~@ include 1.2.3.4/24\n  next line\n";
  EXPECT_EQ(preproc::firstSpecialByte(none), none.data() + none.size());
}

// Lines read in one piece (where the first special byte ahead spares most lines a scan) come out as the same lines
// read one at a time.
TEST(PreprocessorFastPath, LinesReadTogetherAsEachReadAlone) {
  const std::vector<std::string> shapes = {
      "   real_server 10.0.0.1 80 {", "weight 1 # a comment", "\tnotify \"/bin/x #1\" ! bang", "a \\# not a comment",
      "   ", "  script 'it''s'", "delay_loop 5\r", "x!y", "", "   retry 2", "q \"unclosed", "   connect_timeout 3",
  };
  std::string all;
  std::vector<std::string> expected;
  std::uint32_t state = 11;
  for (int i = 0; i < 600; ++i) {
    state = state * 1664525u + 1013904223u;
    const std::string& line = shapes[(state >> 8) % shapes.size()];
    all += line + "\n";
    for (const std::string& t : run(line).texts()) expected.push_back(t);
  }
  EXPECT_EQ(run(all).texts(), expected);
}

}  // namespace
}  // namespace tandem::config
