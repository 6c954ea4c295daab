#include "engine/base/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace hookfan::engine {
namespace {

TEST(LatencyHistogramTest, EmptyReportsZero) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.Percentile(99), 0);
  EXPECT_EQ(histogram.min(), 0);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram histogram;
  for (int v = 1; v <= 100; ++v) histogram.Record(v);
  EXPECT_EQ(histogram.Percentile(50), 50);
  EXPECT_EQ(histogram.Percentile(99), 99);
  EXPECT_EQ(histogram.Percentile(100), 100);
  EXPECT_EQ(histogram.min(), 1);
  EXPECT_EQ(histogram.max(), 100);
  EXPECT_DOUBLE_EQ(histogram.mean(), 50.5);
}

TEST(LatencyHistogramTest, PercentilesWithinOnePercentOfExactOnWideRange) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> distribution(8.0, 2.0);  // µs, heavy tail
  std::vector<std::int64_t> values;
  LatencyHistogram histogram;
  for (int i = 0; i < 100000; ++i) {
    auto v = static_cast<std::int64_t>(distribution(rng));
    values.push_back(v);
    histogram.Record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {50.0, 90.0, 99.0, 99.9, 99.99}) {
    auto exact = values[static_cast<std::size_t>(std::ceil(p / 100 * values.size())) - 1];
    auto reported = histogram.Percentile(p);
    EXPECT_GE(reported, exact) << p;  // upper edge of the bucket holding the exact value
    EXPECT_LE(reported, exact + exact / 64 + 1) << p;
  }
  EXPECT_EQ(histogram.Percentile(100), values.back());
}

TEST(LatencyHistogramTest, LowerPrecisionStaysWithinItsBound) {
  LatencyHistogram coarse(4);  // 1/16 relative error
  for (int v = 1; v <= 100000; ++v) coarse.Record(v);
  EXPECT_GE(coarse.Percentile(50), 50000);
  EXPECT_LE(coarse.Percentile(50), 50000 + 50000 / 16);
  EXPECT_EQ(coarse.Percentile(100), 100000);
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  for (int i = 0; i < 1000; ++i) {
    (i % 2 ? a : b).Record(i * 37);
    all.Record(i * 37);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  for (double p : {1.0, 50.0, 99.0}) EXPECT_EQ(a.Percentile(p), all.Percentile(p));
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
}

TEST(LatencyHistogramTest, HugeAndNegativeValuesDoNotOverflow) {
  LatencyHistogram histogram;
  histogram.Record(-5);
  histogram.Record(INT64_MAX / 4);
  EXPECT_EQ(histogram.count(), 2u);
  EXPECT_EQ(histogram.min(), 0);
  EXPECT_EQ(histogram.Percentile(100), INT64_MAX / 4);
}

}  // namespace
}  // namespace hookfan::engine
