#include "parser/seen_keywords.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace tandem::config {
namespace {

std::vector<std::string> lines(const SeenKeywords& seen) {
  std::vector<std::string> out;
  for (const auto& [name, where] : seen) out.push_back(std::string(name) + ":" + std::to_string(where.line));
  return out;
}

// Without a file name: GCC 12 warns of a use after free it cannot rule out when a test inlines the counted name's
// copies and releases together. One test below checks the file name itself.
Location at(int line) { return Location{FileName(), line}; }

TEST(SeenKeywords, KeepsTheOrderReadInlineAndAfterSpillingToTheHeap) {
  SeenKeywords seen;
  EXPECT_TRUE(seen.empty());
  seen.emplace_back("weight", at(3));
  seen.emplace_back("TCP_CHECK", at(4));
  EXPECT_EQ(lines(seen), (std::vector<std::string>{"weight:3", "TCP_CHECK:4"}));
  seen.emplace_back("weight", at(9));  // the third entry moves the list to the heap
  seen.emplace_back("retry", at(10));
  seen.emplace_back("delay_loop", at(11));
  EXPECT_EQ(lines(seen), (std::vector<std::string>{"weight:3", "TCP_CHECK:4", "weight:9", "retry:10", "delay_loop:11"}));
  EXPECT_EQ(seen.rbegin()->first, "delay_loop");
  EXPECT_EQ(std::prev(seen.rend())->first, "weight");
}

TEST(SeenKeywords, EntriesKeepTheirFileThroughCopiesAndMoves) {
  SeenKeywords seen;
  seen.emplace_back("weight", Location{FileName("a.conf"), 3});
  const SeenKeywords copy = seen;
  const SeenKeywords moved = std::move(seen);
  EXPECT_EQ(copy.begin()->second.fileName(), "a.conf");
  EXPECT_EQ(moved.begin()->second.fileName(), "a.conf");
}

TEST(SeenKeywords, ReserveKeepsEntries) {
  SeenKeywords seen;
  seen.emplace_back("path", at(1));
  seen.reserve(1);
  seen.reserve(14);
  seen.emplace_back("digest", at(2));
  seen.reserve(40);
  EXPECT_EQ(lines(seen), (std::vector<std::string>{"path:1", "digest:2"}));
}

TEST(SeenKeywords, CopiesAndMovesKeepEveryEntryAndLeaveTheSourceUsable) {
  for (int count : {0, 1, 2, 3, 7}) {
    SeenKeywords seen;
    std::vector<std::string> expected;
    for (int i = 0; i < count; ++i) {
      seen.emplace_back("kw", at(i + 1));
      expected.push_back("kw:" + std::to_string(i + 1));
    }
    SeenKeywords copy = seen;
    EXPECT_EQ(lines(copy), expected) << count;
    EXPECT_EQ(lines(seen), expected) << count;
    SeenKeywords moved = std::move(copy);
    EXPECT_EQ(lines(moved), expected) << count;
    EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move): a moved-from list is empty and usable
    copy.emplace_back("again", at(99));
    EXPECT_EQ(lines(copy), (std::vector<std::string>{"again:99"}));
    SeenKeywords assigned;
    assigned.emplace_back("old", at(50));
    assigned.emplace_back("old", at(51));
    assigned.emplace_back("old", at(52));
    assigned = moved;
    EXPECT_EQ(lines(assigned), expected) << count;
    assigned = std::move(moved);
    EXPECT_EQ(lines(assigned), expected) << count;
    assigned.clear();
    EXPECT_TRUE(assigned.empty());
  }
}

}  // namespace
}  // namespace tandem::config
