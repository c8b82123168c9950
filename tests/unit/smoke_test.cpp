#include <gtest/gtest.h>
#include "parser/diagnostics.h"
TEST(Diagnostics, FormatsGccStyle) {
  tandem::config::Diagnostics d;
  d.error({tandem::config::FileName("a.conf"), 3}, "boom");
  EXPECT_EQ(d.all().at(0).format(), "a.conf:3: error: boom");
}
