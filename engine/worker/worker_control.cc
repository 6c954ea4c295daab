// The worker's control side: endpoints coming and going, snapshots for stats and dead
// letters, and the drain that ends the worker. Everything here runs on the loop thread
// (through Post) except DrainAndJoin, which waits for it.
#include <algorithm>
#include <future>

#include "engine/worker/worker.h"
#include "net/base/check.h"

namespace hookfan::engine {

void Worker::AddEndpoint(std::unique_ptr<EndpointRuntime> endpoint) {
  // Its own pool, even beside other endpoints on the same host: a slow receiver behind one
  // endpoint must never hold the connections another endpoint needs.
  const net::TlsClientOptions tls = endpoint->tls_options();
  auto pool = client_->PoolFor(endpoint->url(), endpoint->id(), &tls);
  HOOKFAN_CHECK(pool.ok());  // URL and TLS files were validated when the runtime was created
  endpoint->pool = *pool;
  endpoint->worker = this;
  const std::uint32_t index = endpoint->index;
  if (endpoints_.size() <= index) endpoints_.resize(index + 1);
  if (endpoints_[index]) {
    // The index is being reused while the old endpoint still drains: keep that one alive
    // until its last delivery goes.
    EndpointRuntime* old = endpoints_[index].release();
    old->removed = true;
    retired_later_.emplace_back(old);
  }
  endpoints_[index] = std::move(endpoint);
}

void Worker::UpdateEndpoint(std::uint32_t index, std::uint64_t serial,
                            std::unique_ptr<EndpointRuntime> fresh) {
  EndpointRuntime* endpoint = EndpointFor(index, serial);
  if (endpoint == nullptr) return;
  const net::TlsClientOptions tls = fresh->tls_options();
  auto pool = client_->PoolFor(fresh->url(), fresh->id(), &tls);
  HOOKFAN_CHECK(pool.ok());  // URL and TLS files were validated when the runtime was created
  endpoint->AdoptSettings(*fresh);
  endpoint->pool = *pool;
  // A higher in-flight cap or a fuller bucket may let queued deliveries go now.
  if (endpoint->has_ready()) MakeReady(endpoint);
  SchedulePump();
}

void Worker::RemoveEndpoint(std::uint32_t index, std::uint64_t serial, std::string_view reason) {
  EndpointRuntime* endpoint = EndpointFor(index, serial);
  if (endpoint == nullptr) return;
  endpoint->removed = true;
  endpoint->removed_reason = std::string(reason);
  wheel_->Cancel(&endpoint->wake_timer);
  // Gathered notifications leave as one dead letter with the removal's reason.
  FlushNotifications(endpoint, /*now=*/true);
  round_robin_.erase(std::remove(round_robin_.begin(), round_robin_.end(), endpoint),
                     round_robin_.end());
  endpoint->in_round_robin = false;
  while (Delivery* delivery = endpoint->PopReady()) {
    DeadLetterDelivery(delivery, 0, net::RequestError::kNone, endpoint->removed_reason);
  }
  // Attempts in flight and retries on the wheel finish as dead letters; the runtime goes
  // when the last of them does.
  if (endpoint->live_deliveries == 0) RetireEndpoint(endpoint);
}

void Worker::RetireEndpoint(EndpointRuntime* endpoint) {
  for (auto& slot : endpoints_) {
    if (slot.get() == endpoint) {
      retired_.push_back(std::move(slot));
      return;
    }
  }
  for (auto it = retired_later_.begin(); it != retired_later_.end(); ++it) {
    if (it->get() == endpoint) {
      retired_.push_back(std::move(*it));
      retired_later_.erase(it);
      return;
    }
  }
}

void Worker::SetEndpointEnabled(std::uint32_t index, std::uint64_t serial, bool enabled) {
  EndpointRuntime* endpoint = EndpointFor(index, serial);
  if (endpoint == nullptr) return;
  if (enabled) {
    endpoint->enabled = true;
    endpoint->consecutive_failures = 0;
  } else {
    DisableEndpoint(endpoint, "disabled_by_api");
  }
}

void Worker::AppendStats(WorkerSnapshot* out) const {
  for (const auto& endpoint : endpoints_) {
    if (!endpoint || endpoint->removed) continue;
    EndpointStats stats;
    stats.id = endpoint->id();
    stats.enabled = endpoint->enabled;
    stats.delivered = endpoint->delivered;
    stats.failed_attempts = endpoint->failed_attempts;
    stats.dead_lettered = endpoint->dead_lettered;
    stats.pending = endpoint->live_deliveries;
    stats.pending_retries = endpoint->pending_retries;
    stats.in_flight = static_cast<std::uint64_t>(endpoint->in_flight);
    stats.last_status = endpoint->last_status;
    stats.last_attempt_unix_ms = endpoint->last_attempt_unix_ms;
    stats.last_error = endpoint->last_error;
    stats.last_error_unix_ms = endpoint->last_error_unix_ms;
    stats.latency_us = endpoint->latency_us;
    out->endpoints.push_back(std::move(stats));
  }
  out->dead_letters_kept += dead_letters_.size();
  out->dead_letters_evicted += dead_letters_evicted_;
}

void Worker::AppendDeadLetters(std::size_t limit, std::vector<DeadLetter>* out) const {
  // Newest first: the ones an operator is most likely looking for.
  for (auto it = dead_letters_.rbegin(); it != dead_letters_.rend() && limit > 0; ++it, --limit) {
    out->push_back(*it);
  }
}

Status Worker::ReplayDeadLetter(std::uint64_t sequence) {
  if (draining_ || closing_) return Status::Unavailable("engine: stopping");
  auto letter = std::find_if(dead_letters_.begin(), dead_letters_.end(),
                             [&](const DeadLetter& l) { return l.sequence == sequence; });
  if (letter == dead_letters_.end()) {
    return Status::NotFound("dead letter " + std::to_string(sequence) + ": not found");
  }
  EndpointRuntime* endpoint = nullptr;
  for (const auto& candidate : endpoints_) {
    if (candidate && !candidate->removed && candidate->id() == letter->endpoint_id) {
      endpoint = candidate.get();
    }
  }
  if (endpoint == nullptr) {
    return Status::FailedPrecondition("endpoint '" + letter->endpoint_id + "': no longer exists");
  }
  if (!endpoint->enabled) {
    return Status::FailedPrecondition("endpoint '" + letter->endpoint_id +
                                      "' is disabled: enable it before replaying");
  }
  if (context_.pending->fetch_add(1, std::memory_order_relaxed) + 1 >
      context_.config->max_pending_deliveries) {
    context_.pending->fetch_sub(1, std::memory_order_relaxed);
    return Status::ResourceExhausted("pending deliveries: limit reached; retry later");
  }
  // Out of the list before it goes: replaying the same letter twice finds nothing.
  Delivery* delivery = delivery_pool_.Acquire();
  delivery->event = letter->event;
  delivery->endpoint = endpoint;
  delivery->published_us = MonotonicNowNs() / 1000;
  dead_letters_.erase(letter);
  ++endpoint->live_deliveries;
  EnqueueDelivery(endpoint, delivery);
  SchedulePump();
  return Status::Ok();
}

void Worker::RestoreDeadLetter(DeadLetter letter) {
  // A sequence names its worker in its low byte (Replay finds it there); one written when
  // the engine had another worker count gets a fresh one.
  if (letter.sequence == 0 || (letter.sequence & 0xff) != static_cast<std::uint64_t>(id_)) {
    letter.sequence = (next_dead_letter_sequence_++ << 8) | static_cast<std::uint64_t>(id_);
  } else {
    next_dead_letter_sequence_ = std::max(next_dead_letter_sequence_, (letter.sequence >> 8) + 1);
  }
  if (dead_letters_.size() >= context_.config->max_dead_letters) {
    ++dead_letters_evicted_;
    const auto& evicted = context_.config->on_dead_letter_evicted;
    if (dead_letters_.empty()) {  // max_dead_letters = 0: the restored letter itself goes
      if (evicted) evicted(letter);
      return;
    }
    if (evicted) evicted(dead_letters_.front());
    dead_letters_.pop_front();
  }
  dead_letters_.push_back(std::move(letter));
}

void Worker::RequestDrain(DurationMs grace_ms) {
  (void)EnqueueCommand([grace_ms](Worker& worker) { worker.StartDrain(grace_ms); });
}

void Worker::StartDrain(DurationMs grace_ms) {
  if (draining_) return;
  draining_ = true;
  delivered_at_drain_start_ = delivered_total_;
  // Gathered notifications leave now rather than after their wait.
  for (auto& endpoint : endpoints_) {
    if (endpoint) FlushNotifications(endpoint.get(), /*now=*/true);
  }
  uv_timer_start(&grace_timer_, &Worker::OnGraceTimer,
                 static_cast<std::uint64_t>(std::max<DurationMs>(0, grace_ms)), 0);
  MaybeFinishDrain();
}

DrainReport Worker::Join() {
  std::lock_guard<std::mutex> lock(join_mutex_);
  if (thread_.joinable()) thread_.join();
  return drain_report_;
}

DrainReport Worker::DrainAndJoin(DurationMs grace_ms) {
  RequestDrain(grace_ms);
  return Join();
}

// Due work is done when nothing is queued and nothing is in flight; retries waiting on the
// wheel are not due and are reported as still pending.
void Worker::MaybeFinishDrain() {
  if (!draining_ || closing_) return;
  // Counted for the worker, not per endpoint: a removed endpoint's attempt still in flight
  // is due work too.
  if (in_flight_total_ > 0) return;
  for (const auto& endpoint : endpoints_) {
    if (endpoint && endpoint->has_ready()) return;
  }
  CloseAll();
}

void Worker::OnGraceTimer(uv_timer_t* handle) {
  auto* worker = static_cast<Worker*>(handle->data);
  worker->drain_report_.graceful = false;
  worker->CloseAll();
}

void Worker::CloseAll() {
  if (closing_) return;
  closing_ = true;
  drain_report_.delivered_during_drain = delivered_total_ - delivered_at_drain_start_;
  uv_idle_stop(&pump_idle_);
  uv_timer_stop(&wheel_timer_);
  uv_timer_stop(&grace_timer_);
  // In-flight attempts call back with kCancelled (counted there); everything else that is
  // still here is pending work we stop without finishing.
  client_->Close([this] {
    {
      // From here on Post and Enqueue refuse: the async handle closes below.
      std::lock_guard<std::mutex> lock(inbox_mutex_);
      closed_ = true;
    }
    RunCommands();  // snapshots already accepted still get their answer
    CancelInbox();
    for (auto& endpoint : endpoints_) {
      if (!endpoint) continue;
      wheel_->Cancel(&endpoint->wake_timer);
      wheel_->Cancel(&endpoint->flush_timer);
      CancelGathered(endpoint.get());
      while (Delivery* delivery = endpoint->PopReady()) {
        Finish(delivery, Fate::kCancelled, 0, net::RequestError::kNone, "shutdown");
      }
    }
    // Fire everything left on the wheel: with closing_ set, the callbacks cancel.
    wheel_->Advance(kFarFutureMs);
    uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&wheel_timer_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&pump_idle_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&grace_timer_), nullptr);
  });
}

}  // namespace hookfan::engine
