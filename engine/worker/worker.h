#pragma once
// A worker: one thread, one libuv loop, a shard of the endpoints. It owns their runtime
// state, their connection pools (one HttpClient), one timing wheel for retries and token
// waits, and the round-robin dispatcher that starts attempts. Nothing here is shared with
// other threads except the two inboxes:
//   - the ordered inbox: a moodycamel ConcurrentQueue of DeliveryItem, filled in bulk by
//     Publish, and carrying the control commands that must keep their place among the
//     deliveries (add, remove, update, enable an endpoint; the drain). Every producer goes
//     through one producer token under a mutex, so the loop sees them in exactly the order
//     they were enqueued: a removal can never overtake the deliveries published before it;
//   - snapshots: closures (stats, dead letters, replay) that need no ordering.
// Both end in one coalescing uv_async_send. Once the worker closes, both refuse (false)
// instead of touching a closed uv_async.
//
// Life of a delivery here: DeliveryItem -> Delivery (pooled) -> endpoint's ready FIFO ->
// Pump() starts an Attempt when the endpoint is under its in-flight cap and has a token ->
// HttpClient -> OnAttemptDone -> ClassifyOutcome -> delivered | wheel (retry) | dead letter.
// Every way out goes through Finish, the one terminal point, exactly once.

#include <concurrentqueue/concurrentqueue.h>
#include <uv.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/base/object_pool.h"
#include "engine/base/rng.h"
#include "engine/base/timing_wheel.h"
#include "engine/hookfan.h"
#include "engine/worker/delivery.h"
#include "engine/worker/endpoint_runtime.h"
#include "engine/worker/event_ticket.h"

namespace hookfan::engine {

// Later than any real deadline: advancing the wheel here fires everything on it.
constexpr TimeMs kFarFutureMs = INT64_MAX / 4;

class Worker;
using WorkerCommand = std::function<void(Worker&)>;

// One entry of a worker's ordered inbox: an (event, endpoint) pair on its way from Publish
// to the endpoint's worker, or a control command that must run in its place among them.
struct DeliveryItem {
  EventPtr event;
  EventTicket* ticket = nullptr;           // the event-done count (owned by the deliveries)
  std::unique_ptr<WorkerCommand> command;  // set: a command, not a delivery
  std::uint32_t endpoint_index = 0;
  std::uint64_t endpoint_serial = 0;
  std::int64_t published_us = 0;
  // A restored delivery (a spool's recovery): attempts already made, and when the next is due.
  std::uint16_t attempts = 0;
  std::int64_t due_unix_ms = 0;
};

// What workers share with the engine: read-only config and the admission counter.
struct WorkerContext {
  const EngineConfig* config = nullptr;
  std::atomic<std::uint64_t>* pending = nullptr;  // admission counter, decremented on exit
};

// A worker's part of EngineStats.
struct WorkerSnapshot {
  std::vector<EndpointStats> endpoints;
  std::uint64_t dead_letters_kept = 0;
  std::uint64_t dead_letters_evicted = 0;
};

class Worker {
 public:
  Worker(int id, WorkerContext context);
  ~Worker();  // joins the thread if still running
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void Start();

  // Any thread. Items (deliveries and commands) go to the loop in bulk, in order. False
  // (nothing taken) once the worker has closed.
  bool Enqueue(DeliveryItem* items, std::size_t count);
  // Any thread: a command in its place among the deliveries.
  bool EnqueueCommand(WorkerCommand command);
  // Any thread. `command` runs on the loop thread, in posting order among posted commands,
  // without waiting for the deliveries ahead of it (snapshots). False once closed.
  bool Post(WorkerCommand command);
  // Any thread: returns once the loop thread has finished (its state is then readable).
  void WaitStopped() const { stopped_.wait(); }

  // Any thread: asks the loop (in order, after everything enqueued before) to finish due
  // work within `grace_ms`, then stop. Join waits for the thread and reports.
  void RequestDrain(DurationMs grace_ms);
  DrainReport Join();
  DrainReport DrainAndJoin(DurationMs grace_ms);

  // ---- Loop thread only (from commands). ----
  void AddEndpoint(std::unique_ptr<EndpointRuntime> endpoint);
  void RemoveEndpoint(std::uint32_t index, std::uint64_t serial,
                      std::string_view reason = "endpoint_removed");
  // Moves `fresh`'s settings into the live runtime: its deliveries stay where they are.
  void UpdateEndpoint(std::uint32_t index, std::uint64_t serial,
                      std::unique_ptr<EndpointRuntime> fresh);
  void SetEndpointEnabled(std::uint32_t index, std::uint64_t serial, bool enabled);
  void AppendStats(WorkerSnapshot* out) const;
  void AppendDeadLetters(std::size_t limit, std::vector<DeadLetter>* out) const;
  // Takes the letter out of the list and delivers its event again (Engine::Replay).
  Status ReplayDeadLetter(std::uint64_t sequence);
  void RestoreDeadLetter(DeadLetter letter);
  // A delivery whose endpoint no longer exists (a restored target): dead-lettered at once.
  void FinishOrphan(const EventPtr& event, EventTicket* ticket, const std::string& endpoint_id,
                    std::string_view reason);

  int id() const { return id_; }

 private:
  struct Attempt;

  void Run();
  static void OnAsync(uv_async_t* handle);
  static void OnWheelTimer(uv_timer_t* handle);
  static void OnPumpIdle(uv_idle_t* handle);
  static void OnGraceTimer(uv_timer_t* handle);
  static void OnRetryDue(TimerNode* node, TimeMs now);
  static void OnEndpointWake(TimerNode* node, TimeMs now);
  static void OnFlushDue(TimerNode* node, TimeMs now);
  static void OnAttemptDone(net::HttpRequest* request, const net::RequestOutcome& outcome);

  void DrainInboxes();
  void RunCommands();
  void AcceptItem(DeliveryItem& item);
  void CancelInbox();
  void EnqueueDelivery(EndpointRuntime* endpoint, Delivery* delivery);
  void GatherNotification(EndpointRuntime* endpoint, const DeliveryItem& item);
  // `now`: at once, whatever the rate limit (the endpoint is going away or stopping).
  void FlushNotifications(EndpointRuntime* endpoint, bool now = false);
  // Shutdown: the gathered notifications will not be sent; their events are not done.
  void CancelGathered(EndpointRuntime* endpoint);
  void StartDrain(DurationMs grace_ms);
  EndpointRuntime* EndpointFor(std::uint32_t index, std::uint64_t serial);
  void MakeReady(EndpointRuntime* endpoint);
  void SchedulePump();
  void Pump();
  void StartAttempt(EndpointRuntime* endpoint, Delivery* delivery, TimeMs now);
  void FinishAttempt(Attempt* attempt, const net::RequestOutcome& outcome);
  void ScheduleOnWheel(TimerNode* node, TimeMs deadline, TimerNode::Callback callback);
  void ArmWheelTimer();
  // The terminal point: every delivery ends here exactly once. Counts, keeps the dead
  // letter, reports the outcome, counts the event down and frees the delivery.
  void Finish(Delivery* delivery, Fate fate, int status, net::RequestError error,
              std::string_view reason);
  void DeadLetterDelivery(Delivery* delivery, int status, net::RequestError error,
                          std::string_view reason) {
    Finish(delivery, Fate::kDeadLettered, status, error, reason);
  }
  // Returns the letter's sequence (0: not kept).
  std::uint64_t KeepDeadLetter(const std::string& endpoint_id, const EventPtr& event, int attempts,
                               int status, std::string_view reason);
  void ReportOutcome(const std::string& endpoint_id, const Event& event, Fate fate, int attempts,
                     int status, net::RequestError error, std::string_view reason,
                     std::int64_t published_us, std::uint64_t dead_letter_sequence);
  // Why a delivery for this endpoint cannot be sent ("endpoint_disabled", the removal's
  // reason), or empty when it can.
  static std::string_view Unsendable(const EndpointRuntime* endpoint);
  void DisableEndpoint(EndpointRuntime* endpoint, std::string_view reason);
  void RetireEndpoint(EndpointRuntime* endpoint);
  void MaybeFinishDrain();
  void CloseAll();

  const int id_;
  WorkerContext context_;
  std::thread thread_;
  std::mutex join_mutex_;  // DrainAndStop may be called from several threads
  uv_loop_t loop_{};
  uv_async_t async_{};
  uv_timer_t wheel_timer_{};
  uv_idle_t pump_idle_{};
  uv_timer_t grace_timer_{};
  TimeMs wheel_timer_deadline_ = INT64_MAX;
  bool pump_scheduled_ = false;

  moodycamel::ConcurrentQueue<DeliveryItem> deliveries_;
  std::mutex inbox_mutex_;  // the producer token, the posted commands, closed_
  moodycamel::ProducerToken producer_;
  std::vector<WorkerCommand> commands_;
  bool closed_ = false;
  std::atomic<bool> has_commands_{false};
  std::atomic<bool> wake_pending_{false};
  std::promise<void> stopped_promise_;
  std::shared_future<void> stopped_;

  std::unique_ptr<net::HttpClient> client_;
  std::unique_ptr<TimingWheel> wheel_;
  std::vector<std::unique_ptr<EndpointRuntime>> endpoints_;  // by router index; sparse
  // Removed endpoints nothing points to any more, freed at the start of the next turn (a
  // caller up the stack may still hold the pointer when the last delivery goes).
  std::vector<std::unique_ptr<EndpointRuntime>> retired_;
  // Removed endpoints whose index was reused while their deliveries still drain.
  std::vector<std::unique_ptr<EndpointRuntime>> retired_later_;
  std::deque<EndpointRuntime*> round_robin_;
  ObjectPool<Delivery> delivery_pool_;
  std::vector<std::unique_ptr<Attempt>> free_attempts_;
  Rng rng_;

  std::deque<DeadLetter> dead_letters_;
  std::uint64_t next_dead_letter_sequence_;
  std::uint64_t dead_letters_evicted_ = 0;
  int in_flight_total_ = 0;  // attempts in flight, removed endpoints' included

  // Drain state.
  bool draining_ = false;
  bool closing_ = false;
  DrainReport drain_report_;
  std::uint64_t delivered_at_drain_start_ = 0;
  std::uint64_t delivered_total_ = 0;
};

}  // namespace hookfan::engine
