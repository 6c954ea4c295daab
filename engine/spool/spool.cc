#include "engine/spool/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <utility>

#include "net/base/clock.h"

namespace hookfan::engine::spool {
namespace {

using Clock = std::chrono::steady_clock;

// The checkpoint that a budget refusal asks for comes at most this often: a large live set
// makes each one cost, and the budget frees nothing faster than deliveries finish.
constexpr auto kForcedCheckpointGap = std::chrono::milliseconds(50);

// Delivery records (fates, retries, dead letters) wake nobody: they ride with the next
// event's commit, or go at most this long after the last commit. Waking the writer for each
// of them would cost a context switch per delivery on the engine's hot path; a crash loses at
// most this window of them, which only means duplicates (docs/durability.md).
constexpr auto kLazyRecordGap = std::chrono::milliseconds(10);
// ... unless this many are waiting.
constexpr std::size_t kLazyRecordsMax = 16384;

std::string Framed(RecordType type, std::string_view payload) {
  std::string framed;
  framed.reserve(kFrameHeaderBytes + payload.size());
  AppendFrame(type, payload, &framed);
  return framed;
}

}  // namespace

struct Spool::Op {
  enum class Kind : std::uint8_t { kEvent, kFate, kRetry, kDeadLetter, kEventDone, kBarrier };
  Kind kind = Kind::kBarrier;
  std::uint64_t sequence = 0;
  std::string endpoint_id;
  std::uint32_t attempts = 0;
  std::int64_t due_unix_ms = 0;
  DeadLetterOp letter_op = DeadLetterOp::kAdded;
  DeadLetterInfo info;
  std::string framed;                     // kEvent: its whole frame, made by the caller
  std::vector<std::string> endpoint_ids;  // kEvent
  DurableCallback done;                   // kEvent, kBarrier
};

StatusOr<std::unique_ptr<Spool>> Spool::Open(const SpoolOptions& options, bool keep_payloads,
                                             SpoolTuning tuning) {
  auto lock = SpoolLock::Acquire(options.dir);
  if (!lock.ok()) return lock.status();
  auto recovered = RecoverLog(options.dir, keep_payloads, WallNowMs());
  if (!recovered.ok()) {
    return Status(recovered.status().code(), "spool.dir " + options.dir + ": recovery stopped: " +
                                                 recovered.status().message());
  }
  std::unique_ptr<Spool> spool(new Spool(options, tuning, std::move(*lock)));
  spool->recovery_ = std::move(recovered->report);
  spool->live_ = std::move(recovered->live);
  spool->segment_sizes_ = std::move(recovered->segment_sizes);
  spool->next_sequence_ = recovered->next_sequence;
  spool->next_checkpoint_id_ = recovered->next_checkpoint_id;
  spool->stats_.ignored_entries = spool->recovery_.ignored_entries;
  // Never append to a recovered segment: a fresh one starts clean whatever the old tail was.
  spool->active_segment_ = recovered->next_segment;
  const std::string path = SegmentPath(options.dir, spool->active_segment_);
  auto file = SegmentFile::Open(path, nullptr);
  if (!file.ok()) return file.status();
  spool->active_ = std::make_unique<SegmentFile>(std::move(*file));
  spool->segment_sizes_[spool->active_segment_] = 0;
  HOOKFAN_RETURN_IF_ERROR(spool->SyncDirectory());
  for (const auto& [segment, bytes] : spool->segment_sizes_) spool->disk_bytes_ += bytes;
  // Segments that recovery found finished go at the first chance.
  spool->need_checkpoint_ = !spool->DeadSegments().empty();
  return spool;
}

Spool::Spool(const SpoolOptions& options, SpoolTuning tuning, SpoolLock lock)
    : options_(options),
      tuning_(tuning),
      lock_(std::move(lock)),
      last_checkpoint_(Clock::now() - std::chrono::hours(1)),
      last_commit_(Clock::now() - std::chrono::hours(1)) {}

Spool::~Spool() {
  {
    std::lock_guard<std::mutex> guard(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) {
    writer_.join();
  } else {
    WriterLoop();  // never started: what was queued is still written
  }
}

void Spool::Start() {
  live_.DropEventPayloads();
  writer_ = std::thread([this] { WriterLoop(); });
}

void Spool::Enqueue(Op op) {
  const bool urgent = op.kind == Op::Kind::kBarrier;
  bool wake = urgent;
  {
    std::lock_guard<std::mutex> guard(mu_);
    queue_.push_back(std::move(op));
    urgent_ops_ += urgent;
    wake = wake || queue_.size() == kLazyRecordsMax;
  }
  if (wake) wake_.notify_one();
}

StatusOr<std::uint64_t> Spool::AppendEvent(const Event& event,
                                           const std::vector<std::string>& endpoint_ids,
                                           DurableCallback durable) {
  Op op;
  op.kind = Op::Kind::kEvent;
  {
    std::lock_guard<std::mutex> guard(mu_);
    if (!failed_.ok()) return failed_;
    op.sequence = next_sequence_++;
  }
  // Encoding and checksumming happen on the caller's thread, outside the lock: sequences need
  // not follow log order, recovery only needs them unique.
  std::string payload;
  EncodeEventAccepted(op.sequence, event, endpoint_ids, &payload);
  op.framed = Framed(RecordType::kEventAccepted, payload);
  op.endpoint_ids = endpoint_ids;
  op.done = std::move(durable);
  {
    std::lock_guard<std::mutex> guard(mu_);
    if (!failed_.ok()) return failed_;
    if (disk_bytes_ + queued_bytes_ + op.framed.size() > options_.max_bytes) {
      ++stats_.budget_refusals;
      const bool wake = !budget_blocked_;
      budget_blocked_ = true;
      if (wake) wake_.notify_one();  // the writer compacts without waiting for its interval
      return Status::ResourceExhausted(
          "spool: the disk budget (spool.max_bytes = " + std::to_string(options_.max_bytes) +
          " bytes) is used by events not yet finished; retry once deliveries complete");
    }
    queued_bytes_ += op.framed.size();
    ++urgent_ops_;
    ++stats_.events_appended;
    const std::uint64_t sequence = op.sequence;
    queue_.push_back(std::move(op));
    wake_.notify_one();
    return sequence;
  }
}

void Spool::RecordDelivered(std::uint64_t sequence, std::string_view endpoint_id) {
  Op op;
  op.kind = Op::Kind::kFate;
  op.sequence = sequence;
  op.endpoint_id = endpoint_id;
  Enqueue(std::move(op));
}

void Spool::RecordRetry(std::uint64_t sequence, std::string_view endpoint_id, int attempts,
                        std::int64_t due_unix_ms) {
  Op op;
  op.kind = Op::Kind::kRetry;
  op.sequence = sequence;
  op.endpoint_id = endpoint_id;
  op.attempts = static_cast<std::uint32_t>(attempts < 0 ? 0 : attempts);
  op.due_unix_ms = due_unix_ms;
  Enqueue(std::move(op));
}

void Spool::RecordDeadLetter(std::uint64_t sequence, std::string_view endpoint_id,
                             DeadLetterInfo info) {
  Op op;
  op.kind = Op::Kind::kDeadLetter;
  op.sequence = sequence;
  op.endpoint_id = endpoint_id;
  op.letter_op = DeadLetterOp::kAdded;
  op.info = std::move(info);
  Enqueue(std::move(op));
}

void Spool::RecordEventDone(std::uint64_t sequence) {
  Op op;
  op.kind = Op::Kind::kEventDone;
  op.sequence = sequence;
  Enqueue(std::move(op));
}

void Spool::RecordDeadLetterRemoved(std::uint64_t sequence, std::string_view endpoint_id,
                                    bool replayed) {
  Op op;
  op.kind = Op::Kind::kDeadLetter;
  op.sequence = sequence;
  op.endpoint_id = endpoint_id;
  op.letter_op = replayed ? DeadLetterOp::kReplayed : DeadLetterOp::kRemoved;
  Enqueue(std::move(op));
}

Status Spool::Flush() {
  if (!writer_.joinable()) return Status::FailedPrecondition("spool: the writer is not started");
  auto promise = std::make_shared<std::promise<Status>>();
  std::future<Status> result = promise->get_future();
  Op op;
  op.kind = Op::Kind::kBarrier;
  op.done = [promise](const Status& status) { promise->set_value(status); };
  Enqueue(std::move(op));
  return result.get();
}

SpoolStats Spool::Stats() const {
  std::lock_guard<std::mutex> guard(mu_);
  return stats_;
}

Status Spool::Health() const {
  std::lock_guard<std::mutex> guard(mu_);
  if (!failed_.ok()) return failed_;
  if (!stats_.last_error.empty()) return Status::Io(stats_.last_error);
  return Status::Ok();
}

void Spool::WriterLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  std::uint64_t inflight_bytes = 0;
  // Swapped with the queue each round, so the queue keeps the capacity it grew to instead of
  // growing again (moving every record each time it doubles) for every commit.
  std::vector<Op> ops;
  for (;;) {
    if (!queue_.empty() && urgent_ops_ == 0 && !stopping_ && !budget_blocked_ &&
        queue_.size() < kLazyRecordsMax) {
      // Only delivery records: they wait for company (or their gap) without a wakeup.
      const auto due = last_commit_ + kLazyRecordGap;
      if (Clock::now() < due) {
        wake_.wait_until(lock, due);
        continue;
      }
    }
    if (queue_.empty() && !stopping_ && !budget_blocked_) {
      if (failed_.ok() && (need_checkpoint_ || !DeadSegments().empty())) {
        wake_.wait_until(
            lock, last_checkpoint_ + std::chrono::milliseconds(tuning_.checkpoint_interval_ms));
      } else {
        wake_.wait(lock);
      }
    }
    if (stopping_ && queue_.empty()) break;
    if (!queue_.empty() && options_.fsync != FsyncPolicy::kAlways && !stopping_) {
      // Group commit: one sync per commit_interval; whoever arrives meanwhile rides along.
      // `never` groups its writes the same way: a write(2) and a hand-off per request would
      // cost more context switches than the sync it skips.
      const auto due = last_commit_ + std::chrono::milliseconds(options_.commit_interval_ms);
      if (Clock::now() < due) {
        lock.unlock();
        std::this_thread::sleep_until(due);
        lock.lock();
      }
    }
    ops.swap(queue_);
    urgent_ops_ = 0;
    inflight_bytes = queued_bytes_;
    queued_bytes_ = 0;
    const bool force = budget_blocked_;
    const bool healthy = failed_.ok();
    disk_bytes_ += inflight_bytes;  // counted as on disk until the commit says otherwise
    lock.unlock();
    if (!ops.empty()) Commit(ops);
    ops.clear();  // outside the lock: callbacks and strings go here, not under mu_
    if (healthy) MaybeCompact(force);
    lock.lock();
    if (force) budget_blocked_ = false;
    PublishStatsLocked();
  }
}

void Spool::PublishStatsLocked() {
  disk_bytes_ = 0;
  for (const auto& [segment, bytes] : segment_sizes_) disk_bytes_ += bytes;
  stats_.bytes = disk_bytes_;
  stats_.segments = segment_sizes_.size();
  stats_.live_events = live_.events();
  stats_.pending_deliveries = live_.pending_deliveries();
  stats_.dead_letters = live_.dead_letters();
}

void Spool::Commit(std::vector<Op>& ops) {
  last_commit_ = Clock::now();
  std::vector<std::uint64_t> appended;
  std::vector<FateEntry> fates;
  std::vector<RetryEntry> retries;
  std::vector<DeadLetterEntry> letters;
  std::uint64_t ignored = 0;
  Status status;
  {
    std::lock_guard<std::mutex> guard(mu_);
    status = failed_;
  }
  // Consecutive records of one kind share a frame; order across kinds is kept, so replay
  // sees a retry and the fate after it in the order they happened.
  auto flush_batches = [&]() -> Status {
    std::string payload;
    RecordType type;
    if (!fates.empty()) {
      EncodeFates(fates, &payload);
      type = RecordType::kFates;
      fates.clear();
    } else if (!retries.empty()) {
      EncodeRetries(retries, &payload);
      type = RecordType::kRetries;
      retries.clear();
    } else if (!letters.empty()) {
      EncodeDeadLetters(letters, &payload);
      type = RecordType::kDeadLetters;
      letters.clear();
    } else {
      return Status::Ok();
    }
    return EmitFrame(type, Framed(type, payload));
  };
  for (Op& op : ops) {
    if (op.kind == Op::Kind::kBarrier) continue;
    if (op.kind == Op::Kind::kEvent) {
      if (!status.ok()) continue;
      status = flush_batches();
      if (status.ok()) status = EmitFrame(RecordType::kEventAccepted, op.framed);
      if (status.ok()) {
        live_.AddEvent(op.sequence, active_segment_, op.endpoint_ids);
        appended.push_back(op.sequence);
      }
      continue;
    }
    if (op.kind == Op::Kind::kEventDone) {
      // Usually every delivery already has its fate (nothing to write); otherwise the ones
      // still pending end here, as plain fates.
      const LiveEvent* event = live_.Find(op.sequence);
      if (event == nullptr) continue;
      std::vector<std::uint32_t> open;
      for (std::uint32_t i = 0; i < event->slots.size(); ++i) {
        if (event->slots[i].state == SlotState::kPending) open.push_back(i);
      }
      if (open.empty()) continue;
      if (status.ok() && (!retries.empty() || !letters.empty())) status = flush_batches();
      for (std::uint32_t i : open) {
        const FateEntry fate{op.sequence, i};
        live_.ApplyFate(fate);
        fates.push_back(fate);
      }
      continue;
    }
    // Applied to the live set even when writing failed: memory stays the truth, and the next
    // checkpoint writes it out.
    auto index = live_.Resolve(op.sequence, op.endpoint_id);
    if (!index) {
      ++ignored;
      continue;
    }
    if (status.ok() && ((op.kind != Op::Kind::kFate && !fates.empty()) ||
                        (op.kind != Op::Kind::kRetry && !retries.empty()) ||
                        (op.kind != Op::Kind::kDeadLetter && !letters.empty()))) {
      status = flush_batches();
    }
    switch (op.kind) {
      case Op::Kind::kFate: {
        const FateEntry fate{op.sequence, *index};
        live_.ApplyFate(fate);
        fates.push_back(fate);
        break;
      }
      case Op::Kind::kRetry: {
        const RetryEntry retry{op.sequence, *index, op.attempts, op.due_unix_ms};
        live_.ApplyRetry(retry);
        retries.push_back(retry);
        break;
      }
      case Op::Kind::kDeadLetter: {
        DeadLetterEntry entry{op.letter_op, op.sequence, *index, std::move(op.info)};
        ignored += !live_.ApplyDeadLetter(entry);
        letters.push_back(std::move(entry));
        break;
      }
      default:
        break;
    }
  }
  if (status.ok()) status = flush_batches();
  if (status.ok()) status = WriteBuffer();
  std::uint64_t synced = 0;
  if (status.ok() && options_.fsync != FsyncPolicy::kNever) {
    status = SyncActive();
    ++synced;
  }
  if (!status.ok()) {
    buffer_.clear();
    // Their callers hear the error; recovery must not bring them back as accepted.
    for (std::uint64_t sequence : appended) live_.Erase(sequence);
    need_checkpoint_ = true;
  }
  {
    std::lock_guard<std::mutex> guard(mu_);
    ++stats_.commits;
    stats_.syncs += synced;
    stats_.ignored_entries += ignored;
    if (status.ok()) {
      stats_.last_error.clear();
    } else {
      ++stats_.write_errors;
      stats_.last_error = status.message();
    }
    PublishStatsLocked();  // before the callbacks: a Flush() caller sees this commit's state
  }
  for (Op& op : ops) {
    if (op.done) op.done(status);
  }
}

Status Spool::EmitFrame(RecordType, std::string_view framed) {
  const std::uint64_t used = active_->size() + buffer_.size();
  if (used > 0 && used + framed.size() > options_.segment_bytes) {
    HOOKFAN_RETURN_IF_ERROR(WriteBuffer());
    HOOKFAN_RETURN_IF_ERROR(Roll());
  }
  buffer_.append(framed);
  return Status::Ok();
}

Status Spool::WriteBuffer() {
  if (buffer_.empty()) return Status::Ok();
  const std::uint64_t before = active_->size();
  Status written = active_->Append(buffer_);
  buffer_.clear();
  if (!written.ok()) {
    // Leave no half frame behind for the next append to follow (recovery would cut there).
    Status cut = active_->TruncateTo(before);
    if (!cut.ok()) {
      std::lock_guard<std::mutex> guard(mu_);
      failed_ = cut;
    }
    segment_sizes_[active_segment_] = active_->size();
    return written;
  }
  segment_sizes_[active_segment_] = active_->size();
  return Status::Ok();
}

Status Spool::SyncActive() {
  Status synced = active_->Sync();
  if (!synced.ok()) {
    // After a failed fsync the kernel may have dropped the dirty pages: nothing written since
    // the last good sync can be trusted, so the log stops taking events until a restart.
    std::lock_guard<std::mutex> guard(mu_);
    failed_ = Status::Io(synced.message() + " (the spool stops accepting events until restart)");
  }
  return synced;
}

Status Spool::SyncDirectory() {
  if (options_.fsync == FsyncPolicy::kNever) return Status::Ok();
  const int fd = ::open(options_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Status::Io("spool.dir " + options_.dir + ": cannot open: " + std::strerror(errno));
  }
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) {
    return Status::Io("spool.dir " + options_.dir + ": cannot sync: " + std::strerror(saved));
  }
  return Status::Ok();
}

Status Spool::Roll() {
  if (options_.fsync != FsyncPolicy::kNever) HOOKFAN_RETURN_IF_ERROR(SyncActive());
  const std::uint64_t next = active_segment_ + 1;
  auto file = SegmentFile::Open(SegmentPath(options_.dir, next), nullptr);
  if (!file.ok()) return file.status();
  *active_ = std::move(*file);
  active_segment_ = next;
  segment_sizes_[next] = 0;
  return SyncDirectory();
}

std::vector<std::uint64_t> Spool::DeadSegments() const {
  std::vector<std::uint64_t> dead;
  for (const auto& [segment, bytes] : segment_sizes_) {
    if (segment != active_segment_ && !live_.segment_refs().contains(segment)) {
      dead.push_back(segment);
    }
  }
  return dead;
}

void Spool::MaybeCompact(bool force) {
  std::vector<std::uint64_t> dead = DeadSegments();
  if (force && dead.empty() && !live_.segment_refs().contains(active_segment_) &&
      active_->size() > 0) {
    // At the budget with the only finished bytes in the active segment: close it so it can go.
    if (!Roll().ok()) return;
    dead = DeadSegments();
  }
  if (dead.empty() && !need_checkpoint_) return;
  const auto now = Clock::now();
  const auto gap = force ? std::chrono::duration_cast<Clock::duration>(kForcedCheckpointGap)
                         : std::chrono::duration_cast<Clock::duration>(
                               std::chrono::milliseconds(tuning_.checkpoint_interval_ms));
  if (now < last_checkpoint_ + gap) return;
  last_checkpoint_ = now;
  // 1. The checkpoint: the live set as of this point, so no record before it is needed again.
  Status status;
  for (const std::string& chunk :
       live_.EncodeCheckpoint(next_checkpoint_id_++, tuning_.checkpoint_chunk_bytes)) {
    status = EmitFrame(RecordType::kCheckpoint, Framed(RecordType::kCheckpoint, chunk));
    if (!status.ok()) break;
  }
  // 2. The deletions, recorded and synced (with the checkpoint) before any file goes: a crash
  // after an unlink must find a checkpoint that no longer needs the file.
  for (std::uint64_t segment : dead) {
    if (!status.ok()) break;
    std::string payload;
    EncodeSegmentDeleted(segment, &payload);
    status = EmitFrame(RecordType::kSegmentDeleted, Framed(RecordType::kSegmentDeleted, payload));
  }
  if (status.ok()) status = WriteBuffer();
  if (status.ok() && options_.fsync != FsyncPolicy::kNever) status = SyncActive();
  std::uint64_t deleted = 0;
  for (std::uint64_t segment : dead) {
    if (!status.ok()) break;
    const std::string path = SegmentPath(options_.dir, segment);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      status =
          Status::Io(path + ": cannot delete a finished spool segment: " + std::strerror(errno));
      break;
    }
    segment_sizes_.erase(segment);
    ++deleted;
  }
  if (status.ok()) status = SyncDirectory();
  buffer_.clear();
  need_checkpoint_ = !status.ok();
  std::lock_guard<std::mutex> guard(mu_);
  ++stats_.checkpoints;
  stats_.segments_deleted += deleted;
  if (!status.ok()) {
    ++stats_.write_errors;
    stats_.last_error = status.message();
  }
}

}  // namespace hookfan::engine::spool
