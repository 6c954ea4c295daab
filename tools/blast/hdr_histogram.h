#pragma once
// HdrHistogram: a recorder with HdrHistogram's own bucket layout (lowest discernible value,
// highest trackable value, significant digits), so that it can be written in HdrHistogram's
// V2 compressed encoding (the payload of interval logs, tools/blast/hdr_log.h) and read back
// by HdrHistogram's own tools (Java, C, JavaScript, Go ports). engine::LatencyHistogram keeps
// its own, fixed layout; this one exists for --hdr-log only.
//
//   HdrHistogram histogram(1'000, 3'600'000'000'000, 2);   // ns, 1 µs .. 1 h, 1% precision
//   histogram.Record(latency_ns);
//   std::string bytes = histogram.EncodeCompressed();       // base64 it for a log line
//   StatusOr<HdrHistogram> back = HdrHistogram::DecodeCompressed(bytes);
//
// The counts array grows to the highest index recorded so far, so a histogram of short
// latencies stays small. Not thread-safe: one per worker, merged afterwards.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/base/status.h"

namespace hookfan::tools {

class HdrHistogram {
 public:
  HdrHistogram(std::int64_t lowest_discernible, std::int64_t highest_trackable,
               int significant_digits);

  // Values above the highest trackable one are recorded as it; negative ones as 0.
  void Record(std::int64_t value, std::uint64_t count = 1);
  // Same layout (lowest, highest, digits) required.
  void Merge(const HdrHistogram& other);

  std::uint64_t count() const { return total_; }
  std::int64_t max() const { return max_; }  // the largest value recorded (0 when empty)
  std::int64_t min() const { return total_ == 0 ? 0 : min_; }
  // As HdrHistogram's getValueAtPercentile: the highest value equivalent to the one at
  // the rank ceil(percentile% of count) (the lowest equivalent one for 0).
  std::int64_t ValueAtPercentile(double percentile) const;
  std::int64_t lowest_discernible() const { return lowest_; }
  std::int64_t highest_trackable() const { return highest_; }
  int significant_digits() const { return digits_; }
  const std::vector<std::uint64_t>& counts() const { return counts_; }

  // HdrHistogram's V2 compressed form (cookie 0x1c849314, zlib-deflated V2 encoding).
  std::string EncodeCompressed() const;
  static StatusOr<HdrHistogram> DecodeCompressed(std::string_view bytes);

 private:
  std::size_t IndexOf(std::int64_t value) const;
  std::int64_t ValueFromIndex(std::size_t index) const;
  std::int64_t HighestEquivalent(std::int64_t value) const;
  std::int64_t LowestEquivalent(std::int64_t value) const;
  std::string Encode() const;

  std::int64_t lowest_;
  std::int64_t highest_;
  int digits_;
  int unit_magnitude_;
  int sub_bucket_half_count_magnitude_;
  std::int64_t sub_bucket_count_;
  std::int64_t sub_bucket_half_count_;
  std::uint64_t sub_bucket_mask_;
  int leading_zero_count_base_;
  std::size_t counts_length_;  // the full layout's length (the vector grows up to it)
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::int64_t min_ = INT64_MAX;
  std::int64_t max_ = 0;
};

}  // namespace hookfan::tools
