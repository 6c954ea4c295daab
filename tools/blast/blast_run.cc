#include "tools/blast/blast_run.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "net/base/clock.h"

namespace hookfan::tools {

namespace {

// Workers build their loop and client before the first planned send.
constexpr std::int64_t kStartDelayNs = 20'000'000;
constexpr int kMaxFindMaxSteps = 24;

void PrintProgress(const std::vector<std::unique_ptr<BlastWorker>>& workers,
                   std::int64_t start_ns) {
  std::uint64_t sent = 0;
  std::uint64_t errors = 0;
  std::int64_t outstanding = 0;
  std::int64_t p99 = 0;
  for (const auto& worker : workers) {
    BlastProgress& progress = worker->progress();
    sent += progress.sent.load(std::memory_order_relaxed);
    errors += progress.errors.load(std::memory_order_relaxed);
    outstanding += progress.outstanding.load(std::memory_order_relaxed);
    // The workers' worst p99: an upper bound of the merged one, good enough while running.
    p99 = std::max(p99, progress.p99_us.load(std::memory_order_relaxed));
  }
  const double elapsed = static_cast<double>(MonotonicNowNs() - start_ns) / 1e9;
  std::printf("\r\033[K%.1fs  sent %llu (%.1f/s)  in flight %lld  errors %llu  p99 %s", elapsed,
              static_cast<unsigned long long>(sent),
              elapsed > 0 ? static_cast<double>(sent) / elapsed : 0.0,
              static_cast<long long>(outstanding), static_cast<unsigned long long>(errors),
              FormatMicros(p99).c_str());
  std::fflush(stdout);
}

bool Passes(const BlastOptions& options, const BlastSummary& summary) {
  return CheckThresholds(summary, options.max_error_rate.value_or(0), options.p99_bound_ms)
             .empty() &&
         summary.achieved_rate >= 0.9 * summary.planned_rate;
}

}  // namespace

BlastSummary RunBlast(const BlastOptions& options, double rate, bool live_progress) {
  const std::int64_t start_ns = MonotonicNowNs() + kStartDelayNs;
  const std::int64_t start_unix_ms = WallNowMs() + kStartDelayNs / 1'000'000;
  std::vector<std::unique_ptr<BlastWorker>> workers;
  for (std::size_t k = 0; k < options.workers; ++k) {
    workers.push_back(std::make_unique<BlastWorker>(options, k, rate, start_ns));
  }
  std::vector<std::thread> threads;
  for (auto& worker : workers) threads.emplace_back([&worker] { worker->Run(); });
  if (live_progress) {
    for (;;) {
      bool done = true;
      for (auto& worker : workers) done = done && worker->progress().done.load();
      if (done) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      PrintProgress(workers, start_ns);
    }
    std::printf("\r\033[K");
    std::fflush(stdout);
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<const BlastResult*> results;
  for (auto& worker : workers) results.push_back(&worker->result());
  BlastSummary summary = Summarize(options, rate, start_ns, results);
  summary.start_unix_ms = start_unix_ms;
  return summary;
}

FindMaxResult FindMaxRate(const BlastOptions& options, bool live_progress) {
  FindMaxResult found;
  double low = 0;   // highest passing rate so far
  double high = 0;  // lowest failing rate so far; 0: none yet
  double rate = options.rate;
  for (int step = 0; step < kMaxFindMaxSteps; ++step) {
    BlastSummary summary = RunBlast(options, rate, live_progress);
    const bool passed = Passes(options, summary);
    found.steps.push_back({rate, summary.achieved_rate, summary.result.corrected.Percentile(99.0),
                           summary.final_error_rate, passed});
    if (passed) {
      low = rate;
      found.best = std::move(summary);
    } else {
      high = rate;
    }
    if (high == 0) {
      rate *= 2;
    } else if (low == 0) {
      rate /= 2;  // even the first step failed: look lower
      if (rate < 0.01) break;
    } else if (high - low <= 0.05 * low) {
      break;
    } else {
      rate = (low + high) / 2;
    }
  }
  return found;
}

}  // namespace hookfan::tools
