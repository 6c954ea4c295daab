#include "engine/worker/worker.h"

#include <algorithm>
#include <future>

#include "engine/retry/outcome_classifier.h"
#include "net/base/check.h"
#include "net/base/clock.h"

namespace hookfan::engine {
namespace {

constexpr std::size_t kDequeueBatch = 256;
constexpr std::size_t kMaxItemsPerTurn = 16384;  // then yield to I/O, and come back
constexpr int kMaxStartsPerEndpointTurn = 8;     // round-robin fairness between endpoints

std::int64_t NowUs() { return MonotonicNowNs() / 1000; }

// EndpointStats::last_error: the classifier's reason ("http_503", "connect_refused"), then
// the network layer's detail when it has one (the refused address and its rule). Assigned
// in place: once the string has grown, a failing endpoint allocates nothing per attempt.
void NoteLastError(EndpointRuntime* endpoint, const net::RequestOutcome& outcome,
                   std::string_view reason) {
  endpoint->last_error.assign(reason);
  if (!outcome.detail().empty()) endpoint->last_error.append(": ").append(outcome.detail());
  endpoint->last_error_unix_ms = endpoint->last_attempt_unix_ms;
}

}  // namespace

// One attempt in flight: the request the client holds, and the header block it points at.
// Pooled per worker so the steady path allocates nothing (the header string keeps its
// capacity across attempts).
struct Worker::Attempt : net::HttpRequest {
  std::string headers;
  // Copies of the endpoint's request target and content type: an UpdateEndpoint may replace
  // those while this attempt is in flight. Reused strings, so no allocation once grown.
  std::string target;
  std::string content_type_buffer;
  std::int64_t started_unix_ms = 0;  // for EngineConfig::on_attempt
  std::int64_t started_us = 0;
  Delivery* delivery = nullptr;
  Worker* worker = nullptr;
};

Worker::Worker(int id, WorkerContext context)
    : id_(id),
      context_(std::move(context)),
      producer_(deliveries_),
      stopped_(stopped_promise_.get_future().share()),
      rng_(context_.config->seed != 0 ? context_.config->seed + static_cast<std::uint64_t>(id)
                                      : static_cast<std::uint64_t>(NowUs()) * 2654435761u +
                                            static_cast<std::uint64_t>(id)),
      next_dead_letter_sequence_(1) {}

Worker::~Worker() {
  if (thread_.joinable()) DrainAndJoin(0);
}

void Worker::Start() {
  HOOKFAN_CHECK(uv_loop_init(&loop_) == 0);
  HOOKFAN_CHECK(uv_async_init(&loop_, &async_, &Worker::OnAsync) == 0);
  async_.data = this;
  HOOKFAN_CHECK(uv_timer_init(&loop_, &wheel_timer_) == 0);
  wheel_timer_.data = this;
  HOOKFAN_CHECK(uv_idle_init(&loop_, &pump_idle_) == 0);
  pump_idle_.data = this;
  HOOKFAN_CHECK(uv_timer_init(&loop_, &grace_timer_) == 0);
  grace_timer_.data = this;
  client_ = std::make_unique<net::HttpClient>(&loop_, context_.config->http);
  wheel_ = std::make_unique<TimingWheel>(static_cast<TimeMs>(uv_now(&loop_)));
  thread_ = std::thread([this] { Run(); });
}

void Worker::Run() {
  uv_run(&loop_, UV_RUN_DEFAULT);
  // Every handle is closed by CloseAll before the loop runs dry.
  HOOKFAN_CHECK(uv_loop_close(&loop_) == 0);
  stopped_promise_.set_value();
}

bool Worker::Enqueue(DeliveryItem* items, std::size_t count) {
  std::lock_guard<std::mutex> lock(inbox_mutex_);
  if (closed_) return false;
  // One producer token for every thread (under the mutex): one FIFO, exactly in order.
  HOOKFAN_CHECK(deliveries_.enqueue_bulk(producer_, std::make_move_iterator(items), count));
  // Sent under the mutex: CloseAll sets closed_ under it before it closes the handle.
  if (!wake_pending_.exchange(true, std::memory_order_acq_rel)) uv_async_send(&async_);
  return true;
}

bool Worker::EnqueueCommand(WorkerCommand command) {
  DeliveryItem item;
  item.command = std::make_unique<WorkerCommand>(std::move(command));
  return Enqueue(&item, 1);
}

bool Worker::Post(WorkerCommand command) {
  std::lock_guard<std::mutex> lock(inbox_mutex_);
  if (closed_) return false;
  commands_.push_back(std::move(command));
  has_commands_.store(true, std::memory_order_release);
  wake_pending_.store(true, std::memory_order_release);
  uv_async_send(&async_);
  return true;
}

void Worker::OnAsync(uv_async_t* handle) { static_cast<Worker*>(handle->data)->DrainInboxes(); }

void Worker::DrainInboxes() {
  wake_pending_.store(false, std::memory_order_release);
  retired_.clear();
  RunCommands();

  moodycamel::ConsumerToken token(deliveries_);
  DeliveryItem batch[kDequeueBatch];
  std::size_t taken = 0;
  while (taken < kMaxItemsPerTurn) {
    std::size_t n = deliveries_.try_dequeue_bulk(token, batch, kDequeueBatch);
    if (n == 0) break;
    for (std::size_t i = 0; i < n; ++i) {
      if (batch[i].command) {
        (*batch[i].command)(*this);
        batch[i].command.reset();
      } else {
        AcceptItem(batch[i]);
      }
      batch[i].event.reset();
    }
    taken += n;
  }
  // More may be waiting: come back after the loop has polled for I/O.
  if (taken >= kMaxItemsPerTurn) uv_async_send(&async_);
  SchedulePump();
}

void Worker::RunCommands() {
  if (!has_commands_.load(std::memory_order_acquire)) return;
  std::vector<WorkerCommand> commands;
  {
    std::lock_guard<std::mutex> lock(inbox_mutex_);
    commands.swap(commands_);
    has_commands_.store(false, std::memory_order_relaxed);
  }
  for (auto& command : commands) command(*this);
}

// Closing: deliveries still in the ordered inbox are pending work we stop without starting
// (cancelled: their events are not done). Commands still run: they can only be questions
// (stats, dead letters, a replay, which refuses now), since the engine accepts no change
// once stopping, and their askers wait for the answer.
void Worker::CancelInbox() {
  DeliveryItem item;
  while (deliveries_.try_dequeue(item)) {
    if (item.command) {
      (*item.command)(*this);
    } else {
      ++drain_report_.still_pending;
      FinishTicket(item.ticket, Fate::kCancelled, context_.config->on_event_done);
      context_.pending->fetch_sub(1, std::memory_order_relaxed);
    }
    item = DeliveryItem{};
  }
}

EndpointRuntime* Worker::EndpointFor(std::uint32_t index, std::uint64_t serial) {
  if (index >= endpoints_.size() || !endpoints_[index]) return nullptr;
  EndpointRuntime* endpoint = endpoints_[index].get();
  return endpoint->serial == serial ? endpoint : nullptr;
}

std::string_view Worker::Unsendable(const EndpointRuntime* endpoint) {
  if (endpoint->removed) return endpoint->removed_reason;
  if (!endpoint->enabled) return "endpoint_disabled";
  return {};
}

void Worker::AcceptItem(DeliveryItem& item) {
  EndpointRuntime* endpoint = EndpointFor(item.endpoint_index, item.endpoint_serial);
  // The ordered inbox runs a removal only after the deliveries enqueued before it, and the
  // engine stages no delivery for an endpoint once it is removed: the endpoint is here.
  HOOKFAN_CHECK(endpoint != nullptr);
  if (closing_) {
    ++drain_report_.still_pending;
    FinishTicket(item.ticket, Fate::kCancelled, context_.config->on_event_done);
    context_.pending->fetch_sub(1, std::memory_order_relaxed);
    return;
  }
  if (endpoint->config().payload_mode == PayloadMode::kNotification &&
      Unsendable(endpoint).empty()) {
    GatherNotification(endpoint, item);
    return;
  }
  Delivery* delivery = delivery_pool_.Acquire();
  delivery->event = std::move(item.event);
  delivery->ticket = item.ticket;
  delivery->endpoint = endpoint;
  delivery->published_us = item.published_us;
  delivery->attempts = item.attempts;
  ++endpoint->live_deliveries;
  const std::int64_t wait_ms = item.due_unix_ms - WallNowMs();
  if (item.due_unix_ms > 0 && wait_ms > 0 && Unsendable(endpoint).empty()) {
    // A restored retry keeps its due time: not sent early because the process restarted.
    ++endpoint->pending_retries;
    ScheduleOnWheel(delivery, static_cast<TimeMs>(uv_now(&loop_)) + wait_ms, &Worker::OnRetryDue);
    return;
  }
  EnqueueDelivery(endpoint, delivery);
}

void Worker::EnqueueDelivery(EndpointRuntime* endpoint, Delivery* delivery) {
  if (std::string_view why = Unsendable(endpoint); !why.empty()) {
    DeadLetterDelivery(delivery, 0, net::RequestError::kNone, why);
    return;
  }
  if (endpoint->ready_count() >= endpoint->config().max_pending) {
    DeadLetterDelivery(delivery, 0, net::RequestError::kNone, "endpoint_queue_full");
    return;
  }
  endpoint->PushReady(delivery);
  MakeReady(endpoint);
}

// Notification mode: the event itself is not sent; its type joins the endpoint's batch,
// which leaves as one delivery when full or when its wait is over.
void Worker::GatherNotification(EndpointRuntime* endpoint, const DeliveryItem& item) {
  const auto& settings = endpoint->config().notification;
  if (endpoint->batch.empty()) endpoint->batch_started_us = item.published_us;
  endpoint->batch.Add(item.event->type);
  if (item.ticket != nullptr) endpoint->batch_tickets.push_back(item.ticket);
  context_.pending->fetch_sub(1, std::memory_order_relaxed);  // the batch counts instead
  if (endpoint->batch.events() >= settings.max_batch || settings.max_wait_ms == 0) {
    FlushNotifications(endpoint);
  } else if (!endpoint->flush_timer.armed()) {
    const TimeMs now = static_cast<TimeMs>(uv_now(&loop_));
    ScheduleOnWheel(&endpoint->flush_timer, now + settings.max_wait_ms, &Worker::OnFlushDue);
  }
}

void Worker::FlushNotifications(EndpointRuntime* endpoint, bool now_whatever_the_limit) {
  if (endpoint->batch.empty()) return;
  const auto& settings = endpoint->config().notification;
  const TimeMs now = static_cast<TimeMs>(uv_now(&loop_));
  // Under a frequency limit, keep gathering until a POST may leave: fewer, fuller batches.
  const DurationMs wait = endpoint->rate_limit.WaitMs(now);
  if (!now_whatever_the_limit && wait > 0 && endpoint->batch.events() < settings.max_batch) {
    ScheduleOnWheel(&endpoint->flush_timer, now + wait, &Worker::OnFlushDue);
    return;
  }
  wheel_->Cancel(&endpoint->flush_timer);
  std::string body = endpoint->batch.TakeBody(settings.api_version, settings.serial, WallNowMs());
  Delivery* delivery = delivery_pool_.Acquire();
  delivery->event = MakeEvent("notification", std::move(body));
  delivery->endpoint = endpoint;
  delivery->published_us = endpoint->batch_started_us;
  if (!endpoint->batch_tickets.empty()) {
    // The batch stands for the events it gathered: they are done when it is.
    auto* ticket = new EventTicket(delivery->event, 1);
    ticket->is_batch = true;
    ticket->sources = std::move(endpoint->batch_tickets);
    endpoint->batch_tickets.clear();
    delivery->ticket = ticket;
  }
  ++endpoint->live_deliveries;
  context_.pending->fetch_add(1, std::memory_order_relaxed);
  EnqueueDelivery(endpoint, delivery);
  SchedulePump();
}

void Worker::CancelGathered(EndpointRuntime* endpoint) {
  drain_report_.still_pending += endpoint->batch.events();
  (void)endpoint->batch.TakeBody("", 0, 0);
  for (EventTicket* ticket : endpoint->batch_tickets) {
    FinishTicket(ticket, Fate::kCancelled, context_.config->on_event_done);
  }
  endpoint->batch_tickets.clear();
}

void Worker::OnFlushDue(TimerNode* node, TimeMs /*now*/) {
  EndpointRuntime* endpoint = static_cast<EndpointTimer*>(node)->endpoint;
  Worker* worker = endpoint->worker;
  if (worker->closing_) {
    worker->CancelGathered(endpoint);
    return;
  }
  worker->FlushNotifications(endpoint);
}

void Worker::MakeReady(EndpointRuntime* endpoint) {
  if (endpoint->in_round_robin || endpoint->wake_timer.armed()) return;
  endpoint->in_round_robin = true;
  round_robin_.push_back(endpoint);
}

void Worker::SchedulePump() {
  if (pump_scheduled_ || closing_) return;
  pump_scheduled_ = true;
  uv_idle_start(&pump_idle_, &Worker::OnPumpIdle);
}

void Worker::OnPumpIdle(uv_idle_t* handle) {
  auto* worker = static_cast<Worker*>(handle->data);
  uv_idle_stop(handle);
  worker->pump_scheduled_ = false;
  worker->Pump();
}

// Serves endpoints round-robin, a few attempts each per turn, so one endpoint with a deep
// queue cannot starve the others; an endpoint at its in-flight cap leaves the rotation until
// an attempt finishes, so a slow receiver holds only its own slots.
void Worker::Pump() {
  if (closing_) return;
  const TimeMs now = static_cast<TimeMs>(uv_now(&loop_));
  std::size_t rounds = round_robin_.size();
  while (rounds-- > 0 && !round_robin_.empty()) {
    EndpointRuntime* endpoint = round_robin_.front();
    round_robin_.pop_front();
    endpoint->in_round_robin = false;
    int started = 0;
    while (endpoint->has_ready() && endpoint->in_flight < endpoint->config().max_in_flight &&
           started < kMaxStartsPerEndpointTurn) {
      if (!endpoint->rate_limit.TryTake(now)) {
        ScheduleOnWheel(&endpoint->wake_timer, now + endpoint->rate_limit.WaitMs(now),
                        &Worker::OnEndpointWake);
        break;
      }
      StartAttempt(endpoint, endpoint->PopReady(), now);
      ++started;
    }
    if (endpoint->has_ready() && endpoint->in_flight < endpoint->config().max_in_flight) {
      MakeReady(endpoint);
    }
  }
  if (!round_robin_.empty()) SchedulePump();
  MaybeFinishDrain();
}

void Worker::StartAttempt(EndpointRuntime* endpoint, Delivery* delivery, TimeMs /*now*/) {
  std::unique_ptr<Attempt> owned;
  if (!free_attempts_.empty()) {
    owned = std::move(free_attempts_.back());
    free_attempts_.pop_back();
  } else {
    owned = std::make_unique<Attempt>();
  }
  Attempt* attempt = owned.release();
  attempt->worker = this;
  attempt->delivery = delivery;
  attempt->headers.clear();
  const Event& event = *delivery->event;
  // The event as this endpoint gets it (received_field already stamped, at publish).
  const std::string_view body = event.payload;
  // The signature covers exactly the bytes sent.
  endpoint->signer().AppendHeaders(event.id, WallNowMs() / 1000, body, attempt->headers);
  attempt->headers += endpoint->static_headers();
  attempt->target = endpoint->target();
  attempt->path_and_query = attempt->target;
  attempt->extra_headers = attempt->headers;
  attempt->body = body;
  attempt->content_type_buffer = endpoint->config().content_type;
  attempt->content_type = attempt->content_type_buffer;
  attempt->on_complete = &Worker::OnAttemptDone;
  ++delivery->attempts;
  ++endpoint->in_flight;
  ++in_flight_total_;
  endpoint->last_attempt_unix_ms = WallNowMs();
  attempt->started_unix_ms = endpoint->last_attempt_unix_ms;
  attempt->started_us = NowUs();
  Status sent = client_->Send(endpoint->pool, attempt);
  if (!sent.ok()) {
    // Refused at once (no callback will come): treat as a failed connection.
    net::RequestOutcome outcome;
    outcome.error = net::RequestError::kConnectFailed;
    FinishAttempt(attempt, outcome);
  }
}

void Worker::OnAttemptDone(net::HttpRequest* request, const net::RequestOutcome& outcome) {
  auto* attempt = static_cast<Attempt*>(request);
  attempt->worker->FinishAttempt(attempt, outcome);
}

void Worker::FinishAttempt(Attempt* attempt, const net::RequestOutcome& outcome) {
  Delivery* delivery = attempt->delivery;
  EndpointRuntime* endpoint = delivery->endpoint;
  attempt->delivery = nullptr;
  free_attempts_.emplace_back(attempt);
  --endpoint->in_flight;
  --in_flight_total_;
  endpoint->last_status = outcome.status;

  if (outcome.error == net::RequestError::kCancelled) {
    // Shutting down: the attempt did not finish; it is still pending, not failed.
    Finish(delivery, Fate::kCancelled, 0, net::RequestError::kCancelled, "shutdown");
    return;
  }
  if (context_.config->on_attempt) {
    context_.config->on_attempt(AttemptRecord{.endpoint_id = endpoint->id(),
                                              .event = *delivery->event,
                                              .attempt = delivery->attempts,
                                              .status = outcome.status,
                                              .error = outcome.error,
                                              .detail = outcome.detail(),
                                              .unix_ms = attempt->started_unix_ms,
                                              .duration_us = NowUs() - attempt->started_us});
  }
  const TimeMs now = static_cast<TimeMs>(uv_now(&loop_));
  Decision decision =
      ClassifyOutcome(outcome, endpoint->policy(), delivery->attempts, WallNowMs(), now, rng_);
  if (decision.verdict == Verdict::kSuccess) {
    endpoint->consecutive_failures = 0;
    Finish(delivery, Fate::kDelivered, outcome.status, net::RequestError::kNone, "delivered");
  } else {
    ++endpoint->failed_attempts;
    ++endpoint->consecutive_failures;
    NoteLastError(endpoint, outcome, decision.reason);
    const int limit = endpoint->config().disable_after_failures;
    // Disable before reporting the delivery's outcome: whoever learns of it must already
    // see the endpoint disabled.
    if (decision.verdict == Verdict::kDisableEndpoint) {
      DisableEndpoint(endpoint, decision.reason);
      DeadLetterDelivery(delivery, outcome.status, outcome.error, decision.reason);
    } else if (limit > 0 && endpoint->consecutive_failures >= limit) {
      DisableEndpoint(endpoint, "too_many_failures");
      DeadLetterDelivery(delivery, outcome.status, outcome.error, decision.reason);
    } else if (decision.verdict != Verdict::kRetry) {
      DeadLetterDelivery(delivery, outcome.status, outcome.error, decision.reason);
    } else if (std::string_view why = Unsendable(endpoint); !why.empty()) {
      // Removed or disabled while this attempt was in flight: no retry will be sent.
      DeadLetterDelivery(delivery, outcome.status, outcome.error, why);
    } else if (draining_) {
      // The retry would come after we stop: it stays pending (reported, not final).
      Finish(delivery, Fate::kCancelled, outcome.status, net::RequestError::kNone, "shutdown");
    } else {
      ++endpoint->pending_retries;
      ScheduleOnWheel(delivery, decision.retry_at, &Worker::OnRetryDue);
      if (context_.config->on_retry_scheduled) {
        context_.config->on_retry_scheduled(
            RetryScheduled{.endpoint_id = endpoint->id(),
                           .event = *delivery->event,
                           .attempts = delivery->attempts,
                           .due_unix_ms = WallNowMs() + (decision.retry_at - now)});
      }
    }
  }
  if (endpoint->has_ready()) MakeReady(endpoint);
  SchedulePump();
  MaybeFinishDrain();
}

void Worker::OnRetryDue(TimerNode* node, TimeMs /*now*/) {
  auto* delivery = static_cast<Delivery*>(node);
  EndpointRuntime* endpoint = delivery->endpoint;
  Worker* worker = endpoint->worker;
  --endpoint->pending_retries;
  if (worker->closing_) {
    worker->Finish(delivery, Fate::kCancelled, 0, net::RequestError::kNone, "shutdown");
    return;
  }
  if (std::string_view why = Unsendable(endpoint); !why.empty()) {
    worker->DeadLetterDelivery(delivery, endpoint->last_status, net::RequestError::kNone, why);
    return;
  }
  endpoint->PushReady(delivery);
  worker->MakeReady(endpoint);
  worker->SchedulePump();
}

void Worker::OnEndpointWake(TimerNode* node, TimeMs /*now*/) {
  EndpointRuntime* endpoint = static_cast<EndpointTimer*>(node)->endpoint;
  Worker* worker = endpoint->worker;
  if (worker->closing_) return;
  worker->MakeReady(endpoint);
  worker->SchedulePump();
}

void Worker::ScheduleOnWheel(TimerNode* node, TimeMs deadline, TimerNode::Callback callback) {
  wheel_->Schedule(node, deadline, callback);
  if (deadline < wheel_timer_deadline_) ArmWheelTimer();
}

// One libuv timer drives the whole wheel: armed at the wheel's next deadline.
void Worker::ArmWheelTimer() {
  if (closing_) return;
  const TimeMs next = wheel_->NextDeadline();
  if (next == kNoDeadline) {
    uv_timer_stop(&wheel_timer_);
    wheel_timer_deadline_ = INT64_MAX;
    return;
  }
  const TimeMs now = static_cast<TimeMs>(uv_now(&loop_));
  wheel_timer_deadline_ = next;
  uv_timer_start(&wheel_timer_, &Worker::OnWheelTimer,
                 static_cast<std::uint64_t>(std::max<TimeMs>(0, next - now)), 0);
}

void Worker::OnWheelTimer(uv_timer_t* handle) {
  auto* worker = static_cast<Worker*>(handle->data);
  worker->wheel_timer_deadline_ = INT64_MAX;
  worker->wheel_->Advance(static_cast<TimeMs>(uv_now(&worker->loop_)));
  worker->ArmWheelTimer();
}

void Worker::Finish(Delivery* delivery, Fate fate, int status, net::RequestError error,
                    std::string_view reason) {
  HOOKFAN_DCHECK(!delivery->armed() && delivery->next_queued == nullptr);
  EndpointRuntime* endpoint = delivery->endpoint;
  std::uint64_t sequence = 0;
  switch (fate) {
    case Fate::kDelivered:
      ++endpoint->delivered;
      ++delivered_total_;
      endpoint->latency_us.Record(NowUs() - delivery->published_us);
      break;
    case Fate::kDeadLettered:
      ++endpoint->dead_lettered;
      sequence =
          KeepDeadLetter(endpoint->id(), delivery->event, delivery->attempts, status, reason);
      break;
    case Fate::kCancelled:
      if (error == net::RequestError::kCancelled) {
        ++drain_report_.cancelled_in_flight;
      } else {
        ++drain_report_.still_pending;
      }
      break;
  }
  // No longer pending by the time anyone hears of it.
  context_.pending->fetch_sub(1, std::memory_order_relaxed);
  if (fate != Fate::kCancelled) {
    ReportOutcome(endpoint->id(), *delivery->event, fate, delivery->attempts, status, error, reason,
                  delivery->published_us, sequence);
  }
  FinishTicket(delivery->ticket, fate, context_.config->on_event_done);
  delivery_pool_.Release(delivery);
  if (--endpoint->live_deliveries == 0 && endpoint->removed) RetireEndpoint(endpoint);
}

// The terminal point of a delivery that never had an endpoint here (a restored target whose
// endpoint is gone): the same bookkeeping as Finish's dead letter, without the endpoint's.
void Worker::FinishOrphan(const EventPtr& event, EventTicket* ticket,
                          const std::string& endpoint_id, std::string_view reason) {
  const std::uint64_t sequence = KeepDeadLetter(endpoint_id, event, 0, 0, reason);
  context_.pending->fetch_sub(1, std::memory_order_relaxed);
  ReportOutcome(endpoint_id, *event, Fate::kDeadLettered, 0, 0, net::RequestError::kNone, reason,
                NowUs(), sequence);
  FinishTicket(ticket, Fate::kDeadLettered, context_.config->on_event_done);
}

std::uint64_t Worker::KeepDeadLetter(const std::string& endpoint_id, const EventPtr& event,
                                     int attempts, int status, std::string_view reason) {
  if (context_.config->max_dead_letters == 0) {
    ++dead_letters_evicted_;
    return 0;
  }
  if (dead_letters_.size() >= context_.config->max_dead_letters) {
    // The oldest; counted, shown in stats, and told to a durable spool, which forgets it too.
    if (context_.config->on_dead_letter_evicted) {
      context_.config->on_dead_letter_evicted(dead_letters_.front());
    }
    dead_letters_.pop_front();
    ++dead_letters_evicted_;
  }
  const std::uint64_t sequence =
      (next_dead_letter_sequence_++ << 8) | static_cast<std::uint64_t>(id_);
  dead_letters_.push_back(DeadLetter{.sequence = sequence,
                                     .endpoint_id = endpoint_id,
                                     .event = event,
                                     .attempts = attempts,
                                     .last_status = status,
                                     .reason = std::string(reason),
                                     .unix_ms = WallNowMs()});
  return sequence;
}

void Worker::ReportOutcome(const std::string& endpoint_id, const Event& event, Fate fate,
                           int attempts, int status, net::RequestError error,
                           std::string_view reason, std::int64_t published_us,
                           std::uint64_t dead_letter_sequence) {
  if (!context_.config->on_outcome) return;
  DeliveryOutcome outcome{.kind = fate == Fate::kDelivered ? DeliveryOutcome::Kind::kDelivered
                                                           : DeliveryOutcome::Kind::kDeadLettered,
                          .endpoint_id = endpoint_id,
                          .event = event,
                          .attempts = attempts,
                          .last_status = status,
                          .last_error = error,
                          .reason = reason,
                          .latency_us = NowUs() - published_us,
                          .fate = fate,
                          .dead_letter_sequence = dead_letter_sequence};
  context_.config->on_outcome(outcome);
}

void Worker::DisableEndpoint(EndpointRuntime* endpoint, std::string_view /*reason*/) {
  if (!endpoint->enabled) return;
  endpoint->enabled = false;
  // Everything queued for it is dead-lettered now (replayable once re-enabled), gathered
  // notifications too; deliveries waiting on the wheel are dead-lettered when their retry
  // comes due, and new ones as they arrive: dead-lettered, never lost.
  while (Delivery* delivery = endpoint->PopReady()) {
    DeadLetterDelivery(delivery, endpoint->last_status, net::RequestError::kNone,
                       "endpoint_disabled");
  }
  FlushNotifications(endpoint, /*now=*/true);
}

}  // namespace hookfan::engine
