// The Engine facade: routing and admission on the caller's thread, delivery on the workers.
#include <algorithm>
#include <future>
#include <mutex>
#include <span>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/events/event_id.h"
#include "engine/events/received_stamp.h"
#include "engine/hookfan.h"
#include "engine/routing/router.h"
#include "engine/worker/endpoint_runtime.h"
#include "engine/worker/event_ticket.h"
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
  std::string owner;           // tenancy: only events with this Event::owner are routed here
  std::string received_field;  // EndpointConfig::received_field: stamped at publish
};

// The event each endpoint's deliveries hold: stamped once per event and received_field
// (the fields seen so far for this event are in `stamped`), never once per attempt.
const EventPtr& EventFor(const EventPtr& event, const EndpointSlot& slot,
                         std::vector<std::pair<std::string_view, EventPtr>>& stamped) {
  if (slot.received_field.empty()) return event;
  for (const auto& [field, copy] : stamped) {
    if (field == slot.received_field) return copy;
  }
  stamped.emplace_back(slot.received_field, WithReceivedField(event, slot.received_field));
  return stamped.back().second;
}

}  // namespace

struct Engine::State {
  EngineConfig config;
  std::atomic<std::uint64_t> pending{0};
  std::atomic<std::uint64_t> published{0};
  std::atomic<std::uint64_t> rejected{0};
  std::vector<std::unique_ptr<Worker>> workers;

  // The router and the slot table change together under one mutex: publishers hold it
  // while matching, staging and enqueueing, the control path while changing endpoints and
  // enqueueing their commands, so each worker's ordered inbox sees both in one order.
  // Deliveries on the workers never take it, and nobody holds it while waiting on a worker.
  std::mutex mutex;
  Router router;
  std::vector<EndpointSlot> slots;  // by router index
  std::uint64_t next_serial = 1;
  bool stopping = false;
  bool stopped = false;
  DrainReport drain_report;

  // Appends the event's deliveries to `staged` (per worker), with one event-done ticket
  // for them all when the host wants the signal (recorded in `tickets`); an event that
  // matched nothing goes to `unmatched` (done at once).
  void Stage(const EventPtr& event, std::vector<std::vector<DeliveryItem>>& staged,
             std::size_t* matched, std::vector<EventTicket*>& tickets,
             std::vector<EventPtr>& unmatched);
  // Enqueues everything staged, or (admission refused) drops it; under the mutex.
  Status Admit(std::vector<std::vector<DeliveryItem>>& staged, std::size_t matched,
               std::size_t events, std::vector<EventTicket*>& tickets);
  void ReportUnmatched(std::vector<EventPtr>& unmatched);
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
  state.slots[*index] =
      EndpointSlot{state.next_serial++, worker, config.owner, config.received_field};
  (*runtime)->index = *index;
  (*runtime)->serial = state.slots[*index].serial;
  // Posted under the mutex, so the add reaches the worker before any delivery that a
  // publisher could stage for it (publishers take the same mutex).
  auto shared = std::make_shared<std::unique_ptr<EndpointRuntime>>(std::move(*runtime));
  HOOKFAN_CHECK(state.workers[worker]->EnqueueCommand(
      [shared](Worker& w) { w.AddEndpoint(std::move(*shared)); }));
  return Status::Ok();
}

Status Engine::RemoveEndpoint(std::string_view id) {
  return RemoveEndpoint(id, "endpoint_removed");
}

Status Engine::RemoveEndpoint(std::string_view id, std::string_view reason) {
  State& state = *state_;
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.stopping) return Status::Unavailable("engine: stopping");
  auto index = state.router.Find(id);
  if (!index) return Status::NotFound("endpoint '" + std::string(id) + "': not found");
  HOOKFAN_RETURN_IF_ERROR(state.router.RemoveEndpoint(id));
  EndpointSlot slot = state.slots[*index];
  state.slots[*index] = EndpointSlot{};
  const std::uint32_t i = *index;
  // In the worker's ordered inbox: the deliveries published before it arrive first, and are
  // dead-lettered with `reason` like everything else still queued for it.
  HOOKFAN_CHECK(state.workers[slot.worker]->EnqueueCommand(
      [i, serial = slot.serial, why = std::string(reason)](Worker& w) {
        w.RemoveEndpoint(i, serial, why);
      }));
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
  slot.received_field = config.received_field;  // for events published from now on
  // New filters: taken out of the router and put back under the same index (the router
  // reuses the index it just freed), so the slot and the worker's runtime stay where they are.
  HOOKFAN_RETURN_IF_ERROR(state.router.RemoveEndpoint(config.id));
  SubscriptionSpec spec{config.id, config.event_types, config.channels};
  auto again = state.router.AddEndpoint(spec);
  HOOKFAN_CHECK(again.ok() && *again == *index);  // validated by EndpointRuntime::Create
  (*runtime)->index = *index;
  (*runtime)->serial = slot.serial;
  auto shared = std::make_shared<std::unique_ptr<EndpointRuntime>>(std::move(*runtime));
  const std::uint32_t i = *index;
  HOOKFAN_CHECK(
      state.workers[slot.worker]->EnqueueCommand([i, serial = slot.serial, shared](Worker& w) {
        w.UpdateEndpoint(i, serial, std::move(*shared));
      }));
  return Status::Ok();
}

Status Engine::SetEndpointEnabled(std::string_view id, bool enabled) {
  State& state = *state_;
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.stopping) return Status::Unavailable("engine: stopping");
  auto index = state.router.Find(id);
  if (!index) return Status::NotFound("endpoint '" + std::string(id) + "': not found");
  // The router keeps matching a disabled endpoint: its worker dead-letters what arrives for
  // it ("endpoint_disabled"), so an event published to it is never silently lost.
  EndpointSlot slot = state.slots[*index];
  const std::uint32_t i = *index;
  HOOKFAN_CHECK(state.workers[slot.worker]->EnqueueCommand(
      [i, serial = slot.serial, enabled](Worker& w) { w.SetEndpointEnabled(i, serial, enabled); }));
  return Status::Ok();
}

void Engine::State::Stage(const EventPtr& event, std::vector<std::vector<DeliveryItem>>& staged,
                          std::size_t* matched, std::vector<EventTicket*>& tickets,
                          std::vector<EventPtr>& unmatched) {
  thread_local std::vector<EndpointIndex> matches;
  router.Match(*event, &matches);
  // Another tenant's endpoints are not this event's.
  std::erase_if(matches, [&](EndpointIndex index) { return slots[index].owner != event->owner; });
  if (matches.empty()) {
    if (config.on_event_done) unmatched.push_back(event);
    return;
  }
  EventTicket* ticket = nullptr;
  if (config.on_event_done) {
    ticket = new EventTicket(event, static_cast<std::uint32_t>(matches.size()));
    tickets.push_back(ticket);
  }
  const std::int64_t now_us = NowUs();
  std::vector<std::pair<std::string_view, EventPtr>> stamped;
  for (EndpointIndex index : matches) {
    const EndpointSlot& slot = slots[index];
    DeliveryItem item;
    item.event = EventFor(event, slot, stamped);
    item.ticket = ticket;
    item.endpoint_index = index;
    item.endpoint_serial = slot.serial;
    item.published_us = now_us;
    staged[slot.worker].push_back(std::move(item));
  }
  *matched += matches.size();
}

Status Engine::State::Admit(std::vector<std::vector<DeliveryItem>>& staged, std::size_t matched,
                            std::size_t events, std::vector<EventTicket*>& tickets) {
  // Admission: all or nothing, against the global bound on pending deliveries.
  const std::uint64_t before = pending.fetch_add(matched, std::memory_order_relaxed);
  if (before + matched > config.max_pending_deliveries) {
    pending.fetch_sub(matched, std::memory_order_relaxed);
    rejected.fetch_add(events, std::memory_order_relaxed);
    for (auto& items : staged) items.clear();
    for (EventTicket* ticket : tickets) delete ticket;
    tickets.clear();
    return Status::ResourceExhausted("pending deliveries: limit of " +
                                     std::to_string(config.max_pending_deliveries) +
                                     " reached; retry later");
  }
  tickets.clear();  // owned by the deliveries now
  for (std::size_t w = 0; w < staged.size(); ++w) {
    if (staged[w].empty()) continue;
    // Not closed: workers close only after DrainAndStop set `stopping` under this mutex.
    HOOKFAN_CHECK(workers[w]->Enqueue(staged[w].data(), staged[w].size()));
    staged[w].clear();
  }
  published.fetch_add(events, std::memory_order_relaxed);
  return Status::Ok();
}

// Outside the mutex: the hook may publish.
void Engine::State::ReportUnmatched(std::vector<EventPtr>& unmatched) {
  std::vector<EventPtr> done;
  done.swap(unmatched);
  for (const EventPtr& event : done) config.on_event_done(*event);
}

namespace {

Status ValidateEvent(const Event& event) {
  HOOKFAN_RETURN_IF_ERROR(ValidateEventId(event.id));
  return ValidateEventType(event.type);
}

}  // namespace

Status Engine::Publish(EventPtr event) {
  return PublishBatch(std::span<const EventPtr>(&event, 1));
}

Status Engine::PublishBatch(std::span<const EventPtr> events) {
  State& state = *state_;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i] == nullptr) return Status::InvalidArgument("event: null");
    Status valid = ValidateEvent(*events[i]);
    if (!valid.ok()) {
      return events.size() == 1 ? valid : valid.WithContext("events[" + std::to_string(i) + "]");
    }
  }
  thread_local std::vector<std::vector<DeliveryItem>> staged;
  thread_local std::vector<EventTicket*> tickets;
  thread_local std::vector<EventPtr> unmatched;
  staged.resize(state.workers.size());
  std::size_t matched = 0;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    if (state.stopping) return Status::Unavailable("engine: stopping, not accepting events");
    for (const EventPtr& event : events) state.Stage(event, staged, &matched, tickets, unmatched);
    Status admitted = state.Admit(staged, matched, events.size(), tickets);
    if (!admitted.ok()) {
      unmatched.clear();
      return admitted;
    }
  }
  if (!unmatched.empty()) state.ReportUnmatched(unmatched);
  return Status::Ok();
}

std::vector<std::string> Engine::MatchEndpoints(const Event& event) {
  State& state = *state_;
  std::vector<EndpointIndex> matches;
  std::vector<std::string> ids;
  std::lock_guard<std::mutex> lock(state.mutex);
  state.router.Match(event, &matches);
  for (EndpointIndex index : matches) {
    if (state.slots[index].owner == event.owner) ids.push_back(state.router.IdOf(index));
  }
  return ids;
}

Status Engine::PublishTargets(EventPtr event, std::span<const Target> targets) {
  State& state = *state_;
  if (event == nullptr) return Status::InvalidArgument("event: null");
  HOOKFAN_RETURN_IF_ERROR(ValidateEvent(*event));
  for (const Target& target : targets) {
    if (target.attempts < 0 || target.attempts > UINT16_MAX) {
      return Status::InvalidArgument("attempts: out of range for '" + target.endpoint_id + "'");
    }
  }
  if (targets.empty()) {
    if (state.config.on_event_done) state.config.on_event_done(*event);
    return Status::Ok();
  }
  std::vector<std::vector<DeliveryItem>> staged(state.workers.size());
  std::vector<EventTicket*> tickets;
  EventTicket* ticket = nullptr;
  if (state.config.on_event_done) {
    ticket = new EventTicket(event, static_cast<std::uint32_t>(targets.size()));
    tickets.push_back(ticket);
  }
  const std::int64_t now_us = NowUs();
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.stopping) {
    delete ticket;
    return Status::Unavailable("engine: stopping, not accepting events");
  }
  std::vector<std::size_t> orphans;  // targets whose endpoint is gone
  std::vector<std::pair<std::string_view, EventPtr>> stamped;
  for (std::size_t t = 0; t < targets.size(); ++t) {
    auto index = state.router.Find(targets[t].endpoint_id);
    if (!index) {
      orphans.push_back(t);
      continue;
    }
    const EndpointSlot& slot = state.slots[*index];
    DeliveryItem item;
    item.event = EventFor(event, slot, stamped);
    item.ticket = ticket;
    item.endpoint_index = *index;
    item.endpoint_serial = slot.serial;
    item.published_us = now_us;
    item.attempts = static_cast<std::uint16_t>(targets[t].attempts);
    item.due_unix_ms = targets[t].due_unix_ms;
    staged[slot.worker].push_back(std::move(item));
  }
  // Orphans count as pending until their worker dead-letters them.
  HOOKFAN_RETURN_IF_ERROR(state.Admit(staged, targets.size(), 1, tickets));
  for (std::size_t t : orphans) {
    const std::string& id = targets[t].endpoint_id;
    HOOKFAN_CHECK(state.workers[ShardOf(id, state.workers.size())]->EnqueueCommand(
        [event, ticket, id](Worker& w) { w.FinishOrphan(event, ticket, id, "endpoint_removed"); }));
  }
  return Status::Ok();
}

Status Engine::RestoreDeadLetter(DeadLetter letter) {
  State& state = *state_;
  if (letter.event == nullptr) return Status::InvalidArgument("dead letter: no event");
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.stopping) return Status::Unavailable("engine: stopping");
  Worker* worker = state.workers[ShardOf(letter.endpoint_id, state.workers.size())].get();
  auto shared = std::make_shared<DeadLetter>(std::move(letter));
  HOOKFAN_CHECK(
      worker->EnqueueCommand([shared](Worker& w) { w.RestoreDeadLetter(std::move(*shared)); }));
  return Status::Ok();
}

namespace {

// Asks every worker for `Answer` through a command, and waits without holding any
// lock (a worker may need the engine's mutex meanwhile: an on_outcome that publishes). A
// worker that has closed answers from its final state once its thread is done.
template <typename Answer, typename Collect>
std::vector<Answer> AskEveryWorker(std::vector<std::unique_ptr<Worker>>& workers, Collect collect) {
  std::vector<std::future<Answer>> futures;
  std::vector<Worker*> closed;
  for (auto& worker : workers) {
    auto promise = std::make_shared<std::promise<Answer>>();
    futures.push_back(promise->get_future());
    // In the ordered inbox: the answer reflects every change made before the call.
    const bool posted = worker->EnqueueCommand([promise, collect](Worker& w) {
      Answer answer;
      collect(w, &answer);
      promise->set_value(std::move(answer));
    });
    if (!posted) {
      futures.pop_back();
      closed.push_back(worker.get());
    }
  }
  std::vector<Answer> answers;
  for (auto& future : futures) answers.push_back(future.get());
  for (Worker* worker : closed) {
    worker->WaitStopped();
    Answer answer;
    collect(*worker, &answer);
    answers.push_back(std::move(answer));
  }
  return answers;
}

}  // namespace

EngineStats Engine::Stats() {
  State& state = *state_;
  EngineStats stats;
  stats.total.id = "total";
  stats.published_events = state.published.load(std::memory_order_relaxed);
  stats.rejected_events = state.rejected.load(std::memory_order_relaxed);
  auto snapshots = AskEveryWorker<WorkerSnapshot>(
      state.workers, [](const Worker& w, WorkerSnapshot* out) { w.AppendStats(out); });
  for (WorkerSnapshot& snapshot : snapshots) {
    for (EndpointStats& endpoint : snapshot.endpoints)
      stats.endpoints.push_back(std::move(endpoint));
    stats.dead_letters_kept += snapshot.dead_letters_kept;
    stats.dead_letters_evicted += snapshot.dead_letters_evicted;
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
  auto lists = AskEveryWorker<std::vector<DeadLetter>>(
      state_->workers,
      [limit](const Worker& w, std::vector<DeadLetter>* out) { w.AppendDeadLetters(limit, out); });
  std::vector<DeadLetter> letters;
  for (auto& list : lists) {
    for (DeadLetter& letter : list) letters.push_back(std::move(letter));
  }
  std::sort(letters.begin(), letters.end(),
            [](const DeadLetter& a, const DeadLetter& b) { return a.unix_ms > b.unix_ms; });
  if (letters.size() > limit) letters.resize(limit);
  return letters;
}

Status Engine::Replay(std::uint64_t sequence) {
  State& state = *state_;
  const std::size_t worker_id = sequence & 0xff;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    if (state.stopping) return Status::Unavailable("engine: stopping");
  }
  if (worker_id >= state.workers.size()) {
    return Status::NotFound("dead letter " + std::to_string(sequence) + ": not found");
  }
  // The worker finds the letter, checks its endpoint, takes it out of the list and sends it,
  // all on its own thread: a second replay of the same letter finds nothing.
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  // Ordered: an enable or disable made before this call applies first.
  if (!state.workers[worker_id]->EnqueueCommand(
          [promise, sequence](Worker& w) { promise->set_value(w.ReplayDeadLetter(sequence)); })) {
    return Status::Unavailable("engine: stopping");
  }
  return future.get();
}

DrainReport Engine::DrainAndStop(DurationMs grace_ms) {
  State& state = *state_;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    if (state.stopped) return state.drain_report;
    if (!state.stopping) {
      state.stopping = true;
      // In each worker's ordered inbox, behind every delivery accepted before: all of them
      // are counted by the drain, none is left behind in the queue.
      for (auto& worker : state.workers) worker->RequestDrain(grace_ms);
    }
  }
  // The workers drain in parallel; joining them one by one waits for the slowest.
  DrainReport total;
  for (auto& worker : state.workers) {
    DrainReport r = worker->Join();
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
