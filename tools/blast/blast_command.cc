// `hookfan blast URL`: load-tests a webhook receiver at a constant rate with latency
// corrected for coordinated omission (docs/blast.md). Parses the flags into BlastOptions
// (one stderr line and exit 2 when one is bad, before any traffic), runs the workers, prints
// the summary (human or --json), and exits 1 when a threshold failed.

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "tools/blast/blast_options.h"
#include "tools/blast/blast_run.h"
#include "tools/blast/hdr_log.h"
#include "tools/blast/html_report.h"
#include "tools/common/commands.h"

namespace hookfan::tools {

namespace {

int RunBlastCommand(const BlastFlags& flags) {
  StatusOr<BlastOptions> options = ParseBlastFlags(flags);
  if (!options.ok()) {
    std::fprintf(stderr, "hookfan blast: %s\n", options.status().message().c_str());
    return 2;
  }
  const bool live_progress = isatty(STDOUT_FILENO) == 1 && !options->json;
  std::string out;
  std::string html;
  std::string hdr_log;
  int code = 0;
  if (options->find_max) {
    FindMaxResult found = FindMaxRate(*options, live_progress);
    const BlastSummary* best = found.best.has_value() ? &*found.best : nullptr;
    out = options->json ? FindMaxJson(*options, found.steps, best)
                        : FindMaxText(*options, found.steps, best);
    code = best == nullptr ? 1 : 0;
    if (!options->report_path.empty()) {
      BlastSummary none;
      none.threshold_failures.push_back("--find-max: no step passed");
      html = BlastHtml(*options, best != nullptr ? *best : none, found.steps);
    }
  } else {
    BlastSummary summary = RunBlast(*options, options->rate, live_progress);
    out = options->json ? BlastJson(*options, summary) : BlastText(*options, summary);
    code = summary.threshold_failures.empty() ? 0 : 1;
    if (!options->report_path.empty()) html = BlastHtml(*options, summary, {});
    if (!options->hdr_log_path.empty()) {
      hdr_log = HdrLogText(summary.result, summary.start_unix_ms);
    }
  }
  if (options->json) out += "\n";
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
  // Written after the summary is out, so that a full disk still shows the run's figures.
  const std::pair<const char*, const std::string*> files[] = {
      {"--report", &options->report_path}, {"--hdr-log", &options->hdr_log_path}};
  for (const auto& [flag, path] : files) {
    if (path->empty()) continue;
    const std::string& text = std::string_view(flag) == "--report" ? html : hdr_log;
    if (Status written = WriteReportFile(flag, *path, text); !written.ok()) {
      std::fprintf(stderr, "hookfan blast: %s\n", written.message().c_str());
      return 2;
    }
  }
  return code;
}

}  // namespace

void AddBlastCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand(
      "blast", "Load-test a webhook receiver at a constant rate (coordinated-omission corrected)");
  auto flags = std::make_shared<BlastFlags>();
  command->add_option("url", flags->url, "receiver URL, http://...")->required();
  command->add_option("--rate", flags->rate,
                      "requests per second over all workers, e.g. 500, 0.5; 1000:20000 ramps "
                      "linearly over --duration");
  command->add_option("--stages", flags->stages,
                      "e.g. 10s@1000,30s@5000,10s@0: ramp to each rate over each duration "
                      "(from --rate, default 0)");
  command->add_option("--duration", flags->duration, "how long to send, e.g. 10s, 1m");
  command->add_option("--count", flags->count, "how many requests to send");
  command->add_option("--connections", flags->connections, "connections in total")
      ->capture_default_str();
  command->add_option("--workers", flags->workers, "threads, each with its own loop and client")
      ->capture_default_str();
  command->add_option("--payload", flags->payload, "file whose bytes are POSTed");
  command->add_option("--events", flags->events, "NDJSON file of events, POSTed in turn");
  command->add_option("--size", flags->size, "generated JSON body size in bytes (default 256)");
  command->add_option("--signing", flags->signing, "standard, novu, api-key or none");
  command->add_option("--secret", flags->secret, "whsec_... secret, or the key for novu/api-key")
      ->envname("HOOKFAN_BLAST_SECRET");
  command->add_option("--header", flags->headers, "extra header 'Name: value' (repeatable)");
  command->add_option("--timeout", flags->timeout, "per attempt, queueing included")
      ->capture_default_str();
  command->add_flag("--json", flags->json, "print the report as one JSON object");
  command->add_option("--report", flags->report,
                      "also write a self-contained HTML page with charts to this file");
  command->add_option("--hdr-log", flags->hdr_log,
                      "also write the latencies as an HdrHistogram interval log to this file");
  command->add_option("--max-error-rate", flags->max_error_rate, "exit 1 above this share, 0..1");
  command->add_option("--max-p99", flags->max_p99, "exit 1 when corrected p99 exceeds this");
  command->add_flag("--retries", flags->retries, "retry failures as production would");
  command->add_option("--retry-preset", flags->retry_preset, "standard, cleverpush or ionic")
      ->capture_default_str();
  command->add_option("--retry-scale", flags->retry_scale, "multiplies every retry delay")
      ->capture_default_str();
  command->add_flag("--max", flags->max, "closed loop: every connection always busy (like wrk)");
  command->add_flag("--find-max", flags->find_max, "find the highest rate within --p99-bound");
  command->add_option("--p99-bound", flags->p99_bound, "--find-max: corrected p99 bound");
  command->callback([flags] {
    const int code = RunBlastCommand(*flags);
    if (code != 0) throw CommandExit{code};
  });
}

}  // namespace hookfan::tools
