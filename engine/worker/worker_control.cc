// The worker's control side: endpoints coming and going, snapshots for stats and dead
// letters, and the drain that ends the worker. Everything here runs on the loop thread
// (through Post) except DrainAndJoin, which waits for it.
#include <algorithm>
#include <future>

#include "engine/worker/worker.h"
#include "net/base/check.h"

namespace hookfan::engine {

void Worker::AddEndpoint(std::unique_ptr<EndpointRuntime> endpoint) {
  auto pool = client_->PoolFor(endpoint->url());
  HOOKFAN_CHECK(pool.ok());  // the URL was validated when the runtime was created
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
  auto pool = client_->PoolFor(fresh->url());
  HOOKFAN_CHECK(pool.ok());  // the URL was validated when the runtime was created
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
  wheel_->Cancel(&endpoint->flush_timer);
  (void)endpoint->batch.TakeBody("", 0, 0);  // gathered notifications go with the endpoint
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
    DisableEndpoint(endpoint, "disabled_by_api", /*tell_engine=*/false);
  }
}

void Worker::AppendStats(std::vector<EndpointStats>* out) const {
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
    stats.latency_us = endpoint->latency_us;
    out->push_back(std::move(stats));
  }
}

void Worker::AppendDeadLetters(std::size_t limit, std::vector<DeadLetter>* out) const {
  // Newest first: the ones an operator is most likely looking for.
  for (auto it = dead_letters_.rbegin(); it != dead_letters_.rend() && limit > 0; ++it, --limit) {
    out->push_back(*it);
  }
}

const DeadLetter* Worker::FindDeadLetter(std::uint64_t sequence) const {
  for (const DeadLetter& letter : dead_letters_) {
    if (letter.sequence == sequence) return &letter;
  }
  return nullptr;
}

DrainReport Worker::DrainAndJoin(DurationMs grace_ms) {
  if (!thread_.joinable()) return drain_report_;
  Post([grace_ms](Worker& worker) {
    worker.draining_ = true;
    worker.delivered_at_drain_start_ = worker.delivered_total_;
    // Gathered notifications leave now rather than after their wait.
    for (auto& endpoint : worker.endpoints_) {
      if (endpoint) worker.FlushNotifications(endpoint.get());
    }
    uv_timer_start(&worker.grace_timer_, &Worker::OnGraceTimer,
                   static_cast<std::uint64_t>(std::max<DurationMs>(0, grace_ms)), 0);
    worker.MaybeFinishDrain();
  });
  thread_.join();
  // Items that never reached the loop are pending work too.
  DeliveryItem item;
  while (deliveries_.try_dequeue(item)) {
    ++drain_report_.still_pending;
    context_.pending->fetch_sub(1, std::memory_order_relaxed);
  }
  return drain_report_;
}

// Due work is done when nothing is queued and nothing is in flight; retries waiting on the
// wheel are not due and are reported as still pending.
void Worker::MaybeFinishDrain() {
  if (!draining_ || closing_) return;
  for (const auto& endpoint : endpoints_) {
    if (endpoint && (endpoint->in_flight > 0 || (endpoint->has_ready() && endpoint->enabled))) {
      return;
    }
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
    for (auto& endpoint : endpoints_) {
      if (!endpoint) continue;
      wheel_->Cancel(&endpoint->wake_timer);
      if (endpoint->flush_timer.armed()) {
        wheel_->Cancel(&endpoint->flush_timer);
        drain_report_.still_pending += endpoint->batch.events();
      }
      while (Delivery* delivery = endpoint->PopReady()) {
        ++drain_report_.still_pending;
        FreeDelivery(delivery);
      }
    }
    // Fire everything left on the wheel: with closing_ set, the callbacks count and free.
    wheel_->Advance(kFarFutureMs);
    uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&wheel_timer_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&pump_idle_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&grace_timer_), nullptr);
  });
}

}  // namespace hookfan::engine
