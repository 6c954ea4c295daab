#include "tools/blast/blast_report.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <optional>

#include "net/base/duration.h"
#include "net/client/request_outcome.h"

namespace hookfan::tools {

namespace {

struct NamedPercentile {
  const char* key;
  const char* label;
  double percentile;
};
constexpr NamedPercentile kPercentiles[] = {{"p50", "p50", 50},
                                            {"p90", "p90", 90},
                                            {"p99", "p99", 99},
                                            {"p99_9", "p99.9", 99.9},
                                            {"p99_99", "p99.99", 99.99}};

std::string Printf(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), format, value);
  return buffer;
}

void LatencyJson(JsonWriter& json, const engine::LatencyHistogram& histogram) {
  json.BeginObject();
  json.Key("count").Uint(histogram.count());
  json.Key("min").Int(histogram.min());
  for (const NamedPercentile& p : kPercentiles) {
    json.Key(p.key).Int(histogram.Percentile(p.percentile));
  }
  json.Key("max").Int(histogram.max());
  json.Key("mean").Double(histogram.mean());
  json.EndObject();
}

std::string LatencyLine(const char* name, const engine::LatencyHistogram& histogram) {
  std::string line = std::string("  ") + name + ":";
  line += " min " + FormatMicros(histogram.min());
  for (const NamedPercentile& p : kPercentiles) {
    line.append("  ").append(p.label).append(" ");
    line.append(FormatMicros(histogram.Percentile(p.percentile)));
  }
  line += "  max " + FormatMicros(histogram.max()) + "\n";
  return line;
}

void SummaryFieldsJson(JsonWriter& json, const BlastOptions& options, const BlastSummary& summary) {
  const BlastResult& r = summary.result;
  json.Key("url").String(options.url_text);
  json.Key("model").String(options.model == BlastModel::kOpen ? "open" : "closed");
  json.Key("workers").Uint(options.workers);
  json.Key("connections").Uint(options.connections);
  json.Key("rate").BeginObject();
  if (summary.planned_rate > 0) {
    json.Key("planned").Double(summary.planned_rate);
  } else {
    json.Key("planned").Null();
  }
  json.Key("achieved").Double(summary.achieved_rate);
  json.Key("window_s").Double(summary.window_s);
  json.EndObject();
  json.Key("requests").BeginObject();
  json.Key("planned").Uint(r.planned);
  json.Key("sent").Uint(r.sent);
  json.Key("completed").Uint(r.completed);
  json.Key("ok").Uint(r.ok);
  json.Key("errors").Uint(r.errors());
  json.Key("late").Uint(r.late);
  json.Key("queued").Uint(r.queued);
  json.Key("dropped").Uint(r.dropped);
  json.Key("unfinished").Uint(r.unfinished);
  json.EndObject();
  json.Key("final").BeginObject();
  json.Key("ok").Uint(r.final_ok);
  json.Key("failed").Uint(r.final_failed);
  json.Key("lost").Uint(r.lost());
  json.EndObject();
  json.Key("error_rate").Double(summary.final_error_rate);
  json.Key("attempt_error_rate").Double(summary.attempt_error_rate);
  json.Key("latency_us").BeginObject();
  json.Key("corrected");
  LatencyJson(json, r.corrected);
  json.Key("uncorrected");
  LatencyJson(json, r.uncorrected);
  json.EndObject();
  json.Key("status").BeginObject();
  for (std::size_t s = 0; s < r.by_status.size(); ++s) {
    if (r.by_status[s] != 0) json.Key(std::to_string(s)).Uint(r.by_status[s]);
  }
  json.EndObject();
  json.Key("errors").BeginObject();
  for (std::size_t e = 1; e < r.by_error.size(); ++e) {
    if (r.by_error[e] == 0) continue;
    json.Key(net::RequestErrorName(static_cast<net::RequestError>(e))).Uint(r.by_error[e]);
  }
  json.EndObject();
  json.Key("retries");
  if (!options.retry_policy.has_value()) {
    json.Null();
  } else {
    json.BeginObject();
    json.Key("policy").String(options.retry_policy->name());
    json.Key("scale").Double(options.retry_policy->scale());
    json.Key("attempts").BeginObject();
    for (std::size_t n = 1; n < r.attempts_by_number.size(); ++n) {
      json.Key(std::to_string(n)).Uint(r.attempts_by_number[n]);
    }
    json.EndObject();
    json.Key("retries_sent").Uint(r.retries_sent);
    json.Key("delivered_after_retry").Uint(r.delivered_after_retry);
    json.Key("dead_letters").Uint(r.dead_letters);
    json.Key("abandoned").Uint(r.retries_abandoned);
    json.EndObject();
  }
  json.Key("timeline").BeginArray();
  for (const BlastPoint& point : summary.timeline) {
    json.BeginObject();
    json.Key("t").Double(point.t);
    json.Key("planned").Double(point.planned);
    json.Key("sent").Uint(point.sent);
    json.Key("completed").Uint(point.completed);
    json.Key("errors").Uint(point.errors);
    json.Key("p50_us").Int(point.p50_us);
    json.Key("p99_us").Int(point.p99_us);
    json.Key("uncorrected_p50_us").Int(point.uncorrected_p50_us);
    json.Key("uncorrected_p99_us").Int(point.uncorrected_p99_us);
    json.EndObject();
  }
  json.EndArray();
  json.Key("thresholds").BeginObject();
  json.Key("passed").Bool(summary.threshold_failures.empty());
  json.Key("failures").BeginArray();
  for (const std::string& failure : summary.threshold_failures) json.String(failure);
  json.EndArray();
  json.EndObject();
}

}  // namespace

std::string FormatMicros(std::int64_t micros) {
  if (micros < 1000) return std::to_string(micros) + "us";
  if (micros < 1'000'000) return Printf("%.2fms", static_cast<double>(micros) / 1e3);
  return Printf("%.3fs", static_cast<double>(micros) / 1e6);
}

BlastSummary Summarize(const BlastOptions& options, double rate, std::int64_t start_ns,
                       std::span<const BlastResult* const> results) {
  BlastSummary summary;
  for (const BlastResult* result : results) summary.result.Merge(*result);
  const BlastResult& r = summary.result;
  const double first_attempts = static_cast<double>(r.planned - r.dropped);
  const double sent_span_s =
      r.last_send_ns > start_ns ? static_cast<double>(r.last_send_ns - start_ns) / 1e9 : 0;
  if (options.model == BlastModel::kOpen) {
    summary.planned_rate = rate;
    // The schedule's own length, or longer when the sends fell behind it.
    const double planned_s = options.duration_ms != 0
                                 ? static_cast<double>(options.duration_ms) / 1e3
                                 : static_cast<double>(options.count) / rate;
    summary.window_s = std::max(planned_s, sent_span_s + (options.count != 0 ? 1 / rate : 0));
  } else {
    summary.window_s = static_cast<double>(r.schedule_end_ns - start_ns) / 1e9;
  }
  if (summary.window_s > 0) summary.achieved_rate = first_attempts / summary.window_s;
  if (r.completed > 0) {
    summary.attempt_error_rate = static_cast<double>(r.errors()) / static_cast<double>(r.completed);
  }
  const double finals = static_cast<double>(r.final_ok + r.final_failed + r.lost());
  if (finals > 0) {
    summary.final_error_rate = static_cast<double>(r.final_failed + r.lost()) / finals;
  }
  summary.threshold_failures = CheckThresholds(summary, options.max_error_rate, options.max_p99_ms);
  std::optional<RateSchedule> schedule;
  if (options.model == BlastModel::kOpen) {
    schedule.emplace(options.stages.empty()
                         ? RateSchedule::Constant(rate, std::numeric_limits<double>::infinity())
                         : RateSchedule(options.stages));
  }
  for (std::size_t s = 0; s < r.seconds.size(); ++s) {
    const BlastSecond& second = *r.seconds[s];
    BlastPoint point;
    point.t = static_cast<double>(s);
    if (schedule.has_value()) {
      const double end = std::min(point.t + 1, summary.window_s);
      if (end > point.t) point.planned = schedule->CountUntil(end) - schedule->CountUntil(point.t);
    }
    point.sent = second.sent;
    point.completed = second.completed;
    point.errors = second.errors;
    point.p50_us = second.corrected.Percentile(50);
    point.p99_us = second.corrected.Percentile(99);
    point.uncorrected_p50_us = second.uncorrected.Percentile(50);
    point.uncorrected_p99_us = second.uncorrected.Percentile(99);
    summary.timeline.push_back(point);
  }
  return summary;
}

std::vector<std::string> CheckThresholds(const BlastSummary& summary,
                                         std::optional<double> max_error_rate,
                                         std::optional<DurationMs> max_p99_ms) {
  std::vector<std::string> failures;
  const BlastResult& r = summary.result;
  if (max_error_rate.has_value()) {
    // Final outcomes, as a user of --retries expects; requests that never got an answer
    // count as errors too.
    const double rate = summary.final_error_rate;
    if (rate > *max_error_rate) {
      failures.push_back("--max-error-rate: final error rate " + Printf("%.4f", rate) + " > " +
                         Printf("%g", *max_error_rate) + " (" + std::to_string(r.final_failed) +
                         " failed, " + std::to_string(r.lost()) + " lost)");
    }
  }
  if (max_p99_ms.has_value()) {
    const std::int64_t p99 = r.corrected.Percentile(99.0);
    if (p99 > *max_p99_ms * 1000) {
      failures.push_back("--max-p99: corrected p99 " + FormatMicros(p99) + " > " +
                         FormatDuration(*max_p99_ms));
    }
  }
  return failures;
}

std::string BlastText(const BlastOptions& options, const BlastSummary& summary) {
  const BlastResult& r = summary.result;
  std::string text = "blast " + options.url_text + " (" +
                     (options.model == BlastModel::kOpen ? "open" : "closed") + " model, " +
                     std::to_string(options.workers) + " workers, " +
                     std::to_string(options.connections) + " connections)\n";
  text += "  rate: achieved " + Printf("%.1f/s", summary.achieved_rate);
  if (summary.planned_rate > 0) text += " of planned " + Printf("%.1f/s", summary.planned_rate);
  text += " over " + Printf("%.2fs", summary.window_s) + "\n";
  text += "  requests: " + std::to_string(r.sent) + " sent, " + std::to_string(r.completed) +
          " completed, " + std::to_string(r.ok) + " ok, " + std::to_string(r.errors()) +
          " errors (" + Printf("%.2f%%", summary.attempt_error_rate * 100) + " of attempts), " +
          std::to_string(r.late) + " late, " + std::to_string(r.queued) + " queued, " +
          std::to_string(r.dropped) + " dropped, " + std::to_string(r.unfinished) + " unfinished\n";
  text += "  final: " + std::to_string(r.final_ok) + " delivered, " +
          std::to_string(r.final_failed) + " failed, " + std::to_string(r.lost()) +
          " lost: error rate " + Printf("%.2f%%", summary.final_error_rate * 100) + "\n";
  text += "latency (corrected: from the planned send time; uncorrected: from the actual send)\n";
  text += LatencyLine("corrected  ", r.corrected);
  text += LatencyLine("uncorrected", r.uncorrected);
  text += "status:";
  for (std::size_t s = 0; s < r.by_status.size(); ++s) {
    if (r.by_status[s] == 0) continue;
    text.append(" ").append(std::to_string(s)).append("=").append(std::to_string(r.by_status[s]));
  }
  for (std::size_t e = 1; e < r.by_error.size(); ++e) {
    if (r.by_error[e] == 0) continue;
    text.append(" ").append(net::RequestErrorName(static_cast<net::RequestError>(e)));
    text.append("=").append(std::to_string(r.by_error[e]));
  }
  text += "\n";
  if (options.retry_policy.has_value()) {
    text += "retries (" + options.retry_policy->name() + " x" +
            Printf("%g", options.retry_policy->scale()) + "): attempts";
    for (std::size_t n = 1; n < r.attempts_by_number.size(); ++n) {
      text.append(" #").append(std::to_string(n)).append("=");
      text.append(std::to_string(r.attempts_by_number[n]));
    }
    text += ", " + std::to_string(r.retries_sent) + " retries sent, " +
            std::to_string(r.delivered_after_retry) + " delivered after a retry, " +
            std::to_string(r.dead_letters) + " dead letters, " +
            std::to_string(r.retries_abandoned) + " abandoned\n";
  }
  if (summary.timeline.size() > 1) {
    text += "per second: t  planned  sent  errors  p50  p99 (corrected)\n";
    for (const BlastPoint& point : summary.timeline) {
      text += "  " + Printf("%4.0fs", point.t) + "  " + Printf("%.0f", point.planned) + "  " +
              std::to_string(point.sent) + "  " + std::to_string(point.errors) + "  " +
              FormatMicros(point.p50_us) + "  " + FormatMicros(point.p99_us) + "\n";
    }
  }
  for (const std::string& failure : summary.threshold_failures) {
    text += "FAILED " + failure + "\n";
  }
  return text;
}

std::string BlastJson(const BlastOptions& options, const BlastSummary& summary) {
  JsonWriter json;
  json.BeginObject();
  SummaryFieldsJson(json, options, summary);
  json.EndObject();
  return json.Take();
}

std::string FindMaxText(const BlastOptions& options, std::span<const BlastStep> steps,
                        const BlastSummary* best) {
  std::string text = "find-max: p99 (corrected) bound " + FormatDuration(options.p99_bound_ms) +
                     ", max error rate " + Printf("%g", options.max_error_rate.value_or(0)) + "\n";
  for (const BlastStep& step : steps) {
    text += "  rate " + Printf("%.1f/s", step.rate) + ": achieved " +
            Printf("%.1f/s", step.achieved_rate) + ", p99 " + FormatMicros(step.p99_us) +
            ", errors " + Printf("%.2f%%", step.error_rate * 100) +
            (step.passed ? "  pass\n" : "  FAIL\n");
  }
  if (best == nullptr) return text + "max rate: none (the first step failed)\n";
  text += "max rate: " + Printf("%.1f/s", best->planned_rate) + "\n";
  return text + BlastText(options, *best);
}

std::string FindMaxJson(const BlastOptions& options, std::span<const BlastStep> steps,
                        const BlastSummary* best) {
  JsonWriter json;
  json.BeginObject();
  json.Key("find_max").BeginObject();
  json.Key("p99_bound_ms").Int(options.p99_bound_ms);
  json.Key("max_error_rate").Double(options.max_error_rate.value_or(0));
  if (best != nullptr) {
    json.Key("max_rate").Double(best->planned_rate);
  } else {
    json.Key("max_rate").Null();
  }
  json.Key("steps").BeginArray();
  for (const BlastStep& step : steps) {
    json.BeginObject();
    json.Key("rate").Double(step.rate);
    json.Key("achieved").Double(step.achieved_rate);
    json.Key("p99_us").Int(step.p99_us);
    json.Key("error_rate").Double(step.error_rate);
    json.Key("passed").Bool(step.passed);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  json.Key("best");
  if (best == nullptr) {
    json.Null();
  } else {
    json.BeginObject();
    SummaryFieldsJson(json, options, *best);
    json.EndObject();
  }
  json.EndObject();
  return json.Take();
}

}  // namespace hookfan::tools
