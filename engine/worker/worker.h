#pragma once
// A worker: one thread, one libuv loop, a shard of the endpoints. It owns their runtime
// state, their connection pools (one HttpClient), one timing wheel for retries and token
// waits, and the round-robin dispatcher that starts attempts. Nothing here is shared with
// other threads except the two inboxes:
//   - deliveries: a moodycamel ConcurrentQueue of DeliveryItem, filled in bulk by Publish;
//   - commands: closures run on the loop thread (add/remove endpoint, snapshots, drain).
// Both end in one coalescing uv_async_send.
//
// Life of a delivery here: DeliveryItem -> Delivery (pooled) -> endpoint's ready FIFO ->
// Pump() starts an Attempt when the endpoint is under its in-flight cap and has a token ->
// HttpClient -> OnAttemptDone -> ClassifyOutcome -> delivered | wheel (retry) | dead letter.

#include <concurrentqueue/concurrentqueue.h>
#include <uv.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
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

namespace hookfan::engine {

// Later than any real deadline: advancing the wheel here fires everything on it.
constexpr TimeMs kFarFutureMs = INT64_MAX / 4;

// One (event, endpoint) pair on its way from Publish to the endpoint's worker.
struct DeliveryItem {
  EventPtr event;
  std::uint32_t endpoint_index = 0;
  std::uint64_t endpoint_serial = 0;
  std::int64_t published_us = 0;
};

// What workers share with the engine: read-only config and a few thread-safe hooks.
struct WorkerContext {
  const EngineConfig* config = nullptr;
  std::atomic<std::uint64_t>* pending = nullptr;  // admission counter, decremented on exit
  std::function<void(const std::string& endpoint_id)> on_endpoint_disabled;
};

class Worker {
 public:
  Worker(int id, WorkerContext context);
  ~Worker();  // joins the thread if still running
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void Start();

  // Any thread. Items go to the loop in bulk.
  void EnqueueDeliveries(DeliveryItem* items, std::size_t count);
  // Any thread. `command` runs on the loop thread, in posting order.
  void Post(std::function<void(Worker&)> command);

  // Any thread: asks the loop to finish due work within `grace_ms`, then stop; waits for
  // the thread and returns what happened.
  DrainReport DrainAndJoin(DurationMs grace_ms);

  // ---- Loop thread only (from commands). ----
  void AddEndpoint(std::unique_ptr<EndpointRuntime> endpoint);
  void RemoveEndpoint(std::uint32_t index, std::uint64_t serial,
                      std::string_view reason = "endpoint_removed");
  // Moves `fresh`'s settings into the live runtime: its deliveries stay where they are.
  void UpdateEndpoint(std::uint32_t index, std::uint64_t serial,
                      std::unique_ptr<EndpointRuntime> fresh);
  void SetEndpointEnabled(std::uint32_t index, std::uint64_t serial, bool enabled);
  void AppendStats(std::vector<EndpointStats>* out) const;
  void AppendDeadLetters(std::size_t limit, std::vector<DeadLetter>* out) const;
  const DeadLetter* FindDeadLetter(std::uint64_t sequence) const;

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
  void EnqueueDelivery(EndpointRuntime* endpoint, Delivery* delivery);
  void GatherNotification(EndpointRuntime* endpoint, const DeliveryItem& item);
  void FlushNotifications(EndpointRuntime* endpoint);
  EndpointRuntime* EndpointFor(std::uint32_t index, std::uint64_t serial);
  void MakeReady(EndpointRuntime* endpoint);
  void SchedulePump();
  void Pump();
  void StartAttempt(EndpointRuntime* endpoint, Delivery* delivery, TimeMs now);
  void FinishAttempt(Attempt* attempt, const net::RequestOutcome& outcome);
  void ScheduleOnWheel(TimerNode* node, TimeMs deadline, TimerNode::Callback callback);
  void ArmWheelTimer();
  void Deliver(Delivery* delivery, int status);
  void DeadLetterDelivery(Delivery* delivery, int status, net::RequestError error,
                          std::string_view reason);
  void Report(Delivery* delivery, DeliveryOutcome::Kind kind, int status, net::RequestError error,
              std::string_view reason);
  void FreeDelivery(Delivery* delivery);
  // `tell_engine`: false when the engine asked (its router is already updated, and it may
  // hold its mutex while waiting on this worker: the hook would deadlock).
  void DisableEndpoint(EndpointRuntime* endpoint, std::string_view reason, bool tell_engine = true);
  void RetireEndpoint(EndpointRuntime* endpoint);
  void MaybeFinishDrain();
  void CloseAll();

  const int id_;
  WorkerContext context_;
  std::thread thread_;
  uv_loop_t loop_{};
  uv_async_t async_{};
  uv_timer_t wheel_timer_{};
  uv_idle_t pump_idle_{};
  uv_timer_t grace_timer_{};
  TimeMs wheel_timer_deadline_ = INT64_MAX;
  bool pump_scheduled_ = false;

  moodycamel::ConcurrentQueue<DeliveryItem> deliveries_;
  std::mutex commands_mutex_;  // control path only; deliveries never take it
  std::vector<std::function<void(Worker&)>> commands_;
  std::atomic<bool> has_commands_{false};
  std::atomic<bool> wake_pending_{false};

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

  // Drain state.
  bool draining_ = false;
  bool closing_ = false;
  DrainReport drain_report_;
  std::uint64_t delivered_at_drain_start_ = 0;
  std::uint64_t delivered_total_ = 0;
};

}  // namespace hookfan::engine
