#pragma once
// The durable spool (docs/durability.md): a segmented append-only log of accepted events,
// delivery fates, scheduled retries and dead letters, written by one writer thread with group
// commit. It depends on no worker code: the host (serve) records what the engine reports.
//
//   auto spool = Spool::Open(options);                 // locks options.dir, recovers
//   spool->recovered().ForEach(...);                    // publish the live deliveries again
//   spool->Start();                                     // the writer thread
//   auto seq = spool->AppendEvent(event, {"orders"}, [](const Status& s) { answer 202/500 });
//   if (!seq.ok()) ...;        // kResourceExhausted at max_bytes (503), kIo after a failure
//   spool->RecordDelivered(*seq, "orders");             // batched, off the hot path
//
// Threads: every method may be called from any thread. Durable callbacks run on the writer
// thread, exactly once each, after the record was written and synced as `fsync` says (or
// with the error that prevented it); they must not block.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/events/event.h"
#include "engine/spool/live_set.h"
#include "engine/spool/recovery.h"
#include "engine/spool/segment_file.h"
#include "engine/spool/spool_lock.h"
#include "engine/spool/spool_options.h"
#include "net/base/status.h"

namespace hookfan::engine::spool {

using DurableCallback = std::function<void(const Status&)>;

// Knobs the configuration does not expose (tests shorten them).
struct SpoolTuning {
  // A segment whose events all finished waits at most this long for the checkpoint that lets
  // it go (sooner at the disk budget, or when a segment fills).
  DurationMs checkpoint_interval_ms = 1000;
  std::size_t checkpoint_chunk_bytes = std::size_t{1} << 20;
};

struct SpoolStats {
  std::uint64_t bytes = 0;  // on disk, every segment
  std::uint64_t segments = 0;
  std::uint64_t live_events = 0;
  std::uint64_t pending_deliveries = 0;
  std::uint64_t dead_letters = 0;
  std::uint64_t events_appended = 0;
  std::uint64_t commits = 0;
  std::uint64_t syncs = 0;
  std::uint64_t checkpoints = 0;
  std::uint64_t segments_deleted = 0;
  std::uint64_t budget_refusals = 0;
  std::uint64_t write_errors = 0;
  std::uint64_t ignored_entries = 0;  // fates etc. about deliveries not live
  std::string last_error;             // empty unless the last commit failed
};

class Spool {
 public:
  // Locks `options.dir` (one process at a time), recovers its log and opens a new segment.
  // `keep_payloads`: keep the recovered events' payloads for recovered() (false: only states).
  static StatusOr<std::unique_ptr<Spool>> Open(const SpoolOptions& options,
                                               bool keep_payloads = true, SpoolTuning tuning = {});
  ~Spool();  // writes and syncs what is queued, then stops the writer
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  const RecoveryReport& recovery() const { return recovery_; }
  // What recovery found live (events with payloads when kept); valid until Start().
  const LiveSet& recovered() const { return live_; }
  // Starts the writer thread (records made before are queued, not lost).
  void Start();

  // Queues `event` with the endpoints it matched, stored once for all of them. Returns its
  // spool sequence, or at once kResourceExhausted (max_bytes reached: nothing is dropped,
  // retry when deliveries finish) or the I/O error that stopped the log. On success
  // `durable` is called once the record is safe under the fsync policy.
  StatusOr<std::uint64_t> AppendEvent(const Event& event,
                                      const std::vector<std::string>& endpoint_ids,
                                      DurableCallback durable);
  // Delivery records, batched: they never wait for a sync of their own and never fail (a
  // record lost to an I/O error is re-stated by the next checkpoint).
  void RecordDelivered(std::uint64_t sequence, std::string_view endpoint_id);
  void RecordRetry(std::uint64_t sequence, std::string_view endpoint_id, int attempts,
                   std::int64_t due_unix_ms);
  void RecordDeadLetter(std::uint64_t sequence, std::string_view endpoint_id, DeadLetterInfo info);
  // Every delivery of the event still pending ends (the event-done signal, which also covers
  // deliveries gathered into a notification batch; or an event the engine refused after its
  // append). Kept dead letters stay. Nothing happens for an event no longer live.
  void RecordEventDone(std::uint64_t sequence);
  // The letter left the list (`replayed`: its delivery is pending again).
  void RecordDeadLetterRemoved(std::uint64_t sequence, std::string_view endpoint_id, bool replayed);

  // Blocks until everything recorded before the call is written and synced per policy.
  Status Flush();
  SpoolStats Stats() const;
  // Ok, or the error that makes ingest fail (shown by /healthz).
  Status Health() const;

 private:
  struct Op;
  Spool(const SpoolOptions& options, SpoolTuning tuning, SpoolLock lock);
  void Enqueue(Op op);
  void WriterLoop();
  void Commit(std::vector<Op>& ops);
  // Frames go to `buffer_` for the active segment; rolling writes it out first.
  Status EmitFrame(RecordType type, std::string_view framed);
  Status WriteBuffer();
  Status Roll();
  Status SyncActive();
  Status SyncDirectory();
  void MaybeCompact(bool force);
  std::vector<std::uint64_t> DeadSegments() const;
  void PublishStatsLocked();  // mu_ held, on the writer thread

  const SpoolOptions options_;
  const SpoolTuning tuning_;
  SpoolLock lock_;
  RecoveryReport recovery_;

  // Owned by the writer thread (by Open before Start).
  LiveSet live_;
  std::map<std::uint64_t, std::uint64_t> segment_sizes_;
  std::unique_ptr<SegmentFile> active_;
  std::uint64_t active_segment_ = 0;
  std::string buffer_;
  std::uint64_t next_checkpoint_id_ = 1;
  bool need_checkpoint_ = false;
  std::chrono::steady_clock::time_point last_checkpoint_;
  std::chrono::steady_clock::time_point last_commit_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Op> queue_;
  std::size_t urgent_ops_ = 0;  // events and barriers in queue_: someone waits for them
  std::uint64_t next_sequence_ = 1;
  std::uint64_t queued_bytes_ = 0;  // event frames accepted, not yet on disk
  std::uint64_t disk_bytes_ = 0;    // every segment, as last written
  bool budget_blocked_ = false;     // a refusal since the last compaction
  bool stopping_ = false;
  Status failed_;  // a failed sync: the log can no longer be trusted
  SpoolStats stats_;
  std::thread writer_;
};

}  // namespace hookfan::engine::spool
