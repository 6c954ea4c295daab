#include "tools/blast/blast_worker.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "engine/retry/outcome_classifier.h"
#include "net/base/check.h"
#include "net/base/clock.h"
#include "tools/blast/hdr_log.h"

namespace hookfan::tools {

namespace {

constexpr std::int64_t kNsPerMs = 1'000'000;
constexpr std::uint64_t kProgressIntervalMs = 250;
// Sends per timer wake-up when far behind schedule, so completions still get their turn.
constexpr int kMaxSendsPerTick = 4096;

uv_handle_t* Handle(uv_timer_t* timer) { return reinterpret_cast<uv_handle_t*>(timer); }

void MergeHdr(std::unique_ptr<HdrHistogram>& into, const HdrHistogram* from) {
  if (from == nullptr) return;
  if (into == nullptr) into = std::make_unique<HdrHistogram>(MakeIntervalHistogram());
  into->Merge(*from);
}

void RecordHdr(std::unique_ptr<HdrHistogram>& into, std::int64_t value_ns) {
  if (into == nullptr) into = std::make_unique<HdrHistogram>(MakeIntervalHistogram());
  into->Record(value_ns);
}

}  // namespace

struct BlastWorker::Attempt : engine::TimerNode, net::IntrusiveLink<BlastWorker::WaitingTag> {
  net::HttpRequest request;
  BlastWorker* worker = nullptr;
  std::uint64_t index = 0;      // global request index: picks the body and the webhook-id
  int number = 1;               // 1 for the first attempt, 2 for the first retry, ...
  std::int64_t planned_ns = 0;  // when it should have been sent
  std::int64_t sent_ns = 0;     // when it got a connection; 0 while waiting in the pool
  std::string id;
  std::string headers;
};

BlastSecond& BlastResult::SecondOf(std::int64_t offset_ns) {
  const std::size_t second =
      offset_ns <= 0 ? 0 : static_cast<std::size_t>(offset_ns / 1'000'000'000);
  while (seconds.size() <= second) seconds.push_back(std::make_unique<BlastSecond>());
  return *seconds[second];
}

void BlastResult::Merge(const BlastResult& other) {
  for (std::size_t s = 0; s < other.seconds.size(); ++s) {
    BlastSecond& mine = SecondOf(static_cast<std::int64_t>(s) * 1'000'000'000);
    const BlastSecond& theirs = *other.seconds[s];
    mine.sent += theirs.sent;
    mine.completed += theirs.completed;
    mine.errors += theirs.errors;
    mine.corrected.Merge(theirs.corrected);
    mine.uncorrected.Merge(theirs.uncorrected);
    MergeHdr(mine.hdr_corrected, theirs.hdr_corrected.get());
    MergeHdr(mine.hdr_uncorrected, theirs.hdr_uncorrected.get());
  }
  corrected.Merge(other.corrected);
  uncorrected.Merge(other.uncorrected);
  planned += other.planned;
  sent += other.sent;
  completed += other.completed;
  ok += other.ok;
  final_ok += other.final_ok;
  final_failed += other.final_failed;
  late += other.late;
  queued += other.queued;
  dropped += other.dropped;
  unfinished += other.unfinished;
  for (std::size_t i = 0; i < by_status.size(); ++i) by_status[i] += other.by_status[i];
  for (std::size_t i = 0; i < by_error.size(); ++i) by_error[i] += other.by_error[i];
  if (attempts_by_number.size() < other.attempts_by_number.size()) {
    attempts_by_number.resize(other.attempts_by_number.size());
  }
  for (std::size_t i = 0; i < other.attempts_by_number.size(); ++i) {
    attempts_by_number[i] += other.attempts_by_number[i];
  }
  retries_sent += other.retries_sent;
  delivered_after_retry += other.delivered_after_retry;
  dead_letters += other.dead_letters;
  retries_abandoned += other.retries_abandoned;
  if (other.first_send_ns != 0 && (first_send_ns == 0 || other.first_send_ns < first_send_ns)) {
    first_send_ns = other.first_send_ns;
  }
  last_send_ns = std::max(last_send_ns, other.last_send_ns);
  schedule_end_ns = std::max(schedule_end_ns, other.schedule_end_ns);
}

BlastWorker::BlastWorker(const BlastOptions& options, std::size_t index, double rate,
                         std::int64_t start_ns)
    : options_(options),
      schedule_(
          options.stages.empty()
              ? RateSchedule::Constant(rate, options.duration_ms != 0
                                                 ? static_cast<double>(options.duration_ms) / 1e3
                                                 : std::numeric_limits<double>::infinity())
              : RateSchedule(options.stages)),
      start_ns_(start_ns),
      connections_(options.ConnectionsOf(index)),
      // Enough for the receiver to stall a whole timeout at the planned rate; the bound
      // only keeps a dead receiver from eating all memory.
      max_outstanding_(std::max<std::size_t>(
          std::max<std::size_t>(1024, options.ConnectionsOf(index)),
          static_cast<std::size_t>(rate / static_cast<double>(options.workers) *
                                   static_cast<double>(options.timeout_ms) / 1000.0 * 2))),
      id_prefix_("blast_" + std::to_string(start_ns % 1'000'000'000'000) + "_"),
      wheel_(MonotonicNowMs()),
      rng_(static_cast<std::uint64_t>(start_ns) + index),
      next_index_(index) {}

BlastWorker::~BlastWorker() = default;

void BlastWorker::Run() {
  HOOKFAN_CHECK(uv_loop_init(&loop_) == 0);
  net::ClientOptions client_options;
  client_options.max_connections_per_origin = connections_;
  client_options.total_timeout = options_.timeout_ms;
  client_options.response_timeout = options_.timeout_ms;
  client_options.connect_timeout = std::min<DurationMs>(options_.timeout_ms, 5000);
  HOOKFAN_CHECK(client_options.Validate().ok());
  client_ = std::make_unique<net::HttpClient>(&loop_, client_options);
  StatusOr<net::OriginPool*> pool = client_->PoolFor(options_.url);
  HOOKFAN_CHECK(pool.ok());  // the URL was checked when the options were parsed
  pool_ = *pool;
  tick_ = std::make_unique<PreciseTimer>(&loop_, &BlastWorker::OnTickTimer, this);
  HOOKFAN_CHECK(uv_timer_init(&loop_, &progress_timer_) == 0);
  progress_timer_.data = this;
  uv_timer_start(&progress_timer_, &BlastWorker::OnProgressTimer, kProgressIntervalMs,
                 kProgressIntervalMs);
  ArmTick(MonotonicNowNs());
  uv_run(&loop_, UV_RUN_DEFAULT);
  client_.reset();
  tick_.reset();
  HOOKFAN_CHECK(uv_loop_close(&loop_) == 0);
  progress_.done.store(true);
}

std::int64_t BlastWorker::PlannedNs(std::uint64_t index) {
  return start_ns_ + static_cast<std::int64_t>(schedule_.OffsetOf(index) * 1e9);
}

bool BlastWorker::ScheduleOver() const {
  return CountReached() || next_index_ >= schedule_.total_requests();
}

void BlastWorker::MarkScheduleDone(std::int64_t now_ns) {
  schedule_done_ = true;
  result_.schedule_end_ns = now_ns;
  drain_deadline_ns_ = now_ns + options_.timeout_ms * kNsPerMs + 100 * kNsPerMs;
}

bool BlastWorker::CountReached() const {
  return options_.count != 0 && next_index_ >= options_.count;
}

BlastWorker::Attempt* BlastWorker::Acquire() {
  if (static_cast<std::size_t>(outstanding_) >= max_outstanding_) return nullptr;
  ++outstanding_;
  if (!free_.empty()) {
    Attempt* attempt = free_.back();
    free_.pop_back();
    return attempt;
  }
  auto attempt = std::make_unique<Attempt>();
  attempt->worker = this;
  attempt->request.path_and_query = options_.url.path_and_query;
  attempt->request.context = attempt.get();
  attempt->request.on_complete = &BlastWorker::OnRequestDone;
  attempts_.push_back(std::move(attempt));
  return attempts_.back().get();
}

void BlastWorker::Release(Attempt* attempt) {
  --outstanding_;
  free_.push_back(attempt);
  // The last one out ends the run on the next tick (not from inside a client callback).
  if (schedule_done_ && outstanding_ == 0 && !finishing_) {
    tick_->ArmAt(0);
  }
}

// A new first attempt for the next index of this worker's share.
void BlastWorker::StartNext(Attempt* attempt, std::int64_t planned_ns, std::int64_t now_ns) {
  ++result_.planned;
  attempt->index = next_index_;
  next_index_ += options_.workers;
  attempt->number = 1;
  attempt->planned_ns = planned_ns;
  if (options_.signer.has_value()) {
    const BlastBody& body = options_.bodies[attempt->index % options_.bodies.size()];
    const std::uint64_t pass = attempt->index / options_.bodies.size();
    if (body.id.empty()) {
      attempt->id.assign(id_prefix_).append(std::to_string(attempt->index));
    } else {
      attempt->id.assign(body.id);
      if (pass > 0) attempt->id.append("-").append(std::to_string(pass));
    }
  }
  Issue(attempt, now_ns);
}

void BlastWorker::PlanDue(std::int64_t now_ns) {
  for (int sends = 0; sends < kMaxSendsPerTick && !schedule_done_; ++sends) {
    if (ScheduleOver()) return MarkScheduleDone(now_ns);
    const std::int64_t planned = PlannedNs(next_index_);
    if (planned > now_ns) return;
    Attempt* attempt = Acquire();
    if (attempt == nullptr) {
      ++result_.planned;
      ++result_.dropped;
      next_index_ += options_.workers;
      continue;
    }
    StartNext(attempt, planned, now_ns);
  }
}

void BlastWorker::Issue(Attempt* attempt, std::int64_t now_ns) {
  const BlastBody& body = options_.bodies[attempt->index % options_.bodies.size()];
  attempt->request.body = body.payload;
  if (options_.signer.has_value()) {
    attempt->headers.assign(options_.extra_headers);
    options_.signer->AppendHeaders(attempt->id, WallNowMs() / 1000, body.payload, attempt->headers);
    attempt->request.extra_headers = attempt->headers;
  } else {
    attempt->request.extra_headers = options_.extra_headers;
  }
  if (now_ns - attempt->planned_ns > kLateNs) ++result_.late;
  if (Status sent = client_->Send(pool_, &attempt->request); !sent.ok()) {
    ++result_.dropped;
    Release(attempt);
    return;
  }
  ++result_.sent;
  if (attempt->number == 1) ++result_.SecondOf(now_ns - start_ns_).sent;
  progress_.sent.fetch_add(1, std::memory_order_relaxed);
  if (result_.first_send_ns == 0) result_.first_send_ns = now_ns;
  result_.last_send_ns = now_ns;
  // The pool puts a request on a connection at once when one is free, else queues it in
  // FIFO order; the mirror below tells when it really went out.
  if (on_connection_ < connections_) {
    attempt->sent_ns = now_ns;
    ++on_connection_;
  } else {
    attempt->sent_ns = 0;
    waiting_.PushBack(attempt);
    ++result_.queued;
  }
}

void BlastWorker::OnRequestDone(net::HttpRequest* request, const net::RequestOutcome& outcome) {
  auto* attempt = static_cast<Attempt*>(request->context);
  attempt->worker->OnComplete(attempt, outcome);
}

void BlastWorker::OnComplete(Attempt* attempt, const net::RequestOutcome& outcome) {
  const std::int64_t now_ns = MonotonicNowNs();
  if (attempt->sent_ns == 0) {
    // Ended while still queued (total timeout, cancellation): O(1) out of the mirror.
    const net::IntrusiveLink<WaitingTag>& link = *attempt;
    if (link.linked()) waiting_.Remove(attempt);
  } else {
    --on_connection_;
    if (Attempt* next = waiting_.PopFront()) {
      next->sent_ns = now_ns;
      ++on_connection_;
    }
  }
  if (stopping_ && outcome.error == net::RequestError::kCancelled) {
    ++result_.unfinished;
    return Release(attempt);
  }
  ++result_.completed;
  const bool success = outcome.ok_response() && outcome.status >= 200 && outcome.status < 300;
  BlastSecond& second = result_.SecondOf(now_ns - start_ns_);
  ++second.completed;
  if (!success) ++second.errors;
  result_.corrected.Record((now_ns - attempt->planned_ns) / 1000);
  second.corrected.Record((now_ns - attempt->planned_ns) / 1000);
  if (attempt->sent_ns != 0) {
    result_.uncorrected.Record((now_ns - attempt->sent_ns) / 1000);
    second.uncorrected.Record((now_ns - attempt->sent_ns) / 1000);
  }
  if (!options_.hdr_log_path.empty()) {
    RecordHdr(second.hdr_corrected, now_ns - attempt->planned_ns);
    if (attempt->sent_ns != 0) RecordHdr(second.hdr_uncorrected, now_ns - attempt->sent_ns);
  }
  if (outcome.ok_response()) {
    ++result_.by_status[std::clamp(outcome.status, 0, 599)];
  } else {
    ++result_.by_error[static_cast<std::size_t>(outcome.error)];
  }
  if (success) ++result_.ok;
  progress_.completed.fetch_add(1, std::memory_order_relaxed);
  if (!success) progress_.errors.fetch_add(1, std::memory_order_relaxed);

  if (options_.retry_policy.has_value()) {
    if (result_.attempts_by_number.size() <= static_cast<std::size_t>(attempt->number)) {
      result_.attempts_by_number.resize(attempt->number + 1);
    }
    ++result_.attempts_by_number[attempt->number];
    const engine::Decision decision = engine::ClassifyOutcome(
        outcome, *options_.retry_policy, attempt->number, WallNowMs(), now_ns / kNsPerMs, rng_);
    switch (decision.verdict) {
      case engine::Verdict::kSuccess:
        if (attempt->number > 1) ++result_.delivered_after_retry;
        ++result_.final_ok;
        return Release(attempt);
      case engine::Verdict::kRetry:
        if (stopping_) {
          ++result_.retries_abandoned;
          return Release(attempt);
        }
        ++attempt->number;
        attempt->planned_ns = decision.retry_at * kNsPerMs;
        wheel_.Schedule(attempt, decision.retry_at, &BlastWorker::OnRetryDue);
        return ArmTick(now_ns);
      case engine::Verdict::kDisableEndpoint:
      case engine::Verdict::kDeadLetter:
        ++result_.dead_letters;
        ++result_.final_failed;
        return Release(attempt);
    }
  }
  ++(success ? result_.final_ok : result_.final_failed);
  if (options_.model == BlastModel::kClosed && !schedule_done_ && !stopping_) {
    if (CountReached() ||
        (options_.duration_ms != 0 && now_ns >= start_ns_ + options_.duration_ms * kNsPerMs)) {
      MarkScheduleDone(now_ns);
    } else {
      return StartNext(attempt, now_ns, now_ns);
    }
  }
  Release(attempt);
}

void BlastWorker::OnRetryDue(engine::TimerNode* node, TimeMs /*now*/) {
  auto* attempt = static_cast<Attempt*>(node);
  BlastWorker* worker = attempt->worker;
  ++worker->result_.retries_sent;
  worker->Issue(attempt, MonotonicNowNs());
}

void BlastWorker::OnTickTimer(void* worker) { static_cast<BlastWorker*>(worker)->OnTick(); }

void BlastWorker::OnTick() {
  if (finishing_) return;
  const std::int64_t now_ns = MonotonicNowNs();
  wheel_.Advance(now_ns / kNsPerMs);
  if (!schedule_done_) {
    if (options_.model == BlastModel::kOpen) {
      PlanDue(now_ns);
    } else if (!started_) {
      if (now_ns >= start_ns_) {
        started_ = true;
        for (std::size_t i = 0; i < connections_ && !CountReached(); ++i) {
          StartNext(Acquire(), now_ns, now_ns);
        }
      }
    } else if (options_.duration_ms != 0 && now_ns >= start_ns_ + options_.duration_ms * kNsPerMs) {
      MarkScheduleDone(now_ns);
    }
  }
  if (schedule_done_ && (outstanding_ == 0 || now_ns >= drain_deadline_ns_)) return Finish();
  ArmTick(now_ns);
}

void BlastWorker::ArmTick(std::int64_t now_ns) {
  if (finishing_) return;
  std::int64_t next = std::numeric_limits<std::int64_t>::max();
  if (schedule_done_ && outstanding_ == 0) {
    next = now_ns;
  } else if (!schedule_done_) {
    if (options_.model == BlastModel::kOpen) {
      next = ScheduleOver() ? now_ns : PlannedNs(next_index_);
    } else if (!started_) {
      next = start_ns_;
    } else if (options_.duration_ms != 0) {
      next = start_ns_ + options_.duration_ms * kNsPerMs;
    }
  } else {
    next = drain_deadline_ns_;
  }
  const TimeMs wheel_next = wheel_.NextDeadline();
  if (wheel_next != engine::kNoDeadline) next = std::min(next, wheel_next * kNsPerMs);
  if (next == std::numeric_limits<std::int64_t>::max()) {
    tick_->Disarm();  // completions drive the run
    return;
  }
  tick_->ArmAt(next);
}

void BlastWorker::Finish() {
  finishing_ = true;
  stopping_ = true;
  for (auto& attempt : attempts_) {
    if (!attempt->armed()) continue;
    wheel_.Cancel(attempt.get());
    ++result_.retries_abandoned;
    Release(attempt.get());
  }
  tick_->Close();
  uv_close(Handle(&progress_timer_), nullptr);
  OnProgress();
  // Cancels what is still in the client (counted as unfinished, from inside Close).
  client_->Close([] {});
}

void BlastWorker::OnProgressTimer(uv_timer_t* timer) {
  static_cast<BlastWorker*>(timer->data)->OnProgress();
}

void BlastWorker::OnProgress() {
  progress_.outstanding.store(outstanding_, std::memory_order_relaxed);
  progress_.p99_us.store(result_.corrected.Percentile(99.0), std::memory_order_relaxed);
}

}  // namespace hookfan::tools
