#pragma once
// The embedding API: a host program runs hookfan's engine in-process.
//
//   hookfan::engine::EngineConfig config;
//   config.workers = 2;
//   config.on_outcome = [](const DeliveryOutcome& o) { ... };   // runs on a worker thread
//   auto engine = hookfan::engine::Engine::Start(std::move(config));
//   if (!engine.ok()) { fprintf(stderr, "%s\n", engine.status().ToString().c_str()); ... }
//   (*engine)->AddEndpoint(endpoint_config);                    // any thread
//   (*engine)->Publish(MakeEvent("order.paid", R"({"id":42})")); // any thread
//   DrainReport report = (*engine)->DrainAndStop(/*grace_ms=*/5000);
//
// Threads: Start creates `workers` threads, each running one libuv loop that owns a shard of
// the endpoints (by a hash of the endpoint id), their connection pools, queues and timers.
// Every public method may be called from any thread except a worker thread (callbacks must
// not call back into the engine, except Publish). Publish never blocks on the network.
//
// Delivery: at-least-once. Each matching endpoint gets one delivery per event; the payload
// is shared, not copied. Failed attempts are retried on the endpoint's retry policy;
// after the last one the delivery is dead-lettered (kept, listed, replayable).

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/base/latency_histogram.h"
#include "engine/endpoints/endpoint_config.h"
#include "engine/events/event.h"
#include "net/base/status.h"
#include "net/client/client_options.h"
#include "net/client/request_outcome.h"

namespace hookfan::engine {

class Worker;
class EngineRegistry;

// How a delivery ended. Every accepted delivery ends exactly once, through one function of
// its worker (Worker::Finish, docs/architecture.md).
enum class Fate : unsigned char {
  kDelivered,     // a 2xx
  kDeadLettered,  // retries exhausted, a permanent failure, endpoint disabled, removed or
                  // deleted, queue full: kept in the dead-letter list, replayable
  kCancelled,     // shutdown stopped it first: not final (no on_outcome, the event is not
                  // done); counted in DrainReport, and a durable spool sends it again
};

// A delivery's final fate, reported once per (event, endpoint).
struct DeliveryOutcome {
  enum class Kind : unsigned char { kDelivered, kDeadLettered };
  Kind kind;
  const std::string& endpoint_id;
  // The event as this endpoint got it: for an endpoint with a received_field, a copy (same
  // id) whose payload carries the stamp; compare events by id, not by address.
  const Event& event;
  int attempts;                  // attempts made, the last one included
  int last_status;               // HTTP status of the last attempt, 0 if none
  net::RequestError last_error;  // transport error of the last attempt
  std::string_view reason;       // "delivered", "http_500", "endpoint_disabled", ...
  std::int64_t latency_us;       // from publish to the final outcome
  Fate fate;                     // kDelivered or kDeadLettered (the same as `kind`)
  // The dead letter's sequence (for Replay, and for a spool to restore it under the same
  // one); 0 when delivered or when the list keeps nothing (max_dead_letters = 0).
  std::uint64_t dead_letter_sequence = 0;
};

// One finished HTTP attempt of a delivery (every attempt, not only the last): what an
// attempt log needs (admin12, serve's GET /v1/endpoints/{id}/attempts). Not called for an
// attempt cancelled by shutdown.
struct AttemptRecord {
  const std::string& endpoint_id;
  const Event& event;
  int attempt;               // 1 for the first
  int status;                // HTTP status, 0 when no response
  net::RequestError error;   // transport error, kNone when a response came
  std::string_view detail;   // what the error was about (address and rule, TLS reason), or ""
  std::int64_t unix_ms;      // wall clock when it started
  std::int64_t duration_us;  // start to response (or error)
};

// A retry put on the timing wheel: what a durable spool records so that the attempt count
// and the due time survive a restart.
struct RetryScheduled {
  const std::string& endpoint_id;
  const Event& event;
  int attempts;              // made so far
  std::int64_t due_unix_ms;  // wall clock when the next attempt is due
};

struct DeadLetter;

struct EngineConfig {
  int workers = 0;                                  // 0: one per core
  double retry_scale = 1.0;                         // multiplies every retry delay (tests: 0.001)
  std::size_t max_pending_deliveries = 20'000'000;  // beyond it Publish answers exhausted
  std::size_t max_dead_letters = 100'000;           // kept per worker; oldest dropped first
  std::uint64_t seed = 0;                           // jitter; 0: random
  net::ClientOptions http;
  // Called on a worker thread for every final outcome. Must be quick and thread-safe.
  std::function<void(const DeliveryOutcome&)> on_outcome;
  // Called on a worker thread after every attempt. Must be quick and thread-safe.
  std::function<void(const AttemptRecord&)> on_attempt;
  // The event-done signal: called exactly once per published event, when every delivery it
  // fanned out to has its final outcome (after their on_outcome calls), so a durable spool
  // or a broker can acknowledge it there. Never called for an event one of whose deliveries
  // was cancelled by shutdown (it is not done). A notification batch (Pryv) counts for each
  // event it gathered. Runs on a worker thread, or on the publishing thread for an event that
  // matched no endpoint. Must be quick and thread-safe. Costs one small allocation per event
  // when set, nothing when not.
  std::function<void(const Event&)> on_event_done;
  // Called on a worker thread whenever a failed delivery is put on the wheel for a retry.
  std::function<void(const RetryScheduled&)> on_retry_scheduled;
  // Called on a worker thread when a full dead-letter list (max_dead_letters) drops its
  // oldest letter, or a restored one finds no room: a durable spool forgets it too.
  std::function<void(const DeadLetter&)> on_dead_letter_evicted;
};

struct EndpointStats {
  std::string id;
  bool enabled = true;
  std::uint64_t delivered = 0;
  std::uint64_t failed_attempts = 0;
  std::uint64_t dead_lettered = 0;
  std::uint64_t pending = 0;          // queued + waiting for a retry + in flight
  std::uint64_t pending_retries = 0;  // waiting on the timing wheel
  std::uint64_t in_flight = 0;
  int last_status = 0;
  std::int64_t last_attempt_unix_ms = 0;
  // The latest failed attempt: "http_503", "connect_refused", "address_not_allowed:
  // 127.0.0.1 refused by loopback 127.0.0.0/8"; kept after later successes (compare the
  // times). Empty until an attempt fails.
  std::string last_error;
  std::int64_t last_error_unix_ms = 0;
  LatencyHistogram latency_us;  // publish to success
};

struct EngineStats {
  std::vector<EndpointStats> endpoints;
  EndpointStats total;  // id "total"
  std::uint64_t published_events = 0;
  std::uint64_t rejected_events = 0;       // refused by admission control
  std::uint64_t dead_letters_kept = 0;     // in the list now (max_dead_letters per worker)
  std::uint64_t dead_letters_evicted = 0;  // the oldest, dropped from a full list
};

struct DeadLetter {
  std::uint64_t sequence;  // for Replay
  std::string endpoint_id;
  EventPtr event;
  int attempts;
  int last_status;
  std::string reason;
  std::int64_t unix_ms;
};

struct DrainReport {
  std::uint64_t delivered_during_drain = 0;
  std::uint64_t cancelled_in_flight = 0;
  std::uint64_t still_pending = 0;  // queued or waiting for a retry when the grace ran out
  bool graceful = true;             // everything due finished within the grace period
};

class Engine {
 public:
  static StatusOr<std::unique_ptr<Engine>> Start(EngineConfig config);
  ~Engine();  // DrainAndStop(0) if still running
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  Status AddEndpoint(const EndpointConfig& config);
  Status RemoveEndpoint(std::string_view id);
  Status SetEndpointEnabled(std::string_view id, bool enabled);
  // Like RemoveEndpoint, with the dead-letter reason of what was still queued for it
  // ("endpoint_deleted" for serve's DELETE).
  Status RemoveEndpoint(std::string_view id, std::string_view reason);
  // Changes an endpoint in place (found by config.id; its owner cannot change): deliveries
  // queued, waiting for a retry or in flight are kept and use the new settings (URL,
  // signing, retry policy, limits, filters) from their next attempt. The enabled state and
  // the counters stay. Errors name the field, as for AddEndpoint.
  Status UpdateEndpoint(const EndpointConfig& config);

  // Fans the event out. kInvalidArgument when its id or type breaks the rule of
  // ValidateEventId / ValidateEventType (engine/events/event_id.h), kResourceExhausted when
  // the pending limit is reached (nothing is enqueued; the caller should answer 503 with
  // Retry-After), kUnavailable when stopping.
  Status Publish(EventPtr event);
  // All or nothing: either every event is accepted or none is.
  Status PublishBatch(std::span<const EventPtr> events);

  // The ids of the endpoints `event` would be delivered to if published now (a durable spool
  // records them with the event before accepting it).
  std::vector<std::string> MatchEndpoints(const Event& event);
  // Publishes `event` to exactly these endpoints, each with its attempts so far and the
  // wall-clock time its next attempt is due (0 or past: at once). A target whose endpoint
  // no longer exists is dead-lettered ("endpoint_removed"), so the event still finishes.
  // For a durable spool's recovery.
  struct Target {
    std::string endpoint_id;
    int attempts = 0;
    std::int64_t due_unix_ms = 0;
  };
  Status PublishTargets(EventPtr event, std::span<const Target> targets);

  // A consistent snapshot. While DrainAndStop runs, a worker that has stopped answers from
  // its final state (waiting for it to stop if it is closing).
  EngineStats Stats();
  // Newest first, at most `limit`.
  std::vector<DeadLetter> DeadLetters(std::size_t limit = 1000);
  // Takes a dead letter out of the list and delivers its event again to its endpoint (the
  // current endpoint of that id). kNotFound when no such letter (a second replay of the same
  // letter), kFailedPrecondition when the endpoint is gone or disabled, kUnavailable while
  // stopping.
  Status Replay(std::uint64_t sequence);
  // Puts a dead letter back in its worker's list (a durable spool's recovery); a zero
  // sequence gets a fresh one.
  Status RestoreDeadLetter(DeadLetter letter);

  // Stops intake, lets due work finish for up to `grace_ms`, cancels the rest, joins the
  // workers. Idempotent.
  DrainReport DrainAndStop(DurationMs grace_ms);

  int worker_count() const;
  // Deliveries not yet final (queued, waiting for a retry, in flight). Cheap: one atomic.
  std::uint64_t PendingDeliveries() const;

 private:
  explicit Engine(EngineConfig config);
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace hookfan::engine
