#include "parser/boxed.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <utility>

#include "parser/dump_writer.h"
#include "parser/model_checkers.h"
#include "tests/unit/parser/config_test_util.h"

namespace tandem::config {
namespace {

TEST(Boxed, UnsetCostsAPointerAndReadsAsEmpty) {
  const Boxed<std::string> unset;
  EXPECT_EQ(sizeof(unset), sizeof(void*));
  EXPECT_FALSE(unset.has_value());
  EXPECT_FALSE(unset);
  EXPECT_EQ(unset.valueOrDefault(), "");
  EXPECT_EQ(unset.value_or("fallback"), "fallback");
}

TEST(Boxed, CopiesAreDeepAndAssignmentReusesTheBox) {
  Boxed<std::string> a = std::string("one");
  Boxed<std::string> b = a;
  *b += " changed";
  EXPECT_EQ(*a, "one");
  EXPECT_EQ(*b, "one changed");
  const std::string* box = &*a;
  a = std::string("two");
  EXPECT_EQ(&*a, box);
  EXPECT_EQ(*a, "two");
  b = a;
  EXPECT_EQ(*b, "two");
  EXPECT_NE(&*b, &*a);
  b = Boxed<std::string>();
  EXPECT_FALSE(b);
  Boxed<std::string> moved = std::move(a);
  EXPECT_EQ(*moved, "two");
  moved.reset();
  EXPECT_FALSE(moved.has_value());
  EXPECT_EQ(moved.emplace(), "");
}

TEST(Boxed, EqualityComparesPresenceThenValue) {
  EXPECT_EQ(Boxed<int>(), Boxed<int>());
  EXPECT_NE(Boxed<int>(), Boxed<int>(0));
  EXPECT_EQ(Boxed<int>(3), Boxed<int>(3));
  EXPECT_NE(Boxed<int>(3), Boxed<int>(4));
}

// The keyword tables read and dump a boxed field as they do an optional one.
TEST(Boxed, KeywordTablesReadAndWriteBoxedFields) {
  auto c = testing::parse(
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n"
      " real_server 10.0.0.2 80 {\n  notify_down \"/bin/down x\" nobody\n  virtualhost www.example.test\n"
      "  snmp_name rs2\n }\n"
      " real_server 10.0.0.3 80 {\n }\n}\n");
  ASSERT_TRUE(testing::errors(c).empty()) << testing::errors(c)[0];
  const auto& servers = c.config.lvs.virtual_servers.at(0).real_servers;
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_EQ(servers[0].notify_down->command, "/bin/down x");
  EXPECT_EQ(servers[0].notify_down->user, "nobody");
  EXPECT_FALSE(servers[0].notify_up);
  EXPECT_EQ(*servers[0].virtualhost, "www.example.test");
  EXPECT_EQ(*servers[0].snmp_name, "rs2");
  EXPECT_FALSE(servers[1].notify_down || servers[1].virtualhost || servers[1].snmp_name);

  std::ostringstream written;
  TextDumpWriter out(written);
  lvs::realServerSchema().write(servers[0], out);
  const std::string text = written.str();
  EXPECT_NE(text.find("notify_down \"/bin/down x\" nobody"), std::string::npos) << text;
  EXPECT_NE(text.find("virtualhost www.example.test"), std::string::npos) << text;
  EXPECT_NE(text.find("snmp_name rs2"), std::string::npos) << text;
  std::ostringstream writtenEmpty;
  TextDumpWriter empty(writtenEmpty);
  lvs::realServerSchema().write(servers[1], empty);
  EXPECT_EQ(writtenEmpty.str().find("notify"), std::string::npos) << writtenEmpty.str();
}

}  // namespace
}  // namespace tandem::config
