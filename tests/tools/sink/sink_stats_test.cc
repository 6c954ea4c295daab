#include "tools/sink/sink_stats.h"

#include <gtest/gtest.h>

namespace hookfan::tools {
namespace {

SinkStats Example() {
  SinkStats stats;
  stats.requests = 10;
  stats.by_status[200] = 6;
  stats.by_status[503] = 2;
  stats.resets = 1;
  stats.bad_signatures = 1;
  stats.duplicates = 3;
  return stats;
}

TEST(SinkStatsTest, HumanLine) {
  EXPECT_EQ(FormatSinkStats(Example(), "stats", 2.0, 5.0, false),
            "stats elapsed=2.0s requests=10 rps=5.0 status=200:6,503:2 resets=1 "
            "bad_signatures=1 duplicates=3");
  EXPECT_EQ(FormatSinkStats(SinkStats{}, "summary", 0, 0, false),
            "summary elapsed=0.0s requests=0 rps=0.0 status=- resets=0 bad_signatures=0 "
            "duplicates=0");
}

TEST(SinkStatsTest, JsonLine) {
  EXPECT_EQ(FormatSinkStats(Example(), "summary", 2.5, 4.0, true),
            "{\"type\":\"summary\",\"elapsed_s\":2.500,\"requests\":10,\"rps\":4.0,"
            "\"status\":{\"200\":6,\"503\":2},\"resets\":1,\"bad_signatures\":1,"
            "\"duplicates\":3}");
  EXPECT_EQ(Example().answered(), 8u);
}

}  // namespace
}  // namespace hookfan::tools
