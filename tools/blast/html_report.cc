#include "tools/blast/html_report.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <vector>

#include "net/base/duration.h"
#include "net/client/request_outcome.h"
#include "tools/blast/html_escape.h"
#include "tools/blast/svg_chart.h"

namespace hookfan::tools {

namespace {

// Spectrum points per power of ten of 1 / (1 - percentile).
constexpr int kSpectrumStepsPerDecade = 24;
constexpr int kSpectrumMaxDecades = 6;  // up to the 99.9999th percentile

constexpr char kStyle[] =
    "body{font-family:sans-serif;margin:24px;color:#222;max-width:1000px}"
    "h1{font-size:22px}h2{font-size:17px;margin-top:28px}"
    "table{border-collapse:collapse;margin:8px 0}"
    "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
    "th{background:#f3f3f3}td.l,th.l{text-align:left}"
    ".pass{color:#17803d;font-weight:bold}.fail{color:#b3261e;font-weight:bold}"
    "code{word-break:break-all}";

std::string Printf(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), format, value);
  return buffer;
}

std::string Ms(std::int64_t micros) { return FormatNumber(static_cast<double>(micros) / 1e3); }

// A key figure: a row whose value cell carries data-figure, for people and for tests.
std::string FigureRow(std::string_view label, std::string_view figure, std::string_view value) {
  return "<tr><th class=\"l\">" + HtmlEscape(label) + "</th><td data-figure=\"" +
         HtmlEscape(figure) + "\">" + HtmlEscape(value) + "</td></tr>";
}

// The percentile at 10^decade of 1 / (1 - p): 0%, 90%, 99%, 99.9%, ...
std::string SpectrumLabel(int decade) {
  if (decade == 0) return "0%";
  if (decade == 1) return "90%";
  if (decade == 2) return "99%";
  return "99." + std::string(static_cast<std::size_t>(decade - 2), '9') + "%";
}

bool LooksLikeCredential(std::string name) {
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name == "cookie") return true;
  for (std::string_view part : {"auth", "token", "secret", "key", "signature", "password"}) {
    if (name.find(part) != std::string::npos) return true;
  }
  return false;
}

std::string HeadersCell(const std::string& lines) {
  std::string cell;
  std::string_view rest = lines;
  while (!rest.empty()) {
    const std::size_t end = rest.find("\r\n");
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 2);
    const std::size_t colon = line.find(':');
    const std::string name(line.substr(0, colon));
    std::string shown(line);
    if (colon != std::string_view::npos && LooksLikeCredential(name)) shown = name + ": (hidden)";
    cell += "<code>" + HtmlEscape(shown) + "</code><br>";
  }
  return cell.empty() ? "none" : cell;
}

std::string LatencyTable(const BlastResult& r) {
  struct Column {
    const char* label;
    double percentile;  // < 0: min, > 100: max
  };
  constexpr Column kColumns[] = {{"min", -1},     {"p50", 50},       {"p90", 90}, {"p99", 99},
                                 {"p99.9", 99.9}, {"p99.99", 99.99}, {"max", 101}};
  std::string html = "<table id=\"latency-table\"><tr><th class=\"l\">ms</th>";
  for (const Column& c : kColumns) html += std::string("<th>") + c.label + "</th>";
  html += "<th>count</th></tr>";
  for (int corrected = 1; corrected >= 0; --corrected) {
    const engine::LatencyHistogram& h = corrected ? r.corrected : r.uncorrected;
    const std::string kind = corrected ? "corrected" : "uncorrected";
    html += "<tr><th class=\"l\">" + kind + "</th>";
    for (const Column& c : kColumns) {
      const std::int64_t value = c.percentile < 0     ? h.min()
                                 : c.percentile > 100 ? h.max()
                                                      : h.Percentile(c.percentile);
      html += "<td data-figure=\"" + kind + "-" + c.label + "\">" + Ms(value) + "</td>";
    }
    html += "<td>" + std::to_string(h.count()) + "</td></tr>";
  }
  return html + "</table>";
}

std::string LatencyOverTime(const BlastSummary& summary) {
  ChartSeries series[] = {{"corrected p50", "#1f77b4", {}, false},
                          {"corrected p99", "#d62728", {}, false},
                          {"uncorrected p50", "#1f77b4", {}, true},
                          {"uncorrected p99", "#d62728", {}, true}};
  for (const BlastPoint& point : summary.timeline) {
    if (point.completed == 0) continue;  // no latency measured in that second
    const double t = point.t + 0.5;      // the middle of its second
    series[0].points.push_back({t, static_cast<double>(point.p50_us) / 1e3});
    series[1].points.push_back({t, static_cast<double>(point.p99_us) / 1e3});
    series[2].points.push_back({t, static_cast<double>(point.uncorrected_p50_us) / 1e3});
    series[3].points.push_back({t, static_cast<double>(point.uncorrected_p99_us) / 1e3});
  }
  return LineChartSvg({"latency-over-time", "Latency per second (attempts completed in it)",
                       "seconds from the planned start", "latency (ms)", false, nullptr},
                      series);
}

std::vector<ChartPoint> Spectrum(const engine::LatencyHistogram& histogram, int decades) {
  std::vector<ChartPoint> points;
  if (histogram.count() == 0) return points;
  for (int i = 0; i <= decades * kSpectrumStepsPerDecade; ++i) {
    const double x = std::pow(10, static_cast<double>(i) / kSpectrumStepsPerDecade);
    const double percentile = 100 * (1 - 1 / x);
    points.push_back({x, static_cast<double>(histogram.Percentile(percentile)) / 1e3});
  }
  return points;
}

std::string PercentileSpectrum(const BlastResult& r) {
  const double count = static_cast<double>(std::max<std::uint64_t>(r.corrected.count(), 10));
  const int decades = std::min(kSpectrumMaxDecades, static_cast<int>(std::ceil(std::log10(count))));
  ChartSeries series[] = {{"corrected", "#d62728", Spectrum(r.corrected, decades), false},
                          {"uncorrected", "#1f77b4", Spectrum(r.uncorrected, decades), false}};
  return LineChartSvg(
      {"percentile-spectrum", "Latency by percentile (HdrHistogram plot)",
       "percentile (logarithmic in 1 / (1 - p))", "latency (ms)", true, &SpectrumLabel},
      series);
}

std::string RateOverTime(const BlastSummary& summary) {
  ChartSeries series[] = {{"planned", "#7f7f7f", {}, true},
                          {"sent (first attempts)", "#2ca02c", {}, false},
                          {"errors", "#d62728", {}, false}};
  const bool open = summary.planned_rate > 0;
  for (const BlastPoint& point : summary.timeline) {
    // Per second; the last second may be partial: scale it to a rate.
    const double length = std::clamp(summary.window_s - point.t, 0.0, 1.0);
    const double per_second = length > 0.05 ? 1 / length : 1;
    const double t = point.t + 0.5;
    if (open) series[0].points.push_back({t, point.planned * per_second});
    series[1].points.push_back({t, static_cast<double>(point.sent) * per_second});
    series[2].points.push_back({t, static_cast<double>(point.errors) * per_second});
  }
  return LineChartSvg(
      {"rate-over-time", "Planned and achieved rate per second", "seconds from the planned start",
       "requests / s", false, nullptr},
      open ? std::span<const ChartSeries>(series) : std::span<const ChartSeries>(series + 1, 2));
}

const char* StatusColor(std::size_t status) {
  if (status >= 200 && status < 300) return "#2ca02c";
  if (status >= 300 && status < 400) return "#1f77b4";
  if (status >= 400 && status < 500) return "#ff7f0e";
  return "#d62728";
}

std::string Breakdown(const BlastResult& r) {
  std::vector<ChartBar> bars;
  std::string table =
      "<table id=\"breakdown-table\"><tr><th class=\"l\">outcome</th>"
      "<th>attempts</th></tr>";
  for (std::size_t s = 0; s < r.by_status.size(); ++s) {
    if (r.by_status[s] == 0) continue;
    bars.push_back(
        {"HTTP " + std::to_string(s), static_cast<double>(r.by_status[s]), StatusColor(s)});
    table += "<tr><td class=\"l\">HTTP " + std::to_string(s) + "</td><td data-figure=\"status-" +
             std::to_string(s) + "\">" + std::to_string(r.by_status[s]) + "</td></tr>";
  }
  for (std::size_t e = 1; e < r.by_error.size(); ++e) {
    if (r.by_error[e] == 0) continue;
    const std::string name(net::RequestErrorName(static_cast<net::RequestError>(e)));
    bars.push_back({name, static_cast<double>(r.by_error[e]), "#9467bd"});
    table += "<tr><td class=\"l\">" + HtmlEscape(name) + "</td><td data-figure=\"error-" +
             HtmlEscape(name) + "\">" + std::to_string(r.by_error[e]) + "</td></tr>";
  }
  const std::pair<const char*, std::uint64_t> lost[] = {{"dropped", r.dropped},
                                                        {"unfinished", r.unfinished},
                                                        {"retries abandoned", r.retries_abandoned}};
  for (const auto& [name, count] : lost) {
    if (count == 0) continue;
    bars.push_back({name, static_cast<double>(count), "#8c564b"});
    table += std::string("<tr><td class=\"l\">") + name + "</td><td>" + std::to_string(count) +
             "</td></tr>";
  }
  return BarChartSvg("breakdown", "Outcomes of the attempts", bars) + table + "</table>";
}

std::string Schedule(const BlastOptions& options) {
  if (options.model == BlastModel::kClosed) return "closed model (--max)";
  if (options.stages.empty()) return Printf("%g/s constant", options.rate);
  std::string text;
  for (const RateSegment& stage : options.stages) {
    if (!text.empty()) text += ", ";
    text += Printf("%gs ", stage.seconds) + Printf("%g", stage.from) + " to " +
            Printf("%g/s", stage.to);
  }
  return text;
}

std::string Parameters(const BlastOptions& options) {
  std::string html = "<table id=\"parameters\">";
  auto row = [&](std::string_view name, std::string_view value) {
    html += "<tr><th class=\"l\">" + HtmlEscape(name) + "</th><td class=\"l\">" +
            HtmlEscape(value) + "</td></tr>";
  };
  row("URL", options.url_text);
  row("model", options.model == BlastModel::kOpen ? "open" : "closed");
  row("schedule", Schedule(options));
  if (options.duration_ms != 0) row("duration", FormatDuration(options.duration_ms));
  if (options.count != 0) row("count", std::to_string(options.count));
  row("workers", std::to_string(options.workers));
  row("connections", std::to_string(options.connections));
  row("timeout", FormatDuration(options.timeout_ms));
  row("bodies", std::to_string(options.bodies.size()) + " (first: " +
                    std::to_string(options.bodies.front().payload.size()) + " bytes)");
  row("signing", options.signer.has_value()
                     ? std::string(engine::SigningSchemeName(options.signer->scheme()))
                     : "none");
  html += "<tr><th class=\"l\">headers</th><td class=\"l\">" + HeadersCell(options.extra_headers) +
          "</td></tr>";
  row("retries", options.retry_policy.has_value()
                     ? options.retry_policy->name() + Printf(" x%g", options.retry_policy->scale())
                     : "off");
  if (options.max_error_rate.has_value()) {
    row("--max-error-rate", Printf("%g", *options.max_error_rate));
  }
  if (options.max_p99_ms.has_value()) row("--max-p99", FormatDuration(*options.max_p99_ms));
  if (options.find_max) row("--p99-bound", FormatDuration(options.p99_bound_ms));
  return html + "</table>";
}

std::string FindMaxSteps(std::span<const BlastStep> steps) {
  std::string html =
      "<h2>--find-max steps</h2><table id=\"find-max\"><tr><th>rate</th><th>achieved</th>"
      "<th>p99 (corrected, ms)</th><th>error rate</th><th>verdict</th></tr>";
  for (const BlastStep& step : steps) {
    html += "<tr><td>" + Printf("%.1f", step.rate) + "</td><td>" +
            Printf("%.1f", step.achieved_rate) + "</td><td>" + Ms(step.p99_us) + "</td><td>" +
            Printf("%.4f", step.error_rate) + "</td><td class=\"" +
            (step.passed ? "pass\">pass" : "fail\">FAIL") + "</td></tr>";
  }
  return html + "</table>";
}

std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%d %H:%M:%S UTC", &utc);
  return buffer;
}

}  // namespace

std::string BlastHtml(const BlastOptions& options, const BlastSummary& summary,
                      std::span<const BlastStep> steps) {
  const BlastResult& r = summary.result;
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\"><title>hookfan blast: " +
      HtmlEscape(options.url_text) + "</title><style>" + kStyle + "</style></head><body>\n";
  html += "<h1>hookfan blast</h1><p>Target <code id=\"target\">" + HtmlEscape(options.url_text) +
          "</code>, report written " + UtcNow() + ".</p>\n";
  const bool passed = summary.threshold_failures.empty();
  html += "<p id=\"verdict\" class=\"" + std::string(passed ? "pass\">passed" : "fail\">FAILED");
  for (const std::string& failure : summary.threshold_failures) {
    html += "<br>" + HtmlEscape(failure);
  }
  html += "</p>\n<h2>Summary</h2><table id=\"summary\">";
  if (options.find_max)
    html += FigureRow("max rate (--find-max)", "max-rate", Printf("%.1f/s", summary.planned_rate));
  html +=
      FigureRow("planned rate", "planned-rate",
                summary.planned_rate > 0 ? Printf("%.1f/s", summary.planned_rate) : "closed model");
  html += FigureRow("achieved rate", "achieved-rate", Printf("%.1f/s", summary.achieved_rate));
  html += FigureRow("window", "window", Printf("%.2fs", summary.window_s));
  const std::pair<const char*, std::uint64_t> counts[] = {
      {"planned", r.planned}, {"sent", r.sent},       {"completed", r.completed},
      {"ok", r.ok},           {"errors", r.errors()}, {"late", r.late},
      {"queued", r.queued},   {"dropped", r.dropped}, {"unfinished", r.unfinished}};
  for (const auto& [name, count] : counts) {
    html += FigureRow(std::string("requests ") + name, std::string("requests-") + name,
                      std::to_string(count));
  }
  html += FigureRow("attempt error rate", "attempt-error-rate",
                    Printf("%.4f", summary.attempt_error_rate));
  html +=
      FigureRow("final error rate", "final-error-rate", Printf("%.4f", summary.final_error_rate));
  html +=
      "</table>\n<h2>Latency</h2><p>Corrected: from the planned send time; uncorrected: "
      "from the moment the request got a connection.</p>" +
      LatencyTable(r) + "\n";
  html += LatencyOverTime(summary) + "\n" + PercentileSpectrum(r) + "\n";
  html += "<h2>Rate</h2>" + RateOverTime(summary) + "\n";
  html += "<h2>Status and errors</h2>" + Breakdown(r) + "\n";
  if (!steps.empty()) html += FindMaxSteps(steps) + "\n";
  html += "<h2>Parameters</h2>" + Parameters(options) + "\n</body></html>\n";
  return html;
}

Status WriteReportFile(std::string_view flag, const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::InvalidArgument(std::string(flag) + ": cannot write '" + path + "'");
  return Status::Ok();
}

Status CheckWritable(std::string_view flag, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  if (!out) return Status::InvalidArgument(std::string(flag) + ": cannot write '" + path + "'");
  return Status::Ok();
}

}  // namespace hookfan::tools
