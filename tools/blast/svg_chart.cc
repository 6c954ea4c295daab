#include "tools/blast/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tools/blast/html_escape.h"

namespace hookfan::tools {

namespace {

constexpr double kWidth = 760;
constexpr double kHeight = 330;
constexpr double kLeft = 72;
constexpr double kRight = 40;  // room for the last x label, centred on the axis end
constexpr double kTop = 34;
constexpr double kPlotBottom = 250;  // y of the x axis
// Markers on every point of short series, so that a one-point series still shows.
constexpr std::size_t kMarkersUpTo = 60;

std::string Coordinate(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.1f", value);
  return buffer;
}

// 1, 2 or 5 times a power of ten, at least `raw`.
double NiceStep(double raw) {
  if (!(raw > 0)) return 1;
  const double power = std::pow(10, std::floor(std::log10(raw)));
  for (double factor : {1.0, 2.0, 5.0}) {
    if (factor * power >= raw) return factor * power;
  }
  return 10 * power;
}

std::string Text(double x, double y, std::string_view anchor, std::string_view text,
                 std::string_view extra = "") {
  std::string out = "<text x=\"" + Coordinate(x) + "\" y=\"" + Coordinate(y) + "\" text-anchor=\"" +
                    std::string(anchor) + "\"";
  if (!extra.empty()) out.append(" ").append(extra);
  return out + ">" + HtmlEscape(text) + "</text>";
}

std::string Line(double x1, double y1, double x2, double y2, std::string_view style) {
  return "<line x1=\"" + Coordinate(x1) + "\" y1=\"" + Coordinate(y1) + "\" x2=\"" +
         Coordinate(x2) + "\" y2=\"" + Coordinate(y2) + "\" " + std::string(style) + "/>";
}

std::string SvgOpen(std::string_view id, double height, std::string_view title) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"" + HtmlEscape(id) +
         "\" role=\"img\" font-family=\"sans-serif\" font-size=\"12\" width=\"" +
         Coordinate(kWidth) + "\" height=\"" + Coordinate(height) + "\" viewBox=\"0 0 " +
         Coordinate(kWidth) + " " + Coordinate(height) + "\"><title>" + HtmlEscape(title) +
         "</title>" +
         Text(kWidth / 2, 20, "middle", title, "font-weight=\"bold\" font-size=\"14\"");
}

}  // namespace

std::string FormatNumber(double value, int digits) {
  char buffer[48];
  // Whole numbers past `digits` digits (rates like 150000/s) in full: %g would print 1.5e+05.
  if (std::abs(value) < 1e15 && std::abs(value) >= std::pow(10, digits) &&
      value == std::round(value)) {
    std::snprintf(buffer, sizeof(buffer), "%.0f", value);
    return buffer;
  }
  std::snprintf(buffer, sizeof(buffer), "%.*g", digits, value);
  return buffer;
}

std::string LineChartSvg(const LineChart& chart, std::span<const ChartSeries> series) {
  const double plot_width = kWidth - kLeft - kRight;
  const double plot_height = kPlotBottom - kTop;
  double max_x = 0;
  double max_y = 0;
  for (const ChartSeries& s : series) {
    for (const ChartPoint& p : s.points) {
      max_x = std::max(max_x, p.x);
      max_y = std::max(max_y, p.y);
    }
  }
  // x range: [0, max_x] linear, or decades [0, ceil(log10(max_x))] logarithmic.
  const int decades =
      chart.log_x
          ? std::max(1, static_cast<int>(std::ceil(std::log10(std::max(max_x, 1.0)) - 1e-9)))
          : 0;
  const double x_step = NiceStep(max_x / 8);
  const double x_max = chart.log_x ? decades : std::max(x_step, std::ceil(max_x / x_step) * x_step);
  const double y_step = NiceStep(max_y / 5);
  const double y_max = std::max(y_step, std::ceil(max_y / y_step) * y_step);
  auto to_x = [&](double x) {
    const double position = chart.log_x ? std::log10(std::max(x, 1.0)) : x;
    return kLeft + position / x_max * plot_width;
  };
  auto to_y = [&](double y) { return kPlotBottom - y / y_max * plot_height; };

  std::string svg = SvgOpen(chart.id, kHeight, chart.title);
  // Grid and ticks.
  for (double y = 0; y <= y_max + y_step / 2; y += y_step) {
    svg += Line(kLeft, to_y(y), kLeft + plot_width, to_y(y), "stroke=\"#e0e0e0\"");
    svg += Text(kLeft - 6, to_y(y) + 4, "end", FormatNumber(y));
  }
  if (chart.log_x) {
    for (int k = 0; k <= decades; ++k) {
      const double x = kLeft + k / x_max * plot_width;
      svg += Line(x, kTop, x, kPlotBottom, "stroke=\"#e0e0e0\"");
      const std::string label =
          chart.decade_label != nullptr ? chart.decade_label(k) : FormatNumber(std::pow(10, k));
      svg += Text(x, kPlotBottom + 16, "middle", label);
    }
  } else {
    for (double x = 0; x <= x_max + x_step / 2; x += x_step) {
      svg += Line(to_x(x), kTop, to_x(x), kPlotBottom, "stroke=\"#e0e0e0\"");
      svg += Text(to_x(x), kPlotBottom + 16, "middle", FormatNumber(x));
    }
  }
  svg += Line(kLeft, kPlotBottom, kLeft + plot_width, kPlotBottom, "stroke=\"#333\"");
  svg += Line(kLeft, kTop, kLeft, kPlotBottom, "stroke=\"#333\"");
  svg += Text(kLeft + plot_width / 2, kPlotBottom + 36, "middle", chart.x_label);
  svg += Text(16, kTop + plot_height / 2, "middle", chart.y_label,
              "transform=\"rotate(-90 16 " + Coordinate(kTop + plot_height / 2) + ")\"");
  // Series, then the legend in one row below the axis label.
  double legend_x = kLeft;
  for (const ChartSeries& s : series) {
    const std::string color = s.color;
    const std::string dash = s.dashed ? " stroke-dasharray=\"6 4\"" : "";
    svg += "<g class=\"series\" data-series=\"" + HtmlEscape(s.name) + "\" data-points=\"" +
           std::to_string(s.points.size()) + "\">";
    if (s.points.size() > 1) {
      svg += "<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"1.8\"" + dash +
             " points=\"";
      for (const ChartPoint& p : s.points) {
        svg += Coordinate(to_x(p.x)) + "," + Coordinate(to_y(p.y)) + " ";
      }
      svg += "\"/>";
    }
    if (s.points.size() <= kMarkersUpTo) {
      for (const ChartPoint& p : s.points) {
        svg += "<circle r=\"2.5\" fill=\"" + color + "\" cx=\"" + Coordinate(to_x(p.x)) +
               "\" cy=\"" + Coordinate(to_y(p.y)) + "\"/>";
      }
    }
    svg += "</g>";
    const double legend_y = kPlotBottom + 62;
    svg += Line(legend_x, legend_y - 4, legend_x + 22, legend_y - 4,
                "stroke=\"" + color + "\" stroke-width=\"2.5\"" + dash);
    svg += Text(legend_x + 27, legend_y, "start", s.name);
    // The swatch, a gap, then ~7 px per character at 12 px.
    legend_x += 44 + 7.0 * static_cast<double>(s.name.size());
  }
  return svg + "</svg>";
}

std::string BarChartSvg(std::string_view id, std::string_view title,
                        std::span<const ChartBar> bars) {
  constexpr double kRow = 24;
  constexpr double kLabelWidth = 190;
  const double height = 40 + kRow * static_cast<double>(std::max<std::size_t>(bars.size(), 1));
  std::string svg = SvgOpen(id, height, title);
  double max_value = 0;
  for (const ChartBar& bar : bars) max_value = std::max(max_value, bar.value);
  if (bars.empty()) svg += Text(kLabelWidth, 50, "start", "(none)");
  const double bar_space = kWidth - kLabelWidth - 110;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const ChartBar& bar = bars[i];
    const double y = 32 + kRow * static_cast<double>(i);
    const double width = max_value > 0 ? std::max(1.0, bar.value / max_value * bar_space) : 1;
    svg += "<g class=\"bar\" data-label=\"" + HtmlEscape(bar.label) + "\" data-value=\"" +
           FormatNumber(bar.value, 15) + "\">";
    svg += Text(kLabelWidth - 8, y + 15, "end", bar.label);
    svg += "<rect x=\"" + Coordinate(kLabelWidth) + "\" y=\"" + Coordinate(y + 3) + "\" height=\"" +
           Coordinate(kRow - 6) + "\" width=\"" + Coordinate(width) + "\" fill=\"" +
           std::string(bar.color) + "\"/>";
    svg += Text(kLabelWidth + width + 6, y + 15, "start", FormatNumber(bar.value, 15));
    svg += "</g>";
  }
  return svg + "</svg>";
}

}  // namespace hookfan::tools
