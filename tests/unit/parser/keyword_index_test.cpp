#include "parser/keyword_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "parser/model.h"
#include "parser/model_global.h"

namespace tandem::config {
namespace {

std::size_t firstPosition(const std::vector<std::string_view>& names, std::string_view name) {
  const auto at = std::ranges::find(names, name);
  return at == names.end() ? KeywordIndex::npos : static_cast<std::size_t>(at - names.begin());
}

void expectEveryNameFound(const std::vector<std::string_view>& names) {
  const KeywordIndex index(names);
  for (std::string_view name : names) EXPECT_EQ(index.find(name), firstPosition(names, name)) << name;
}

TEST(KeywordIndex, FindsEveryKeywordOfTheRealTables) {
  expectEveryNameFound(topLevelSchema().names());
  expectEveryNameFound(globalDefsSchema().names());
}

// The hash reads a name's two ends and its length: names that differ only in the middle all land on one probe
// sequence, and each must still be told apart by its full text.
TEST(KeywordIndex, NamesAlikeAtBothEndsAreToldApart) {
  std::vector<std::string> storage;
  for (int i = 0; i < 200; ++i) storage.push_back("vrrp_garp_" + std::to_string(100 + i) + "_master_refresh");
  const std::vector<std::string_view> names(storage.begin(), storage.end());
  expectEveryNameFound(names);
  const KeywordIndex index(names);
  EXPECT_EQ(index.find("vrrp_garp_999_master_refresh"), KeywordIndex::npos);
  EXPECT_EQ(index.find("vrrp_garp_100_master_refres"), KeywordIndex::npos);
  EXPECT_EQ(index.find("vrrp_garp_100_master_refreshx"), KeywordIndex::npos);
}

TEST(KeywordIndex, ShortNamesAndTheEmptyName) {
  const std::vector<std::string_view> names = {"", "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh"};
  expectEveryNameFound(names);
  const KeywordIndex index(names);
  for (std::string_view absent : {"b", "ba", "abd", "acbd", "abcdf", "abcdeg", "bbcdefg", "abcdefgi"})
    EXPECT_EQ(index.find(absent), KeywordIndex::npos) << absent;
}

TEST(KeywordIndex, TheFirstOfEqualNamesWins) {
  const KeywordIndex index(std::vector<std::string_view>{"state", "priority", "state"});
  EXPECT_EQ(index.find("state"), 0u);
  EXPECT_EQ(index.find("priority"), 1u);
}

}  // namespace
}  // namespace tandem::config
