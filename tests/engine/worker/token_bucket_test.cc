#include "engine/worker/token_bucket.h"

#include <gtest/gtest.h>

#include <cmath>

namespace hookfan::engine {
namespace {

TEST(TokenBucketTest, BurstThenSteadyRate) {
  auto bucket = TokenBucket::Create(10, 3, 0);  // 10/s, burst 3
  ASSERT_TRUE(bucket.ok());
  EXPECT_TRUE(bucket->TryTake(0));
  EXPECT_TRUE(bucket->TryTake(0));
  EXPECT_TRUE(bucket->TryTake(0));
  EXPECT_FALSE(bucket->TryTake(0));
  EXPECT_EQ(bucket->WaitMs(0), 100);
  EXPECT_FALSE(bucket->TryTake(99));
  EXPECT_TRUE(bucket->TryTake(100));
  // Over 10 simulated seconds, exactly 100 more tokens (plus nothing saved beyond burst).
  int taken = 0;
  for (TimeMs now = 101; now <= 10100; ++now) taken += bucket->TryTake(now) ? 1 : 0;
  EXPECT_EQ(taken, 100);
}

TEST(TokenBucketTest, FractionalRates) {
  auto bucket = TokenBucket::Create(0.5, 1, 0);  // one every 2 s
  ASSERT_TRUE(bucket.ok());
  EXPECT_TRUE(bucket->TryTake(0));
  EXPECT_EQ(bucket->WaitMs(0), 2000);
  EXPECT_FALSE(bucket->TryTake(1999));
  EXPECT_TRUE(bucket->TryTake(2000));
}

TEST(TokenBucketTest, DefaultAndZeroRateAreUnlimited) {
  TokenBucket unlimited;
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(unlimited.TryTake(0));
  auto zero = TokenBucket::Create(0, 1, 0);
  ASSERT_TRUE(zero.ok());
  EXPECT_TRUE(zero->unlimited());
  EXPECT_EQ(zero->WaitMs(5), 0);
}

TEST(TokenBucketTest, ClockGoingBackwardsAddsNoTokens) {
  auto bucket = TokenBucket::Create(1, 1, 1000);
  ASSERT_TRUE(bucket.ok());
  EXPECT_TRUE(bucket->TryTake(1000));
  EXPECT_FALSE(bucket->TryTake(0));
  EXPECT_FALSE(bucket->TryTake(1999));
  EXPECT_TRUE(bucket->TryTake(2000));
}

TEST(TokenBucketTest, RejectsBadSettingsNamingTheField) {
  auto negative = TokenBucket::Create(-1, 1, 0);
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("rate_limit.per_second"), std::string::npos);
  auto bad_burst = TokenBucket::Create(5, 0.5, 0);
  ASSERT_FALSE(bad_burst.ok());
  EXPECT_NE(bad_burst.status().message().find("rate_limit.burst"), std::string::npos);
  EXPECT_FALSE(TokenBucket::Create(std::nan(""), 1, 0).ok());
}

}  // namespace
}  // namespace hookfan::engine
