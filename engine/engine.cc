// The Engine facade: routing and admission on the caller's thread, delivery on the workers.
#include <algorithm>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "engine/hookfan.h"
#include "engine/routing/router.h"
#include "engine/worker/endpoint_runtime.h"
#include "engine/worker/worker.h"
#include "net/base/check.h"

namespace hookfan::engine {
namespace {

std::int64_t NowUs() { return MonotonicNowNs() / 1000; }

// FNV-1a: a stable shard for an endpoint id, so its state always lives on one worker.
std::size_t ShardOf(std::string_view id, std::size_t workers) {
  std::uint64_t hash = 1469598103934665603ull;
  for (char c : id) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return static_cast<std::size_t>(hash % workers);
}

struct EndpointSlot {
  std::uint64_t serial = 0;  // 0: free
  std::uint32_t worker = 0;
  std::string owner;  // tenancy: only events with this Event::owner are routed here
};

}  // namespace

struct Engine::State {
  EngineConfig config;
  std::atomic<std::uint64_t> pending{0};
  std::atomic<std::uint64_t> published{0};
  std::atomic<std::uint64_t> rejected{0};
  std::vector<std::unique_ptr<Worker>> workers;

  // The router and the slot table change together under one mutex: publishers hold it
  // while matching and staging, the control path while adding or removing. Deliveries on
  // the workers never take it.
  std::mutex mutex;
  Router router;
  std::vector<EndpointSlot> slots;  // by router index
  std::uint64_t next_serial = 1;
  bool stopping = false;
  bool stopped = false;
  DrainReport drain_report;

  Status Stage(const EventPtr& event, std::vector<std::vector<DeliveryItem>>& staged,
               std::size_t* matched);
};

Engine::Engine(EngineConfig config) : state_(std::make_unique<State>()) {
  state_->config = std::move(config);
}

StatusOr<std::unique_ptr<Engine>> Engine::Start(EngineConfig config) {
  if (config.workers < 0 || config.workers > 256) {
    return Status::InvalidArgument("workers: must be between 0 (one per core) and 256");
  }
  if (!(config.retry_scale > 0 && config.retry_scale <= 1)) {
    return Status::InvalidArgument("retry_scale: must be in (0, 1]");
  }
  if (config.max_pending_deliveries == 0) {
    return Status::InvalidArgument("max_pending_deliveries: must be at least 1");
  }
  if (config.workers == 0) {
    config.workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  std::unique_ptr<Engine> engine(new Engine(std::move(config)));
  State& state = *engine->state_;
  WorkerContext context;
  context.config = &state.config;
  context.pending = &state.pending;
  Engine* raw = engine.get();
  context.on_endpoint_disabled = [raw](const std::string& id) {
    std::lock_guard<std::mutex> lock(raw->state_->mutex);
    (void)raw->state_->router.SetEnabled(id, false);  // gone already: nothing to route
  };
  for (int i = 0; i < state.config.workers; ++i) {
    state.workers.push_back(std::make_unique<Worker>(i, context));
    state.workers.back()->Start();
  }
  return engine;
}

Engine::~Engine() { DrainAndStop(0); }

int Engine::worker_count() const { return static_cast<int>(state_->workers.size()); }

std::uint64_t Engine::PendingDeliveries() const {
  return state_->pending.load(std::memory_order_relaxed);
}

Status Engine::AddEndpoint(const EndpointConfig& config) {
  auto runtime = EndpointRuntime::Create(config, state_->config.retry_scale);
  if (!runtime.ok()) return runtime.status();
  State& state = *state_;
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.stopping) return Status::Unavailable("engine: stopping");
  SubscriptionSpec spec;
  spec.endpoint_id = config.id;
  spec.event_types = config.event_types;
  spec.channels = config.channels;
  auto index = state.router.AddEndpoint(spec);
  if (!index.ok()) return index.status();
  const auto worker = static_cast<std::uint32_t>(ShardOf(config.id, state.workers.size()));
  if (state.slots.size() <= *index) state.slots.resize(*index + 1);
  state.slots[*index] = EndpointSlot{state.next_serial++, worker, config.owner};
  (*runtime)->index = *index;
  (*runtime)->serial = state.slots[*index].serial;
  // Posted under the mutex, so the add reaches the worker before any delivery that a
  // publisher could stage for it (publishers take the same mutex).
  auto shared = std::make_shared<std::unique_ptr<EndpointRuntime>>(std::move(*runtime));
  state.workers[worker]->Post([shared](Worker& w) { w.AddEndpoint(std::move(*shared)); });
  return Status::Ok();
}

Status Engine::RemoveEndpoint(std::string_view id) {
  return RemoveEndpoint(id, "endpoint_removed");
}

Status Engine::RemoveEndpoint(std::string_view id, std::string_view reason) {
  State& state = *state_;
  std::lock_guard<std::mutex> lock(state.mutex);
  auto index = state.router.Find(id);
  if (!index) return Status::NotFound("endpoint '" + std::string(id) + "': not found");
  HOOKFAN_RETURN_IF_ERROR(state.router.RemoveEndpoint(id));
  EndpointSlot slot = state.slots[*index];
  state.slots[*index] = EndpointSlot{};
  const std::uint32_t i = *index;
  state.workers[slot.worker]->Post([i, serial = slot.serial, why = std::string(reason)](Worker& w) {
    w.RemoveEndpoint(i, serial, why);
  });
  return Status::Ok();
}

Status Engine::UpdateEndpoint(const EndpointConfig& config) {
  auto runtime = EndpointRuntime::Create(config, state_->config.retry_scale);
  if (!runtime.ok()) return runtime.status();
  State& state = *state_;
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.stopping) return Status::Unavailable("engine: stopping");
  auto index = state.router.Find(config.id);
  if (!index) return Status::NotFound("endpoint '" + config.id + "': not found");
  EndpointSlot& slot = state.slots[*index];
  if (slot.owner != config.owner) return Status::InvalidArgument("owner: cannot be changed");
  // New filters: taken out of the router and put back under the same index (the router
  // reuses the index it just freed), so the slot and the worker's runtime stay where they are.
  const bool enabled = state.router.IsEnabled(*index);
  HOOKFAN_RETURN_IF_ERROR(state.router.RemoveEndpoint(config.id));
  SubscriptionSpec spec{config.id, config.event_types, config.channels};
  auto again = state.router.AddEndpoint(spec);
  HOOKFAN_CHECK(again.ok() && *again == *index);  // validated by EndpointRuntime::Create
  if (!enabled) (void)state.router.SetEnabled(config.id, false);
  (*runtime)->index = *index;
  (*runtime)->serial = slot.serial;
  auto shared = std::make_shared<std::unique_ptr<EndpointRuntime>>(std::move(*runtime));
  const std::uint32_t i = *index;
  state.workers[slot.worker]->Post([i, serial = slot.serial, shared](Worker& w) {
    w.UpdateEndpoint(i, serial, std::move(*shared));
  });
  return Status::Ok();
}

Status Engine::SetEndpointEnabled(std::string_view id, bool enabled) {
  State& state = *state_;
  std::lock_guard<std::mutex> lock(state.mutex);
  auto index = state.router.Find(id);
  if (!index) return Status::NotFound("endpoint '" + std::string(id) + "': not found");
  HOOKFAN_RETURN_IF_ERROR(state.router.SetEnabled(id, enabled));
  EndpointSlot slot = state.slots[*index];
  const std::uint32_t i = *index;
  state.workers[slot.worker]->Post(
      [i, serial = slot.serial, enabled](Worker& w) { w.SetEndpointEnabled(i, serial, enabled); });
  return Status::Ok();
}

Status Engine::State::Stage(const EventPtr& event, std::vector<std::vector<DeliveryItem>>& staged,
                            std::size_t* matched) {
  thread_local std::vector<EndpointIndex> matches;
  router.Match(*event, &matches);
  const std::int64_t now_us = NowUs();
  for (EndpointIndex index : matches) {
    const EndpointSlot& slot = slots[index];
    if (slot.owner != event->owner) continue;  // another tenant's endpoint
    staged[slot.worker].push_back(DeliveryItem{event, index, slot.serial, now_us});
    ++*matched;
  }
  return Status::Ok();
}

Status Engine::Publish(EventPtr event) {
  return PublishBatch(std::span<const EventPtr>(&event, 1));
}

Status Engine::PublishBatch(std::span<const EventPtr> events) {
  State& state = *state_;
  thread_local std::vector<std::vector<DeliveryItem>> staged;
  staged.resize(state.workers.size());
  std::size_t matched = 0;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    if (state.stopping) return Status::Unavailable("engine: stopping, not accepting events");
    for (const EventPtr& event : events) (void)state.Stage(event, staged, &matched);
    // Admission: all or nothing, against the global bound on pending deliveries.
    const std::uint64_t before = state.pending.fetch_add(matched, std::memory_order_relaxed);
    if (before + matched > state.config.max_pending_deliveries) {
      state.pending.fetch_sub(matched, std::memory_order_relaxed);
      state.rejected.fetch_add(events.size(), std::memory_order_relaxed);
      for (auto& items : staged) items.clear();
      return Status::ResourceExhausted("pending deliveries: limit of " +
                                       std::to_string(state.config.max_pending_deliveries) +
                                       " reached; retry later");
    }
    // Enqueued under the mutex so that a later RemoveEndpoint's command cannot overtake
    // these items on the way to a worker.
    for (std::size_t w = 0; w < staged.size(); ++w) {
      if (staged[w].empty()) continue;
      state.workers[w]->EnqueueDeliveries(staged[w].data(), staged[w].size());
      staged[w].clear();
    }
  }
  state.published.fetch_add(events.size(), std::memory_order_relaxed);
  return Status::Ok();
}

EngineStats Engine::Stats() {
  State& state = *state_;
  EngineStats stats;
  stats.total.id = "total";
  stats.published_events = state.published.load(std::memory_order_relaxed);
  stats.rejected_events = state.rejected.load(std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    if (state.stopped) {
      // The worker threads are joined: their state can be read from here.
      for (auto& worker : state.workers) worker->AppendStats(&stats.endpoints);
    }
    std::vector<std::future<std::vector<EndpointStats>>> futures;
    for (auto& worker : state.workers) {
      if (state.stopped) break;
      auto promise = std::make_shared<std::promise<std::vector<EndpointStats>>>();
      futures.push_back(promise->get_future());
      worker->Post([promise](Worker& w) {
        std::vector<EndpointStats> out;
        w.AppendStats(&out);
        promise->set_value(std::move(out));
      });
    }
    for (auto& future : futures) {
      for (EndpointStats& endpoint : future.get()) stats.endpoints.push_back(std::move(endpoint));
    }
  }
  std::sort(stats.endpoints.begin(), stats.endpoints.end(),
            [](const EndpointStats& a, const EndpointStats& b) { return a.id < b.id; });
  stats.total.latency_us = LatencyHistogram(4);
  for (const EndpointStats& e : stats.endpoints) {
    stats.total.delivered += e.delivered;
    stats.total.failed_attempts += e.failed_attempts;
    stats.total.dead_lettered += e.dead_lettered;
    stats.total.pending += e.pending;
    stats.total.pending_retries += e.pending_retries;
    stats.total.in_flight += e.in_flight;
    stats.total.latency_us.Merge(e.latency_us);
  }
  return stats;
}

std::vector<DeadLetter> Engine::DeadLetters(std::size_t limit) {
  State& state = *state_;
  std::vector<DeadLetter> letters;
  std::lock_guard<std::mutex> lock(state.mutex);
  for (auto& worker : state.workers) {
    if (state.stopped) {
      worker->AppendDeadLetters(limit, &letters);
      continue;
    }
    std::promise<std::vector<DeadLetter>> promise;
    auto future = promise.get_future();
    worker->Post([&promise, limit](Worker& w) {
      std::vector<DeadLetter> out;
      w.AppendDeadLetters(limit, &out);
      promise.set_value(std::move(out));
    });
    for (DeadLetter& letter : future.get()) letters.push_back(std::move(letter));
  }
  std::sort(letters.begin(), letters.end(),
            [](const DeadLetter& a, const DeadLetter& b) { return a.unix_ms > b.unix_ms; });
  if (letters.size() > limit) letters.resize(limit);
  return letters;
}

Status Engine::Replay(std::uint64_t sequence) {
  State& state = *state_;
  const std::size_t worker_id = sequence & 0xff;
  std::unique_lock<std::mutex> lock(state.mutex);
  if (state.stopping) return Status::Unavailable("engine: stopping");
  if (worker_id >= state.workers.size()) {
    return Status::NotFound("dead letter " + std::to_string(sequence) + ": not found");
  }
  std::promise<std::optional<DeadLetter>> promise;
  auto future = promise.get_future();
  state.workers[worker_id]->Post([&promise, sequence](Worker& w) {
    const DeadLetter* letter = w.FindDeadLetter(sequence);
    promise.set_value(letter ? std::optional<DeadLetter>(*letter) : std::nullopt);
  });
  std::optional<DeadLetter> letter = future.get();
  if (!letter) return Status::NotFound("dead letter " + std::to_string(sequence) + ": not found");
  auto index = state.router.Find(letter->endpoint_id);
  if (!index) {
    return Status::FailedPrecondition("endpoint '" + letter->endpoint_id + "': no longer exists");
  }
  const EndpointSlot slot = state.slots[*index];
  if (state.pending.fetch_add(1, std::memory_order_relaxed) + 1 >
      state.config.max_pending_deliveries) {
    state.pending.fetch_sub(1, std::memory_order_relaxed);
    return Status::ResourceExhausted("pending deliveries: limit reached; retry later");
  }
  DeliveryItem item{letter->event, *index, slot.serial, NowUs()};
  state.workers[slot.worker]->EnqueueDeliveries(&item, 1);
  return Status::Ok();
}

DrainReport Engine::DrainAndStop(DurationMs grace_ms) {
  State& state = *state_;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    if (state.stopped) return state.drain_report;
    state.stopping = true;
  }
  // Workers drain in parallel: ask all, then wait for each.
  std::vector<std::future<DrainReport>> reports;
  for (auto& worker : state.workers) {
    Worker* w = worker.get();
    reports.push_back(
        std::async(std::launch::async, [w, grace_ms] { return w->DrainAndJoin(grace_ms); }));
  }
  DrainReport total;
  for (auto& future : reports) {
    DrainReport r = future.get();
    total.delivered_during_drain += r.delivered_during_drain;
    total.cancelled_in_flight += r.cancelled_in_flight;
    total.still_pending += r.still_pending;
    total.graceful = total.graceful && r.graceful;
  }
  std::lock_guard<std::mutex> lock(state.mutex);
  state.stopped = true;
  state.drain_report = total;
  return total;
}

}  // namespace hookfan::engine
