// --hdr-log: HdrHistogram's V2 compressed encoding and interval log format. A histogram
// encoded by another implementation (hdr-histogram-js 3.0.1) decodes to its counts and
// percentiles here; what blast writes decodes back to the run's own counts and
// percentiles, through the log text.

#include "tools/blast/hdr_log.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>
#include <string>

#include "net/base/base64.h"
#include "tests/tools/blast/in_process_sink.h"
#include "tests/tools/child_process.h"
#include "tools/blast/hdr_histogram.h"

namespace hookfan::tools {
namespace {

// hdr-histogram-js 3.0.1: build({lowestDiscernibleValue: 1000, highestTrackableValue:
// 3600e9, numberOfSignificantValueDigits: 2}); recordValue of 1000, 1500, 250000 (twice),
// 999999, 12345678, 3e9; recordValueWithCount(40000, 5); encodeIntoCompressedBase64.
constexpr char kFromHdrHistogramJs[] =
    "HISTFAAAADp4nJNpmSzMwMAgxMDAwMjAwMDEAAbMLxgYmN0MdixggAJGBiamqYxcJ1lY/jIz9bIzveRnAgDEAwgg";

HdrHistogram Decode(std::string_view base64) {
  StatusOr<std::string> bytes = Base64Decode(base64);
  HOOKFAN_CHECK(bytes.ok());
  StatusOr<HdrHistogram> histogram = HdrHistogram::DecodeCompressed(*bytes);
  HOOKFAN_CHECK(histogram.ok());
  return std::move(*histogram);
}

TEST(HdrHistogramTest, ReadsAnotherImplementationsEncoding) {
  HdrHistogram js = Decode(kFromHdrHistogramJs);
  EXPECT_EQ(js.lowest_discernible(), 1000);
  EXPECT_EQ(js.highest_trackable(), 3'600'000'000'000);
  EXPECT_EQ(js.significant_digits(), 2);
  EXPECT_EQ(js.count(), 12u);
  // The figures hdr-histogram-js printed for the same histogram.
  EXPECT_EQ(js.ValueAtPercentile(0), 512);
  EXPECT_EQ(js.ValueAtPercentile(50), 40447);
  EXPECT_EQ(js.ValueAtPercentile(90), 12386303);
  EXPECT_EQ(js.ValueAtPercentile(99), 3003121663);
}

TEST(HdrHistogramTest, OwnEncodingRoundTripsWithTheSameLayoutAsHdrHistogram) {
  HdrHistogram mine = MakeIntervalHistogram();
  for (std::int64_t v : {1000LL, 1500LL, 250000LL, 250000LL, 999999LL, 12345678LL, 3000000000LL}) {
    mine.Record(v);
  }
  mine.Record(40000, 5);
  // Same values as the hdr-histogram-js histogram: the same counts array.
  EXPECT_EQ(mine.counts(), Decode(kFromHdrHistogramJs).counts());
  const std::string encoded = mine.EncodeCompressed();
  EXPECT_EQ(Base64Encode(encoded).substr(0, 6), "HISTFA");  // the cookie 0x1c849314
  StatusOr<HdrHistogram> back = HdrHistogram::DecodeCompressed(encoded);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->counts(), mine.counts());
  for (double p : {0.0, 50.0, 90.0, 99.0, 100.0}) {
    EXPECT_EQ(back->ValueAtPercentile(p), mine.ValueAtPercentile(p)) << p;
  }
  HdrHistogram empty = MakeIntervalHistogram();
  StatusOr<HdrHistogram> none = HdrHistogram::DecodeCompressed(empty.EncodeCompressed());
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->count(), 0u);
  EXPECT_FALSE(HdrHistogram::DecodeCompressed("HIST").ok());
  EXPECT_FALSE(HdrHistogram::DecodeCompressed(encoded.substr(0, encoded.size() - 3)).ok());
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(HdrLogTest, BlastsLogDecodesToTheRunsCountsAndPercentiles) {
  InProcessSink sink;
  const std::string log_path = ::testing::TempDir() + "/blast.hlog";
  test::ChildProcess blast({HOOKFAN_BINARY, "blast", sink.Url(), "--rate", "800", "--count", "1200",
                            "--json", "--hdr-log", log_path});
  ASSERT_EQ(blast.Wait(), 0) << blast.stderr_text();
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(blast.stdout_text()).get(root), simdjson::SUCCESS);

  const std::string text = ReadAll(log_path);
  EXPECT_TRUE(
      text.starts_with("#[Logged with hookfan blast]\n"
                       "#[Histogram log format version 1.3]\n#[StartTime: "))
      << text.substr(0, 200);
  EXPECT_NE(text.find("\n#[BaseTime: "), std::string::npos);
  EXPECT_NE(text.find("\n\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
                      "\"Interval_Compressed_Histogram\"\n"),
            std::string::npos);
  StatusOr<std::vector<HdrLogEntry>> entries = ParseHdrLog(text);
  ASSERT_TRUE(entries.ok()) << entries.status().message();
  HdrHistogram corrected = MakeIntervalHistogram();
  HdrHistogram uncorrected = MakeIntervalHistogram();
  double next_start = 0;
  for (const HdrLogEntry& entry : *entries) {
    ASSERT_TRUE(entry.tag.empty() || entry.tag == "uncorrected") << entry.tag;
    EXPECT_DOUBLE_EQ(entry.length_s, 1.0);
    // The exact maximum; the decoded histogram knows it to its bucket's width (1%).
    const double decoded_max_ms = static_cast<double>(entry.histogram.max()) / 1e6;
    EXPECT_NEAR(entry.max_ms, decoded_max_ms, 0.015 * decoded_max_ms + 0.001);
    if (entry.tag.empty()) {
      EXPECT_DOUBLE_EQ(entry.start_s, next_start);  // one interval per second, in order
      next_start += 1;
      corrected.Merge(entry.histogram);
    } else {
      uncorrected.Merge(entry.histogram);
    }
  }
  EXPECT_GE(next_start, 2);  // 1.5 s of sends
  simdjson::dom::element latency = root["latency_us"];
  EXPECT_EQ(corrected.count(), 1200u);
  EXPECT_EQ(corrected.count(), latency["corrected"]["count"].get_uint64().value());
  EXPECT_EQ(uncorrected.count(), latency["uncorrected"]["count"].get_uint64().value());
  // Same measurements, two histograms of ~1% precision each (the log's in ns).
  const std::pair<const char*, double> kPercentiles[] = {{"p50", 50}, {"p90", 90}, {"p99", 99}};
  for (const auto& [p, percentile] : kPercentiles) {
    const double json_us = static_cast<double>(latency["corrected"][p].get_int64().value());
    const double log_us = static_cast<double>(corrected.ValueAtPercentile(percentile)) / 1e3;
    EXPECT_NEAR(log_us, json_us, 0.03 * json_us + 2) << p;
    const double uncorrected_json_us =
        static_cast<double>(latency["uncorrected"][p].get_int64().value());
    const double uncorrected_log_us =
        static_cast<double>(uncorrected.ValueAtPercentile(percentile)) / 1e3;
    EXPECT_NEAR(uncorrected_log_us, uncorrected_json_us, 0.03 * uncorrected_json_us + 2) << p;
  }
}

}  // namespace
}  // namespace hookfan::tools
