#pragma once
// Runs `hookfan blast` schedules: one thread per worker (tools/blast/blast_worker.h), joined, then
// their results merged into a BlastSummary. --find-max runs a series of short schedules.
//
//   StatusOr<BlastOptions> options = ParseBlastFlags(flags);
//   BlastSummary summary = RunBlast(*options, options->rate, /*live_progress=*/false);
//   FindMaxResult found = FindMaxRate(*options, false);   // steps + best summary
//
// Blocks the calling thread until the run is over. With live_progress a status line is
// rewritten on stdout ("\r...") every 250 ms: only meant for a terminal.

#include <optional>
#include <vector>

#include "tools/blast/blast_options.h"
#include "tools/blast/blast_report.h"

namespace hookfan::tools {

BlastSummary RunBlast(const BlastOptions& options, double rate, bool live_progress);

struct FindMaxResult {
  std::vector<BlastStep> steps;
  std::optional<BlastSummary> best;  // the highest passing step; empty when none passed
};

// Doubles the rate from options.rate while steps pass (corrected p99 <= options.p99_bound_ms,
// error rate <= max_error_rate (default 0), achieved >= 90% of planned), then bisects
// between the last pass and the first failure until they are within 5%. Each step runs
// options.duration_ms.
FindMaxResult FindMaxRate(const BlastOptions& options, bool live_progress);

}  // namespace hookfan::tools
