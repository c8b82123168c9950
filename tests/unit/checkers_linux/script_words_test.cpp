#include "checkers/script_words.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tandem::check {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> split(std::string_view text) {
  ScriptWords result = splitScriptWords(text);
  EXPECT_EQ(result.error, "") << text;
  return result.words;
}

TEST(SplitScriptWords, BlanksSeparateWords) {
  EXPECT_THAT(split("  /bin/check  a\tb \n"), ElementsAre("/bin/check", "a", "b"));
  EXPECT_THAT(split(""), IsEmpty());
  EXPECT_THAT(split(" \t "), IsEmpty());
}

TEST(SplitScriptWords, QuotesKeepBlanksAndJoinWithNeighbours) {
  EXPECT_THAT(split(R"(/bin/check "a b" 'c  d')"), ElementsAre("/bin/check", "a b", "c  d"));
  EXPECT_THAT(split(R"(x'a'b"c"y)"), ElementsAre("xabcy"));
  EXPECT_THAT(split(R"('say "hi"' "it's")"), ElementsAre("say \"hi\"", "it's"));
  EXPECT_THAT(split(R"(a "" '')"), ElementsAre("a", "", ""));
}

TEST(SplitScriptWords, BackslashEscapesEverywhere) {
  EXPECT_THAT(split(R"(a\ b c\"d)"), ElementsAre("a b", "c\"d"));
  // Unlike a shell, keepalived also escapes inside single quotes.
  EXPECT_THAT(split(R"('a\'b')"), ElementsAre("a'b"));
  EXPECT_THAT(split(R"(\\ \q)"), ElementsAre("\\", "q"));
}

TEST(SplitScriptWords, EscapeSequences) {
  EXPECT_THAT(split(R"(\n\t\r\a\b\f\v\E)"), ElementsAre("\n\t\r\a\b\f\v\x1b"));
  EXPECT_THAT(split(R"(\x41\x4a\x4A)"), ElementsAre("AJJ"));
  EXPECT_THAT(split(R"(\101\0610 \7)"), ElementsAre("A10", "\a"));
  EXPECT_THAT(split(R"(\cA\c[)"), ElementsAre("\x01\x1b"));
  EXPECT_THAT(split(R"(\xg)"), ElementsAre("xg"));  // \x without a hex digit is a plain x
}

TEST(SplitScriptWords, Errors) {
  const ScriptWords unterminated = splitScriptWords("/bin/check 'abc");
  EXPECT_THAT(unterminated.words, IsEmpty());
  EXPECT_THAT(unterminated.error, HasSubstr("missing terminating '"));
  EXPECT_THAT(splitScriptWords(R"(a "b)").error, HasSubstr("missing terminating \""));
  EXPECT_THAT(splitScriptWords("abc\\").error, HasSubstr("escape character at the end"));
}

}  // namespace
}  // namespace tandem::check
