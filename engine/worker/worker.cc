#include "engine/worker/worker.h"

#include <algorithm>
#include <future>

#include "engine/events/received_stamp.h"
#include "engine/retry/outcome_classifier.h"
#include "net/base/check.h"
#include "net/base/clock.h"

namespace hookfan::engine {
namespace {

constexpr std::size_t kDequeueBatch = 256;
constexpr std::size_t kMaxItemsPerTurn = 16384;  // then yield to I/O, and come back
constexpr int kMaxStartsPerEndpointTurn = 8;     // round-robin fairness between endpoints

std::int64_t NowUs() { return MonotonicNowNs() / 1000; }

template <typename T, typename M>
T* OwnerOf(M* member, M T::*field) {
  auto offset = reinterpret_cast<std::uintptr_t>(&(static_cast<T*>(nullptr)->*field));
  return reinterpret_cast<T*>(reinterpret_cast<std::uintptr_t>(member) - offset);
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
  std::string body_buffer;           // a rewritten body (received_field), when the endpoint has one
  std::int64_t started_unix_ms = 0;  // for EngineConfig::on_attempt
  std::int64_t started_us = 0;
  Delivery* delivery = nullptr;
  Worker* worker = nullptr;
};

Worker::Worker(int id, WorkerContext context)
    : id_(id),
      context_(std::move(context)),
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
}

void Worker::EnqueueDeliveries(DeliveryItem* items, std::size_t count) {
  deliveries_.enqueue_bulk(std::make_move_iterator(items), count);
  if (!wake_pending_.exchange(true, std::memory_order_acq_rel)) uv_async_send(&async_);
}

void Worker::Post(std::function<void(Worker&)> command) {
  {
    std::lock_guard<std::mutex> lock(commands_mutex_);
    commands_.push_back(std::move(command));
    has_commands_.store(true, std::memory_order_release);
  }
  wake_pending_.store(true, std::memory_order_release);
  uv_async_send(&async_);
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
    // A command posted before these items were enqueued (an endpoint added, re-enabled)
    // must apply before they are accepted; dequeuing them made it visible here.
    RunCommands();
    for (std::size_t i = 0; i < n; ++i) {
      AcceptItem(batch[i]);
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
  std::vector<std::function<void(Worker&)>> commands;
  {
    std::lock_guard<std::mutex> lock(commands_mutex_);
    commands.swap(commands_);
    has_commands_.store(false, std::memory_order_relaxed);
  }
  for (auto& command : commands) command(*this);
}

EndpointRuntime* Worker::EndpointFor(std::uint32_t index, std::uint64_t serial) {
  if (index >= endpoints_.size() || !endpoints_[index]) return nullptr;
  EndpointRuntime* endpoint = endpoints_[index].get();
  return endpoint->serial == serial ? endpoint : nullptr;
}

void Worker::AcceptItem(DeliveryItem& item) {
  EndpointRuntime* endpoint = EndpointFor(item.endpoint_index, item.endpoint_serial);
  if (endpoint == nullptr) {
    // Removed before its deliveries arrived: nothing to deliver to, nowhere to keep it.
    context_.pending->fetch_sub(1, std::memory_order_relaxed);
    return;
  }
  if (endpoint->config().payload_mode == PayloadMode::kNotification && endpoint->enabled &&
      !endpoint->removed) {
    GatherNotification(endpoint, item);
    return;
  }
  Delivery* delivery = delivery_pool_.Acquire();
  delivery->event = std::move(item.event);
  delivery->endpoint = endpoint;
  delivery->published_us = item.published_us;
  ++endpoint->live_deliveries;
  EnqueueDelivery(endpoint, delivery);
}

void Worker::EnqueueDelivery(EndpointRuntime* endpoint, Delivery* delivery) {
  if (!endpoint->enabled || endpoint->removed) {
    DeadLetterDelivery(delivery, 0, net::RequestError::kNone,
                       endpoint->removed ? std::string_view(endpoint->removed_reason)
                                         : std::string_view("endpoint_disabled"));
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
  context_.pending->fetch_sub(1, std::memory_order_relaxed);  // the batch counts instead
  if (endpoint->batch.events() >= settings.max_batch || settings.max_wait_ms == 0) {
    FlushNotifications(endpoint);
  } else if (!endpoint->flush_timer.armed()) {
    const TimeMs now = static_cast<TimeMs>(uv_now(&loop_));
    ScheduleOnWheel(&endpoint->flush_timer, now + settings.max_wait_ms, &Worker::OnFlushDue);
  }
}

void Worker::FlushNotifications(EndpointRuntime* endpoint) {
  if (endpoint->batch.empty()) return;
  const auto& settings = endpoint->config().notification;
  const TimeMs now = static_cast<TimeMs>(uv_now(&loop_));
  // Under a frequency limit, keep gathering until a POST may leave: fewer, fuller batches.
  const DurationMs wait = endpoint->rate_limit.WaitMs(now);
  if (wait > 0 && endpoint->batch.events() < settings.max_batch) {
    ScheduleOnWheel(&endpoint->flush_timer, now + wait, &Worker::OnFlushDue);
    return;
  }
  wheel_->Cancel(&endpoint->flush_timer);
  std::string body = endpoint->batch.TakeBody(settings.api_version, settings.serial, WallNowMs());
  Delivery* delivery = delivery_pool_.Acquire();
  delivery->event = MakeEvent("notification", std::move(body));
  delivery->endpoint = endpoint;
  delivery->published_us = endpoint->batch_started_us;
  ++endpoint->live_deliveries;
  context_.pending->fetch_add(1, std::memory_order_relaxed);
  EnqueueDelivery(endpoint, delivery);
  SchedulePump();
}

void Worker::OnFlushDue(TimerNode* node, TimeMs /*now*/) {
  EndpointRuntime* endpoint = OwnerOf(node, &EndpointRuntime::flush_timer);
  Worker* worker = endpoint->worker;
  if (worker->closing_) {
    worker->drain_report_.still_pending += endpoint->batch.events();
    (void)endpoint->batch.TakeBody("", 0, 0);
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
  std::string_view body = event.payload;
  const std::string& received_field = endpoint->config().received_field;
  if (!received_field.empty() &&
      StampReceivedField(event.payload, received_field, event.received_unix_ms,
                         &attempt->body_buffer)) {
    body = attempt->body_buffer;
  }
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
  endpoint->last_status = outcome.status;

  if (outcome.error == net::RequestError::kCancelled) {
    // Shutting down: the attempt did not finish; it is still pending, not failed.
    ++drain_report_.cancelled_in_flight;
    FreeDelivery(delivery);
    return;
  }
  if (context_.config->on_attempt) {
    context_.config->on_attempt(AttemptRecord{.endpoint_id = endpoint->id(),
                                              .event = *delivery->event,
                                              .attempt = delivery->attempts,
                                              .status = outcome.status,
                                              .error = outcome.error,
                                              .unix_ms = attempt->started_unix_ms,
                                              .duration_us = NowUs() - attempt->started_us});
  }
  const TimeMs now = static_cast<TimeMs>(uv_now(&loop_));
  Decision decision =
      ClassifyOutcome(outcome, endpoint->policy(), delivery->attempts, WallNowMs(), now, rng_);
  switch (decision.verdict) {
    case Verdict::kSuccess:
      endpoint->consecutive_failures = 0;
      Deliver(delivery, outcome.status);
      break;
    case Verdict::kRetry:
    case Verdict::kDeadLetter:
    case Verdict::kDisableEndpoint: {
      ++endpoint->failed_attempts;
      ++endpoint->consecutive_failures;
      const int limit = endpoint->config().disable_after_failures;
      // Disable before reporting the delivery's outcome: whoever learns of it must already
      // see the endpoint disabled (no new events routed to it).
      if (decision.verdict == Verdict::kDisableEndpoint) {
        DisableEndpoint(endpoint, decision.reason);
        DeadLetterDelivery(delivery, outcome.status, outcome.error, decision.reason);
      } else if (limit > 0 && endpoint->consecutive_failures >= limit) {
        DisableEndpoint(endpoint, "too_many_failures");
        DeadLetterDelivery(delivery, outcome.status, outcome.error, decision.reason);
      } else if (decision.verdict == Verdict::kRetry && !draining_) {
        ++endpoint->pending_retries;
        ScheduleOnWheel(&delivery->timer, decision.retry_at, &Worker::OnRetryDue);
      } else if (decision.verdict == Verdict::kRetry) {
        // Draining: the retry would come after we stop; it stays pending (reported).
        ++drain_report_.still_pending;
        FreeDelivery(delivery);
      } else {
        DeadLetterDelivery(delivery, outcome.status, outcome.error, decision.reason);
      }
      break;
    }
  }
  if (endpoint->has_ready()) MakeReady(endpoint);
  SchedulePump();
}

void Worker::OnRetryDue(TimerNode* node, TimeMs /*now*/) {
  Delivery* delivery = OwnerOf(node, &Delivery::timer);
  EndpointRuntime* endpoint = delivery->endpoint;
  Worker* worker = endpoint->worker;
  --endpoint->pending_retries;
  if (worker->closing_) {
    ++worker->drain_report_.still_pending;
    worker->FreeDelivery(delivery);
    return;
  }
  if (!endpoint->enabled || endpoint->removed) {
    worker->DeadLetterDelivery(delivery, endpoint->last_status, net::RequestError::kNone,
                               endpoint->removed ? std::string_view(endpoint->removed_reason)
                                                 : std::string_view("endpoint_disabled"));
    return;
  }
  endpoint->PushReady(delivery);
  worker->MakeReady(endpoint);
  worker->SchedulePump();
}

void Worker::OnEndpointWake(TimerNode* node, TimeMs /*now*/) {
  EndpointRuntime* endpoint = OwnerOf(node, &EndpointRuntime::wake_timer);
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

void Worker::Deliver(Delivery* delivery, int status) {
  EndpointRuntime* endpoint = delivery->endpoint;
  ++endpoint->delivered;
  ++delivered_total_;
  endpoint->latency_us.Record(NowUs() - delivery->published_us);
  Report(delivery, DeliveryOutcome::Kind::kDelivered, status, net::RequestError::kNone,
         "delivered");
  FreeDelivery(delivery);
}

void Worker::DeadLetterDelivery(Delivery* delivery, int status, net::RequestError error,
                                std::string_view reason) {
  EndpointRuntime* endpoint = delivery->endpoint;
  ++endpoint->dead_lettered;
  if (dead_letters_.size() >= context_.config->max_dead_letters) dead_letters_.pop_front();
  dead_letters_.push_back(
      DeadLetter{.sequence = (next_dead_letter_sequence_++ << 8) | static_cast<std::uint64_t>(id_),
                 .endpoint_id = endpoint->id(),
                 .event = delivery->event,
                 .attempts = delivery->attempts,
                 .last_status = status,
                 .reason = std::string(reason),
                 .unix_ms = WallNowMs()});
  Report(delivery, DeliveryOutcome::Kind::kDeadLettered, status, error, reason);
  FreeDelivery(delivery);
}

void Worker::Report(Delivery* delivery, DeliveryOutcome::Kind kind, int status,
                    net::RequestError error, std::string_view reason) {
  if (!context_.config->on_outcome) return;
  DeliveryOutcome outcome{.kind = kind,
                          .endpoint_id = delivery->endpoint->id(),
                          .event = *delivery->event,
                          .attempts = delivery->attempts,
                          .last_status = status,
                          .last_error = error,
                          .reason = reason,
                          .latency_us = NowUs() - delivery->published_us};
  context_.config->on_outcome(outcome);
}

void Worker::FreeDelivery(Delivery* delivery) {
  EndpointRuntime* endpoint = delivery->endpoint;
  delivery_pool_.Release(delivery);
  context_.pending->fetch_sub(1, std::memory_order_relaxed);
  if (--endpoint->live_deliveries == 0 && endpoint->removed) RetireEndpoint(endpoint);
}

void Worker::DisableEndpoint(EndpointRuntime* endpoint, std::string_view /*reason*/,
                             bool tell_engine) {
  if (!endpoint->enabled) return;
  endpoint->enabled = false;
  // Everything queued for it is dead-lettered now (replayable once re-enabled); deliveries
  // waiting on the wheel are dead-lettered when their retry comes due.
  while (Delivery* delivery = endpoint->PopReady()) {
    DeadLetterDelivery(delivery, endpoint->last_status, net::RequestError::kNone,
                       "endpoint_disabled");
  }
  if (tell_engine && context_.on_endpoint_disabled) context_.on_endpoint_disabled(endpoint->id());
}

}  // namespace hookfan::engine
