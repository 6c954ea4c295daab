#pragma once
// `hookfan blast --hdr-log FILE`: the run's latencies as an HdrHistogram interval log, in
// the format HdrHistogram's HistogramLogWriter writes (log format version 1.3), so that
// HistogramLogProcessor, HistogramLogAnalyzer and the other ports' log readers can read it:
//
//   #[Logged with hookfan blast]
//   #[Histogram log format version 1.3]
//   #[StartTime: 1764700000.123 (seconds since epoch), Wed Dec  2 18:00:00 UTC 2026]
//   #[BaseTime: 1764700000.123 (seconds since epoch)]
//   "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
//   0.000,1.000,1.234,HISTFAAAA...                  <- corrected latency of second 0
//   Tag=uncorrected,0.000,1.000,0.912,HISTFAAAA...  <- uncorrected latency of second 0
//
// One interval per second of the run (the second in which the attempts completed), start
// times relative to BaseTime (the planned start). Values are nanoseconds (HdrHistogram's
// usual unit; Interval_Max in milliseconds, as HistogramLogWriter divides by 10^6).
// Untagged lines hold the corrected latency, which readers take by default; lines tagged
// `uncorrected` the latency from the moment the request got a connection.
//
//   std::string text = HdrLogText(result, start_unix_ms);
//   StatusOr<std::vector<HdrLogEntry>> entries = ParseHdrLog(text);   // tests, tools

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/base/status.h"
#include "tools/blast/hdr_histogram.h"

namespace hookfan::tools {

struct BlastResult;

// The layout of every --hdr-log histogram: 1 µs to 1 hour in nanoseconds, 2 significant
// digits (1%, like the report's own histograms).
HdrHistogram MakeIntervalHistogram();

std::string HdrLogText(const BlastResult& result, std::int64_t start_unix_ms);

struct HdrLogEntry {
  std::string tag;  // empty: untagged
  double start_s = 0;
  double length_s = 0;
  double max_ms = 0;
  HdrHistogram histogram = MakeIntervalHistogram();
};

// Reads back what HdrLogText wrote (and HistogramLogWriter's logs in general: comments and
// the legend skipped, optional Tag=). Errors name the line.
StatusOr<std::vector<HdrLogEntry>> ParseHdrLog(std::string_view text);

}  // namespace hookfan::tools
