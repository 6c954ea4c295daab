#pragma once
// BlastWorker: one thread's share of a `hookfan blast` run: its own libuv loop, one
// net::HttpClient with options.ConnectionsOf(index) connections, and its own latency
// histograms (fixed memory, merged by the caller afterwards).
//
//   std::vector<std::unique_ptr<BlastWorker>> workers;   // one per --workers
//   for (k...) workers.push_back(std::make_unique<BlastWorker>(options, k, rate, start_ns));
//   for (k...) threads.emplace_back([&, k] { workers[k]->Run(); });
//   ... workers[k]->progress() may be read from any thread meanwhile ...
//   join; then read workers[k]->result() on the joining thread.
//
// Open model (default): request i of the run is planned at start_ns + the schedule's offset
// of i (i / rate at a constant rate, tools/blast/rate_schedule.h); worker k of W sends
// requests k, k+W, k+2W, ... so that any rate, even below W per second, is exact. A
// timerfd (tools/blast/precise_timer.h) wakes the loop at the next planned time, and each
// wake-up sends every request whose time has passed; completions are read in the same loop
// iterations, so neither starves the other.
// Requests go to the client at their planned time whatever happened to earlier ones;
// beyond the free connections they wait in the pool's FIFO queue. Corrected latency runs
// from the planned time, uncorrected latency from when the request got a connection (the
// worker mirrors the pool's FIFO to know that moment).
// Closed model (--max): every connection has one request in flight; each completion sends
// the next at once. Both latencies then run from the send.
// --retries: a failed attempt is classified by engine::ClassifyOutcome and retried after the
// policy's (scaled) delay on an engine::TimingWheel, with the same webhook-id.
// The run ends when the schedule is done and every request finished, or at the drain
// deadline (end of schedule + timeout): then pending retries are abandoned and requests
// still in the client are cancelled (counted as unfinished).

#include <uv.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/latency_histogram.h"
#include "engine/base/rng.h"
#include "engine/base/timing_wheel.h"
#include "net/base/intrusive_list.h"
#include "net/client/http_client.h"
#include "net/client/request_outcome.h"
#include "tools/blast/blast_options.h"
#include "tools/blast/hdr_histogram.h"
#include "tools/blast/precise_timer.h"
#include "tools/blast/rate_schedule.h"

namespace hookfan::tools {

inline constexpr std::size_t kRequestErrorKinds =
    static_cast<std::size_t>(net::RequestError::kCancelled) + 1;
// A request handed to the client more than this after its planned time is "late".
inline constexpr std::int64_t kLateNs = 1'000'000;

// One second of the run (from the planned start): first attempts sent in it, attempts
// completed in it and their latencies (coarse histograms: 6% relative error, 5 KiB each).
struct BlastSecond {
  BlastSecond() : corrected(4), uncorrected(4) {}
  std::uint64_t sent = 0;
  std::uint64_t completed = 0;
  std::uint64_t errors = 0;
  engine::LatencyHistogram corrected;
  engine::LatencyHistogram uncorrected;
  // --hdr-log only (null otherwise): the same latencies in nanoseconds, in HdrHistogram's
  // layout (tools/blast/hdr_log.h).
  std::unique_ptr<HdrHistogram> hdr_corrected;
  std::unique_ptr<HdrHistogram> hdr_uncorrected;
};

// Counts of one worker (or, merged, of the run). Latencies in microseconds.
struct BlastResult {
  engine::LatencyHistogram corrected;
  engine::LatencyHistogram uncorrected;
  std::uint64_t planned = 0;     // first attempts due before the end of the schedule
  std::uint64_t sent = 0;        // attempts handed to the client (retries included)
  std::uint64_t completed = 0;   // attempts that ended with a response or an error
  std::uint64_t ok = 0;          // of those, 2xx responses
  std::uint64_t late = 0;        // handed to the client > 1 ms after the planned time
  std::uint64_t queued = 0;      // waited in the pool for a free connection
  std::uint64_t dropped = 0;     // planned but never sent (client refused or too many pending)
  std::uint64_t unfinished = 0;  // cancelled at the drain deadline
  // Final outcomes, one per request sent (after its retries, with --retries): delivered
  // (a 2xx) or failed (an error or non-2xx that was not retried). Requests abandoned,
  // unfinished or dropped have no final outcome and count as failed in final_error_rate.
  std::uint64_t final_ok = 0;
  std::uint64_t final_failed = 0;
  std::array<std::uint64_t, 600> by_status{};
  std::array<std::uint64_t, kRequestErrorKinds> by_error{};
  // --retries only.
  std::vector<std::uint64_t> attempts_by_number;  // [n]: attempts that were the n-th (n >= 1)
  std::uint64_t retries_sent = 0;
  std::uint64_t delivered_after_retry = 0;
  std::uint64_t dead_letters = 0;
  std::uint64_t retries_abandoned = 0;  // still waiting for their retry at the drain deadline
  std::vector<std::unique_ptr<BlastSecond>> seconds;  // [s]: the run's second s
  std::int64_t first_send_ns = 0;                     // monotonic; 0 when nothing was sent
  std::int64_t last_send_ns = 0;
  std::int64_t schedule_end_ns = 0;  // when the worker stopped planning new requests

  std::uint64_t errors() const { return completed - ok; }  // failed attempts
  BlastSecond& SecondOf(std::int64_t offset_ns);           // grows `seconds` as needed
  std::uint64_t lost() const { return dropped + unfinished + retries_abandoned; }
  void Merge(const BlastResult& other);
};

// Read by the progress line while the worker runs (relaxed atomics).
struct BlastProgress {
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> completed{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::int64_t> outstanding{0};
  std::atomic<std::int64_t> p99_us{0};  // corrected, refreshed every 250 ms
  std::atomic<bool> done{false};
};

class BlastWorker {
 public:
  // `rate` overrides options.rate (for --find-max steps; ignored with options.stages). `start_ns`
  // on the monotonic clock (MonotonicNowNs) is the planned time of request 0, shared by all
  // workers.
  BlastWorker(const BlastOptions& options, std::size_t index, double rate, std::int64_t start_ns);
  ~BlastWorker();
  BlastWorker(const BlastWorker&) = delete;
  BlastWorker& operator=(const BlastWorker&) = delete;

  // Runs the whole share on the calling thread; returns when it is over.
  void Run();

  BlastProgress& progress() { return progress_; }
  // After Run() returned.
  const BlastResult& result() const { return result_; }

 private:
  struct Attempt;

  void OnTick();
  void OnProgress();
  void PlanDue(std::int64_t now_ns);
  void StartNext(Attempt* attempt, std::int64_t planned_ns, std::int64_t now_ns);
  void Issue(Attempt* attempt, std::int64_t now_ns);
  void OnComplete(Attempt* attempt, const net::RequestOutcome& outcome);
  void Release(Attempt* attempt);
  Attempt* Acquire();
  void ArmTick(std::int64_t now_ns);
  void MarkScheduleDone(std::int64_t now_ns);
  void Finish();
  bool CountReached() const;
  bool ScheduleOver() const;  // open model: every request of this worker's share planned
  std::int64_t PlannedNs(std::uint64_t index);
  static void OnTickTimer(void* worker);
  static void OnProgressTimer(uv_timer_t* timer);
  static void OnRequestDone(net::HttpRequest* request, const net::RequestOutcome& outcome);
  static void OnRetryDue(engine::TimerNode* node, TimeMs now);

  const BlastOptions& options_;
  RateSchedule schedule_;
  const std::int64_t start_ns_;
  const std::size_t connections_;
  const std::size_t max_outstanding_;
  std::string id_prefix_;

  uv_loop_t loop_;
  std::unique_ptr<PreciseTimer> tick_;
  uv_timer_t progress_timer_;
  std::unique_ptr<net::HttpClient> client_;
  net::OriginPool* pool_ = nullptr;
  engine::TimingWheel wheel_;
  engine::Rng rng_;

  std::vector<std::unique_ptr<Attempt>> attempts_;  // every record, for ownership
  std::vector<Attempt*> free_;
  struct WaitingTag {};
  net::IntrusiveList<Attempt, WaitingTag> waiting_;  // mirror of the pool's queue, oldest first
  std::size_t on_connection_ = 0;
  std::int64_t outstanding_ = 0;  // in the client or waiting for a retry
  std::uint64_t next_index_;      // next global request index this worker plans
  bool started_ = false;          // closed model: the first requests went out
  bool schedule_done_ = false;
  bool stopping_ = false;   // finishing: cancellations are not errors
  bool finishing_ = false;  // handles are closing
  std::int64_t drain_deadline_ns_ = 0;

  BlastProgress progress_;
  BlastResult result_;
};

}  // namespace hookfan::tools
