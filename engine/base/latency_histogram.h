#pragma once
// A fixed-memory latency histogram in the manner of HdrHistogram: log-linear buckets with
// 2^precision_bits linear sub-buckets per power of two, so every recorded value is kept to
// within 1/2^precision_bits relative error (0.8% at the default 7 bits, 40 KiB; 6% at 4 bits,
// 5 KiB, for per-endpoint use), from 1 µs to over a week, however many values are recorded.
// No per-sample storage.
//
//   LatencyHistogram histogram;              // one per worker thread (not thread-safe)
//   histogram.Record(latency_us);
//   total.Merge(histogram);                  // combine workers' copies for a report
//   int64_t p99 = total.Percentile(99.0);

#include <cstdint>
#include <vector>

namespace hookfan::engine {

class LatencyHistogram {
 public:
  static constexpr int kDefaultPrecisionBits = 7;  // 128 linear steps per octave
  static constexpr int kOctaves = 40;              // values up to ~2^46 µs

  explicit LatencyHistogram(int precision_bits = kDefaultPrecisionBits);

  // Records one value (microseconds, or any unit the owner chooses); negative counts as 0.
  void Record(std::int64_t value) { RecordMany(value, 1); }
  void RecordMany(std::int64_t value, std::uint64_t count);
  // Both must have the same precision.
  void Merge(const LatencyHistogram& other);
  void Reset();

  std::uint64_t count() const { return count_; }
  std::int64_t min() const { return count_ ? min_ : 0; }
  std::int64_t max() const { return max_; }
  double mean() const {
    return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0;
  }
  // The value at or below which `percentile` percent of recorded values fall (0..100),
  // reported as the upper edge of its bucket, clamped to max(); 0 when empty.
  std::int64_t Percentile(double percentile) const;

 private:
  int BucketOf(std::int64_t value) const;
  std::int64_t UpperEdgeOf(int bucket) const;
  int bucket_count() const { return static_cast<int>(counts_.size()); }

  int precision_bits_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::int64_t sum_ = 0;
  std::int64_t min_ = INT64_MAX;
  std::int64_t max_ = 0;
};

}  // namespace hookfan::engine
