#include "engine/base/rng.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace hookfan::engine {
namespace {

TEST(RngTest, SameSeedGivesSameSequence) {
  Rng a(42), b(42), c(43);
  bool differs_from_other_seed = false;
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t x = a.Next();
    ASSERT_EQ(x, b.Next());
    differs_from_other_seed |= x != c.Next();
  }
  EXPECT_TRUE(differs_from_other_seed);
}

TEST(RngTest, MatchesSplitMix64ReferenceOutput) {
  // First outputs of the reference splitmix64.c with seed 0.
  Rng rng(0);
  EXPECT_EQ(rng.Next(), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(rng.Next(), 0x6e789e6aa1b965f4ULL);
}

TEST(RngTest, NextUnitIsInHalfOpenUnitIntervalAndSpread) {
  Rng rng(7);
  double sum = 0, lowest = 1, highest = 0;
  constexpr int kSamples = 100000;
  for (int i = 0; i < kSamples; ++i) {
    const double u = rng.NextUnit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    lowest = std::min(lowest, u);
    highest = std::max(highest, u);
  }
  EXPECT_NEAR(sum / kSamples, 0.5, 0.01);
  EXPECT_LT(lowest, 0.001);
  EXPECT_GT(highest, 0.999);
}

}  // namespace
}  // namespace hookfan::engine
