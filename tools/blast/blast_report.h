#pragma once
// The report of a `hookfan blast` run: the workers' results merged, the rates and the
// thresholds derived from them, printed for people or as JSON (schema: docs/blast.md).
//
//   BlastSummary summary = Summarize(options, rate, start_ns, worker_results);
//   std::string text = options.json ? BlastJson(options, summary) : BlastText(options, summary);
//   return summary.threshold_failures.empty() ? 0 : 1;
//
// Plain functions of their arguments; any thread.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "net/base/json_writer.h"
#include "tools/blast/blast_options.h"
#include "tools/blast/blast_worker.h"

namespace hookfan::tools {

// One second of the run's time series (--json "timeline", the report's charts).
struct BlastPoint {
  double t = 0;        // seconds from the planned start
  double planned = 0;  // requests the schedule planned in this second (0: closed model)
  std::uint64_t sent = 0;
  std::uint64_t completed = 0;
  std::uint64_t errors = 0;
  std::int64_t p50_us = 0;  // corrected, of the attempts completed in this second
  std::int64_t p99_us = 0;
  std::int64_t uncorrected_p50_us = 0;
  std::int64_t uncorrected_p99_us = 0;
};

struct BlastSummary {
  BlastResult result;              // merged over the workers
  double planned_rate = 0;         // requests/s asked for; 0 in the closed model
  double achieved_rate = 0;        // first attempts sent per second of the schedule
  double window_s = 0;             // length of the schedule actually run
  std::int64_t start_unix_ms = 0;  // wall-clock time of the planned start (RunBlast)
  double attempt_error_rate = 0;   // failed attempts / completed attempts
  // Failed final outcomes (after retries; dropped, unfinished and abandoned requests
  // included) / requests: what --max-error-rate checks. Equals the attempt error rate
  // without --retries, apart from the lost requests.
  double final_error_rate = 0;
  std::vector<std::string> threshold_failures;  // "--max-p99: p99 61.2ms > 50ms", ...
  std::vector<BlastPoint> timeline;             // one point per second
};

// One step of --find-max.
struct BlastStep {
  double rate = 0;
  double achieved_rate = 0;
  std::int64_t p99_us = 0;  // corrected
  double error_rate = 0;    // final
  bool passed = false;
};

BlastSummary Summarize(const BlastOptions& options, double rate, std::int64_t start_ns,
                       std::span<const BlastResult* const> results);

// Why a summary fails --max-error-rate / --max-p99 (empty: it passes). Also used per
// --find-max step with the step's bound.
std::vector<std::string> CheckThresholds(const BlastSummary& summary,
                                         std::optional<double> max_error_rate,
                                         std::optional<DurationMs> max_p99_ms);

// Human summary, several lines, ending with a newline.
std::string BlastText(const BlastOptions& options, const BlastSummary& summary);
// One JSON object (docs/blast.md), no newline.
std::string BlastJson(const BlastOptions& options, const BlastSummary& summary);
// --find-max: the steps, the highest passing rate, and the full report of that step.
std::string FindMaxText(const BlastOptions& options, std::span<const BlastStep> steps,
                        const BlastSummary* best);
std::string FindMaxJson(const BlastOptions& options, std::span<const BlastStep> steps,
                        const BlastSummary* best);

// "1.234ms", "12.3s", "850us": a latency in microseconds for people.
std::string FormatMicros(std::int64_t micros);

}  // namespace hookfan::tools
