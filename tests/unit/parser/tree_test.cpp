#include <gtest/gtest.h>

#include "parser/model.h"
#include "parser/syntax_tree.h"

namespace tandem::config {
namespace {

std::vector<SourceLine> linesOf(const std::string& text) {
  auto file = FileName("t.conf");
  std::vector<SourceLine> out;
  int n = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back({{file, ++n}, text.substr(start, end - start)});
    start = end + 1;
  }
  return out;
}

std::vector<std::string> messages(const Diagnostics& d) {
  std::vector<std::string> out;
  for (const auto& x : d.all()) out.push_back(x.format());
  return out;
}

TEST(Lexer, BracesTouchingWordsAreTokens) {
  Diagnostics d;
  auto tokens = tokenize({{}, "vrrp_instance VI_1{ a}"}, d);
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[1].text, "VI_1");
  EXPECT_EQ(tokens[2].kind, Token::Kind::OpenBrace);
  EXPECT_EQ(tokens[4].kind, Token::Kind::CloseBrace);
}

TEST(Lexer, BracePairsInsideAWordStayInTheWord) {
  Diagnostics d;
  auto tokens = tokenize({{}, "notify /x/all.${NAME}.sh {10.0.0.1} a{2}b"}, d);
  ASSERT_EQ(tokens.size(), 6u);
  EXPECT_EQ(tokens[1].text, "/x/all.${NAME}.sh");
  EXPECT_EQ(tokens[2].kind, Token::Kind::OpenBrace);
  EXPECT_EQ(tokens[3].text, "10.0.0.1");
  EXPECT_EQ(tokens[4].kind, Token::Kind::CloseBrace);
  EXPECT_EQ(tokens[5].text, "a{2}b");
}

TEST(Lexer, QuotesKeepSpacesBracesAndEscapes) {
  Diagnostics d;
  auto tokens = tokenize({{}, R"(script "/bin/echo {x} \"y\"" 'it''s')"}, d);
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[1].text, "/bin/echo {x} \"y\"");
  EXPECT_TRUE(tokens[1].quoted);
  EXPECT_EQ(tokens[2].text, "its");
  EXPECT_FALSE(d.hasErrors());
}

// A word made of quoted and unquoted parts side by side reads as one, as keepalived reads it.
TEST(Lexer, WordsOfQuotedAndUnquotedPartsArePutTogether) {
  Diagnostics d;
  const auto tokens = tokenize({{}, R"(a"b c"d "x"y pre"\t" "" plain)"}, d);
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[0].text, "ab cd");
  EXPECT_EQ(tokens[1].text, "xy");
  EXPECT_EQ(tokens[2].text, "pre\t");
  EXPECT_TRUE(tokens[3].quoted);
  EXPECT_EQ(tokens[3].text, "");
  EXPECT_EQ(tokens[4].text, "plain");
  EXPECT_FALSE(d.hasErrors());
}

TEST(Lexer, UnterminatedQuoteKeepsItsText) {
  Diagnostics d;
  const auto tokens = tokenize({{}, "script \"/bin/true --flag"}, d);
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[1].text, "/bin/true --flag");
  EXPECT_TRUE(d.hasErrors());
}

TEST(Lexer, UnterminatedQuoteIsAnError) {
  Diagnostics d;
  SourceLine line;
  line.where = {FileName("f"), 4};
  line.text = "script \"abc";
  tokenize(line, d);
  ASSERT_TRUE(d.hasErrors());
  EXPECT_EQ(d.all()[0].format(), "f:4: error: unterminated double-quoted string");
}

TEST(Lexer, ColumnsCountTabsToEightAndLongIndentation) {
  Diagnostics d;
  SourceLine line;
  line.where = {FileName("f"), 1};
  line.text = "           a\t b  \t{c} \"x y\"\tz          w";
  const auto tokens = tokenize(line, d);
  std::vector<int> columns;
  for (const Token& t : tokens) columns.push_back(t.column);
  // 11 spaces; a tab from 12 to 16, a space; two spaces and a tab to 24; "{c}"; a quoted word;
  // a tab from 33 to 40; ten spaces.
  EXPECT_EQ(columns, (std::vector<int>{11, 17, 24, 25, 26, 28, 40, 51}));
}

// Lines of space-separated words take a path of their own (read 16 bytes at a time, up to 64 bytes). A tab at the
// end changes no token but sends the line down the general path: both must read every line alike.
TEST(Lexer, SpacedWordsReadAsTheGeneralPathReadsThem) {
  std::uint32_t state = 7;
  auto random = [&](std::uint32_t below) {  // any fixed sequence will do
    state = state * 1664525u + 1013904223u;
    return (state >> 8) % below;
  };
  const std::string letters = "ab1.:/_$";
  auto describe = [](const std::vector<Token>& tokens) {
    std::string out;
    for (const Token& t : tokens)
      out += std::to_string(static_cast<int>(t.kind)) + "@" + std::to_string(t.column) + "[" + t.text + "]";
    return out;
  };
  for (int i = 0; i < 4000; ++i) {
    // Words, braces standing alone and now and then a brace touching a word, up to about 90 bytes.
    std::string line(random(12), ' ');
    while (line.size() < 20 + random(70)) {
      const std::uint32_t kind = random(20);
      if (kind == 0) line += "{";
      else if (kind == 1) line += "}";
      else if (kind == 2) line += "x{";
      else {
        std::string word(1 + random(12), 'a');
        for (char& c : word) c = letters[random(static_cast<std::uint32_t>(letters.size()))];
        line += word;
      }
      line += std::string(1 + random(3), ' ');
    }
    Diagnostics fast;
    Diagnostics general;
    SourceLine spaced;
    spaced.text = line;
    SourceLine withTab;
    withTab.text = line + "\t";
    EXPECT_EQ(describe(tokenize(spaced, fast)), describe(tokenize(withTab, general))) << "line: '" << line << "'";
    EXPECT_FALSE(fast.hasErrors());
  }
}

// Short lines and the tail of long ones are loaded in pieces that must end at the line's last byte: every length from
// 1 to 40, with a blank or a quote at each position in turn (which the fast path must see, and leave to the general
// one).
TEST(Lexer, LinesOfEveryShortLengthReadAsTheGeneralPathReadsThem) {
  std::uint32_t state = 11;
  auto random = [&](std::uint32_t below) {
    state = state * 1664525u + 1013904223u;
    return (state >> 8) % below;
  };
  auto describe = [](const std::vector<Token>& tokens) {
    std::string out;
    for (const Token& t : tokens)
      out += std::to_string(static_cast<int>(t.kind)) + "@" + std::to_string(t.column) + "[" + t.text + "]";
    return out;
  };
  auto expectAlike = [&](const std::string& line) {
    Diagnostics fast, general;
    SourceLine spaced;
    spaced.text = line;
    SourceLine withTab;
    withTab.text = line + "\t";
    EXPECT_EQ(describe(tokenize(spaced, fast)), describe(tokenize(withTab, general))) << "line: '" << line << "'";
  };
  const std::string bytes = "  ab{}x9";
  for (std::size_t length = 1; length <= 40; ++length) {
    for (int sample = 0; sample < 20; ++sample) {
      std::string line(length, ' ');
      for (char& c : line) c = bytes[random(static_cast<std::uint32_t>(bytes.size()))];
      expectAlike(line);
      for (std::size_t at = 0; at < length; ++at) {
        for (const char special : {'\t', '\r', '\f'}) {
          std::string marked = line;
          marked[at] = special;
          expectAlike(marked);
        }
        std::string quoted = line;  // closed at the end, so that the tab added after it stays outside
        quoted[at] = '"';
        expectAlike(quoted + '"');
      }
    }
  }
}

TEST(Lexer, WordsUpToTheLastByteOfLongLines) {
  Diagnostics d;
  for (const std::size_t length : {18u, 31u, 32u, 33u, 63u, 64u, 65u, 200u}) {
    const std::string line = "   real_server " + std::string(length - 17, 'x') + " {";
    ASSERT_EQ(line.size(), length);
    SourceLine source;
    source.text = line;
    const auto tokens = tokenize(source, d);
    ASSERT_EQ(tokens.size(), 3u) << length;
    EXPECT_EQ(tokens[0].text, "real_server");
    EXPECT_EQ(tokens[0].column, 3);
    EXPECT_EQ(tokens[1].text, std::string(length - 17, 'x'));
    EXPECT_EQ(tokens[1].column, 15);
    EXPECT_EQ(tokens[2].kind, Token::Kind::OpenBrace);
    EXPECT_EQ(tokens[2].column, static_cast<int>(length) - 1);
  }
  EXPECT_FALSE(d.hasErrors());
}

// A line of 64 bytes holds at most 32 tokens, one byte each with a space between: the most the fast path holds.
TEST(Lexer, ThirtyTwoOneByteTokensFillASpacedLine) {
  Diagnostics d;
  for (const std::string unit : {"a ", "{ ", "} "}) {
    std::string text;
    for (int i = 0; i < 32; ++i) text += unit;
    SourceLine full;
    full.text = text.substr(0, 63);  // 32 tokens in 63 bytes
    SourceLine padded;
    padded.text = text;  // and with the trailing space: 64 bytes
    for (const SourceLine* line : {&full, &padded}) {
      const auto tokens = tokenize(*line, d);
      ASSERT_EQ(tokens.size(), 32u) << unit;
      EXPECT_EQ(tokens[31].column, 62);
      EXPECT_EQ(tokens[31].text, unit.substr(0, 1));
    }
  }
  EXPECT_FALSE(d.hasErrors());
}

TEST(Tree, BraceOnKeywordLineOwnLineAndOneLiners) {
  Diagnostics d;
  auto tree = buildTree(linesOf("a x {\n b 1\n}\nc\n{\n d { e }\n}\nf { g } h { i }"), d);
  ASSERT_FALSE(d.hasErrors()) << messages(d)[0];
  ASSERT_EQ(tree.topLevel.size(), 4u);
  EXPECT_EQ(tree.topLevel[0].describe(), "a x");
  EXPECT_EQ(tree.topLevel[0].children.at(0).describe(), "b 1");
  EXPECT_TRUE(tree.topLevel[1].hasBlock);
  EXPECT_EQ(tree.topLevel[1].blockOpen.line, 5);
  EXPECT_EQ(tree.topLevel[1].children.at(0).children.at(0).keyword, "e");
  EXPECT_EQ(tree.topLevel[2].children.at(0).keyword, "g");
  EXPECT_EQ(tree.topLevel[3].children.at(0).keyword, "i");
}

TEST(Tree, StrayClosingBraceReportedAtItsLine) {
  Diagnostics d;
  auto tree = buildTree(linesOf("a {\n}\n}\nb {\n}"), d);
  ASSERT_EQ(messages(d), std::vector<std::string>{"t.conf:3: error: '}' without a matching '{'"});
  EXPECT_EQ(tree.topLevel.size(), 2u);
}

TEST(Tree, UnclosedBraceAtEndNamesTheBlock) {
  Diagnostics d;
  buildTree(linesOf("vrrp_instance VI_1 {\n  state MASTER\n"), d);
  ASSERT_EQ(messages(d), std::vector<std::string>{"t.conf:1: error: unclosed '{' of 'vrrp_instance VI_1'"});
}

TEST(Tree, IndentationFindsTheForgottenInnerBrace) {
  Diagnostics d;
  auto tree = buildTree(linesOf("vrrp_instance A {\n    virtual_ipaddress {\n        10.0.0.1\n\n}\n"
                                "vrrp_instance B {\n    priority 1\n}\n"),
                        d, isTopLevelOnlyBlock);
  ASSERT_EQ(messages(d), std::vector<std::string>{"t.conf:2: error: unclosed '{' of 'virtual_ipaddress'"});
  ASSERT_EQ(tree.topLevel.size(), 2u);
  EXPECT_EQ(tree.topLevel[1].describe(), "vrrp_instance B");
}

TEST(Tree, TopLevelKeywordWhileNestedClosesTheOpenBlock) {
  Diagnostics d;
  auto tree = buildTree(linesOf("vrrp_instance A {\npriority 1\nvrrp_instance B {\npriority 2\n}\n"), d,
                        isTopLevelOnlyBlock);
  ASSERT_EQ(messages(d), std::vector<std::string>{
                             "t.conf:1: error: unclosed '{' of 'vrrp_instance A' (the next 'vrrp_instance' block "
                             "starts at line 3)"});
  EXPECT_EQ(tree.topLevel.size(), 2u);
}

TEST(Tree, OpenBraceWithoutKeyword) {
  Diagnostics d;
  buildTree(linesOf("a {\n}\n{\n}"), d);
  ASSERT_EQ(messages(d), std::vector<std::string>{"t.conf:3: error: '{' without a keyword before it"});
}

}  // namespace
}  // namespace tandem::config
