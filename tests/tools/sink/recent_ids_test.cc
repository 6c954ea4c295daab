#include "tools/sink/recent_ids.h"

#include <gtest/gtest.h>

#include <string>

namespace hookfan::tools {
namespace {

TEST(RecentIdsTest, ReportsIdsSeenBefore) {
  RecentIds ids(10);
  EXPECT_FALSE(ids.Insert("a"));
  EXPECT_FALSE(ids.Insert("b"));
  EXPECT_TRUE(ids.Insert("a"));
  EXPECT_EQ(ids.size(), 2u);
}

TEST(RecentIdsTest, ForgetsTheOldestWhenFull) {
  RecentIds ids(3);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(ids.Insert("id" + std::to_string(i)));
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_TRUE(ids.Insert("id99"));
  EXPECT_TRUE(ids.Insert("id97"));
  EXPECT_FALSE(ids.Insert("id96"));  // forgotten; now remembered again, evicting id97
  EXPECT_FALSE(ids.Insert("id97"));
}

TEST(RecentIdsTest, ZeroCapacityRemembersNothing) {
  RecentIds ids(0);
  EXPECT_FALSE(ids.Insert("a"));
  EXPECT_FALSE(ids.Insert("a"));
  EXPECT_EQ(ids.size(), 0u);
}

}  // namespace
}  // namespace hookfan::tools
