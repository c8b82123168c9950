#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "parser/diagnostics.h"

namespace tandem::config {
namespace {

TEST(FileName, CopiesShareOneNameThatLivesAsLongAsTheLastOfThem) {
  const std::string* text = nullptr;
  std::vector<FileName> copies;
  {
    FileName original("a.conf");
    text = original.get();
    for (int i = 0; i < 3; ++i) copies.push_back(original);
  }
  for (const FileName& c : copies) EXPECT_EQ(c.get(), text);
  copies.erase(copies.begin(), copies.begin() + 2);
  EXPECT_EQ(*copies.back(), "a.conf");  // the sanitizer build sees a use after free here if the count is wrong
}

TEST(FileName, MovesEmptyTheSourceAndAssignmentsReleaseTheOldName) {
  FileName a("a.conf");
  FileName b(std::move(a));
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): the moved-from state is what is checked
  EXPECT_EQ(*b, "a.conf");
  FileName c("c.conf");
  c = b;
  EXPECT_EQ(c.get(), b.get());
  const FileName& same = c;
  c = same;  // assigning a name to itself keeps it
  EXPECT_EQ(*c, "a.conf");
  b = FileName();
  EXPECT_EQ(b.get(), nullptr);
  EXPECT_EQ(c->size(), 6u);
}

TEST(FileName, LocationsWithoutAFileAreNotValid) {
  EXPECT_FALSE((Location{FileName(), 3}.valid()));
  EXPECT_FALSE((Location{FileName("a.conf"), 0}.valid()));
  EXPECT_TRUE((Location{FileName("a.conf"), 1}.valid()));
}

}  // namespace
}  // namespace tandem::config
