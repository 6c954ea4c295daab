#pragma once
// The `hookfan blast --report FILE.html` page: one self-contained HTML file with inline SVG
// charts (tools/blast/svg_chart.h) and no script, stylesheet, font or image from anywhere
// else; its Content-Security-Policy forbids loading any. It shows the verdict and key
// figures, latency over time (corrected and uncorrected p50/p99 per second), the percentile
// spectrum on a logarithmic axis (HdrHistogram's plot), planned vs achieved rate per
// second, the status and error breakdown, and the run's parameters.
//
//   std::string html = BlastHtml(options, summary, {});        // or the --find-max steps
//   Status written = WriteReportFile(options.report_path, html);
//
// Every string from outside the run (URL, headers, messages) is escaped
// (tools/blast/html_escape.h). Header values that look like credentials are not shown.

#include <span>
#include <string>

#include "net/base/status.h"
#include "tools/blast/blast_options.h"
#include "tools/blast/blast_report.h"

namespace hookfan::tools {

// `steps`: the --find-max steps (empty otherwise); `summary` is then the best step's.
std::string BlastHtml(const BlastOptions& options, const BlastSummary& summary,
                      std::span<const BlastStep> steps);

// Writes `text` to `path` (replacing it); the error names `flag`.
Status WriteReportFile(std::string_view flag, const std::string& path, const std::string& text);

// Whether `path` can be written, checked before any traffic (creates it when missing,
// keeps it otherwise); the error names `flag`.
Status CheckWritable(std::string_view flag, const std::string& path);

}  // namespace hookfan::tools
