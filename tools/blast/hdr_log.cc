#include "tools/blast/hdr_log.h"

#include <charconv>
#include <cstdio>
#include <ctime>

#include "net/base/base64.h"
#include "tools/blast/blast_worker.h"

namespace hookfan::tools {

namespace {

constexpr double kMaxValueUnitRatio = 1e6;  // ns to ms, HistogramLogWriter's default

std::string Seconds(double seconds) {
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%.3f", seconds);
  return buffer;
}

void AppendInterval(std::string& out, std::string_view tag, double start_s,
                    const HdrHistogram& histogram) {
  if (!tag.empty()) out.append("Tag=").append(tag).append(",");
  out += Seconds(start_s) + "," + Seconds(1.0) + "," +
         Seconds(static_cast<double>(histogram.max()) / kMaxValueUnitRatio) + "," +
         Base64Encode(histogram.EncodeCompressed()) + "\n";
}

Status BadLine(std::size_t number, std::string_view what) {
  return Status::InvalidArgument("hdr log: line " + std::to_string(number) + ": " +
                                 std::string(what));
}

bool ParseDouble(std::string_view text, double& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

HdrHistogram MakeIntervalHistogram() { return HdrHistogram(1'000, 3'600'000'000'000, 2); }

std::string HdrLogText(const BlastResult& result, std::int64_t start_unix_ms) {
  const double start_s = static_cast<double>(start_unix_ms) / 1e3;
  const std::time_t start_time = static_cast<std::time_t>(start_unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&start_time, &utc);
  char date[64];
  std::strftime(date, sizeof(date), "%a %b %d %H:%M:%S UTC %Y", &utc);
  std::string out = "#[Logged with hookfan blast]\n#[Histogram log format version 1.3]\n";
  out += "#[StartTime: " + Seconds(start_s) + " (seconds since epoch), " + date + "]\n";
  out += "#[BaseTime: " + Seconds(start_s) + " (seconds since epoch)]\n";
  out +=
      "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n";
  const HdrHistogram empty = MakeIntervalHistogram();
  for (std::size_t s = 0; s < result.seconds.size(); ++s) {
    const BlastSecond& second = *result.seconds[s];
    const double t = static_cast<double>(s);
    AppendInterval(out, "", t, second.hdr_corrected ? *second.hdr_corrected : empty);
    AppendInterval(out, "uncorrected", t, second.hdr_uncorrected ? *second.hdr_uncorrected : empty);
  }
  return out;
}

StatusOr<std::vector<HdrLogEntry>> ParseHdrLog(std::string_view text) {
  std::vector<HdrLogEntry> entries;
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.empty() || line.front() == '#' || line.front() == '"') continue;
    HdrLogEntry entry;
    if (line.starts_with("Tag=")) {
      const std::size_t comma = line.find(',');
      if (comma == std::string_view::npos) return BadLine(number, "tag without fields");
      entry.tag = std::string(line.substr(4, comma - 4));
      line.remove_prefix(comma + 1);
    }
    std::string_view fields[4];
    for (int i = 0; i < 3; ++i) {
      const std::size_t comma = line.find(',');
      if (comma == std::string_view::npos) return BadLine(number, "fewer than 4 fields");
      fields[i] = line.substr(0, comma);
      line.remove_prefix(comma + 1);
    }
    fields[3] = line;
    if (!ParseDouble(fields[0], entry.start_s) || !ParseDouble(fields[1], entry.length_s) ||
        !ParseDouble(fields[2], entry.max_ms)) {
      return BadLine(number, "a time or max is not a number");
    }
    StatusOr<std::string> bytes = Base64Decode(fields[3]);
    if (!bytes.ok()) return BadLine(number, bytes.status().message());
    StatusOr<HdrHistogram> histogram = HdrHistogram::DecodeCompressed(*bytes);
    if (!histogram.ok()) return BadLine(number, histogram.status().message());
    entry.histogram = std::move(*histogram);
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace hookfan::tools
