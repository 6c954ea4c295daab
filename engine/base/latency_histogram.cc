#include "engine/base/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "net/base/check.h"

namespace hookfan::engine {

LatencyHistogram::LatencyHistogram(int precision_bits)
    : precision_bits_(precision_bits),
      counts_(static_cast<std::size_t>((kOctaves + 1) << precision_bits)) {
  HOOKFAN_CHECK(precision_bits >= 1 && precision_bits <= 10);
}

int LatencyHistogram::BucketOf(std::int64_t value) const {
  const std::uint64_t v = value < 0 ? 0 : static_cast<std::uint64_t>(value);
  const std::uint64_t kLinearLimit = std::uint64_t{1} << precision_bits_;
  if (v < kLinearLimit) return static_cast<int>(v);  // exact below 2^precision
  // Above that, keep the top precision+1 bits: the shift is the octave (minus one) and the
  // bits below the leading one pick the linear step inside it.
  const int top_bit = 63 - std::countl_zero(v);
  const int shift = top_bit - precision_bits_;
  const int octave = shift + 1;
  if (octave > kOctaves) return bucket_count() - 1;
  const int sub = static_cast<int>((v >> shift) - kLinearLimit);
  return (octave << precision_bits_) + sub;
}

std::int64_t LatencyHistogram::UpperEdgeOf(int bucket) const {
  const int octave = bucket >> precision_bits_;
  const std::int64_t sub = bucket & ((1 << precision_bits_) - 1);
  if (octave == 0) return sub;
  const int shift = octave - 1;
  const std::int64_t low = ((std::int64_t{1} << precision_bits_) + sub) << shift;
  return low + (std::int64_t{1} << shift) - 1;
}

void LatencyHistogram::RecordMany(std::int64_t value, std::uint64_t count) {
  if (count == 0) return;
  if (value < 0) value = 0;
  counts_[static_cast<std::size_t>(BucketOf(value))] += count;
  count_ += count;
  sum_ += value * static_cast<std::int64_t>(count);
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  HOOKFAN_CHECK(other.precision_bits_ == precision_bits_);
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void LatencyHistogram::Reset() { *this = LatencyHistogram(precision_bits_); }

std::int64_t LatencyHistogram::Percentile(double percentile) const {
  if (count_ == 0) return 0;
  percentile = std::clamp(percentile, 0.0, 100.0);
  // The rank of the wanted value, 1-based: ceil(p% of count), at least 1.
  auto rank =
      static_cast<std::uint64_t>(std::ceil(percentile / 100.0 * static_cast<double>(count_)));
  rank = std::max<std::uint64_t>(rank, 1);
  std::uint64_t seen = 0;
  for (int bucket = 0; bucket < bucket_count(); ++bucket) {
    seen += counts_[static_cast<std::size_t>(bucket)];
    if (seen >= rank) {
      // The last bucket also takes every value past the top octave: only max() is known.
      if (bucket == bucket_count() - 1) return max_;
      return std::clamp(UpperEdgeOf(bucket), min(), max_);
    }
  }
  return max_;
}

}  // namespace hookfan::engine
