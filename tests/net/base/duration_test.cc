#include "net/base/duration.h"

#include <gtest/gtest.h>

namespace hookfan {
namespace {

TEST(DurationTest, ParsesEveryUnit) {
  EXPECT_EQ(*ParseDuration("0", "f"), 0);
  EXPECT_EQ(*ParseDuration("250ms", "f"), 250);
  EXPECT_EQ(*ParseDuration("5s", "f"), 5000);
  EXPECT_EQ(*ParseDuration("1.5s", "f"), 1500);
  EXPECT_EQ(*ParseDuration("2m", "f"), 120000);
  EXPECT_EQ(*ParseDuration("2min", "f"), 120000);
  EXPECT_EQ(*ParseDuration("1h", "f"), 3600000);
  EXPECT_EQ(*ParseDuration("3d", "f"), 3 * 86400000);
}

TEST(DurationTest, RejectsWithTheFieldName) {
  for (const char* bad : {"", "5", "5 s", "s", "5parsecs", "1e400s", "..s"}) {
    auto parsed = ParseDuration(bad, "retry.initial_delay");
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().message().rfind("retry.initial_delay: ", 0), 0u) << bad;
  }
  auto negative = ParseDuration("-5s", "latency");
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.status().message(), "latency: must not be negative");
  auto huge = ParseDuration("4000d", "x");
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("10 years"), std::string::npos);
}

TEST(DurationTest, FormatsTheShortestExactForm) {
  EXPECT_EQ(FormatDuration(0), "0ms");
  EXPECT_EQ(FormatDuration(1500), "1500ms");
  EXPECT_EQ(FormatDuration(5000), "5s");
  EXPECT_EQ(FormatDuration(120000), "2m");
  EXPECT_EQ(FormatDuration(2 * 3600000), "2h");
  EXPECT_EQ(FormatDuration(86400000), "1d");
}

}  // namespace
}  // namespace hookfan
