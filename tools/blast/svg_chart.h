#pragma once
// Inline SVG charts for the `hookfan blast --report` page: line charts (linear axes, or a
// logarithmic x axis for the HdrHistogram-style percentile spectrum) and horizontal bar
// charts. Plain SVG 1.1 markup, no script and no external reference, so the page shows its
// charts in any browser with JavaScript off and the network down.
//
//   ChartSeries p99{"corrected p99", "#d62728", {{0, 1.2}, {1, 1.4}}};
//   html += LineChartSvg({.id = "latency", .title = "Latency", .x_label = "s",
//                         .y_label = "ms"}, std::span(&p99, 1));
//
// Every caller-given string (ids, titles, labels, series names) is escaped here
// (tools/blast/html_escape.h); colours must be constants of the caller.

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hookfan::tools {

struct ChartPoint {
  double x = 0;
  double y = 0;
};

struct ChartSeries {
  std::string name;
  const char* color = "#1f77b4";
  std::vector<ChartPoint> points;
  bool dashed = false;
};

struct LineChart {
  std::string id;  // the <svg>'s id
  std::string title;
  std::string x_label;
  std::string y_label;
  // Logarithmic x (x >= 1), one tick per power of ten labelled by `decade_label(k)` for
  // 10^k; otherwise a linear x from 0.
  bool log_x = false;
  std::string (*decade_label)(int decade) = nullptr;
};

// A chart with a legend; series without points are listed in the legend only.
std::string LineChartSvg(const LineChart& chart, std::span<const ChartSeries> series);

struct ChartBar {
  std::string label;
  double value = 0;
  const char* color = "#1f77b4";
};

// One bar per row, scaled to the largest; each labelled with its value.
std::string BarChartSvg(std::string_view id, std::string_view title,
                        std::span<const ChartBar> bars);

// "%g" with up to `digits` significant digits: tick and bar labels.
std::string FormatNumber(double value, int digits = 4);

}  // namespace hookfan::tools
