#pragma once
// The Redis Streams source (docs/redis_source.md): consumes `stream` as consumer `consumer`
// of the consumer group `group`, publishes each entry to the engine, and acknowledges
// (XACK, batched) an entry only when the engine's event-done signal says that every delivery
// of its event has its final outcome. Malformed entries and dead-lettered deliveries are
// written to `<stream>:dead`. At-least-once: an entry whose event never finished (this
// process died, or shutdown cancelled a delivery) stays in the group's pending list.
//
//   RedisSource source(options);                      // before Engine::Start:
//   config.on_event_done = [&](const Event& e) { source.OnEventDone(e); };
//   config.on_outcome = [&](const DeliveryOutcome& o) { source.OnOutcome(o); };
//   auto engine = Engine::Start(config);
//   source.Start(engine.get());                       // connects, reads, publishes
//   ...
//   source.StopReading();                             // at shutdown, before the drain
//   engine->DrainAndStop(grace);
//   source.Stop();                                    // sends the last acks, disconnects
//
// Threads: the source runs one libuv loop on a thread of its own (two Redis connections:
// one blocked in XREADGROUP, one for XACK, XADD and the rest). OnEventDone and OnOutcome are
// called on the engine's worker threads; everything else from the owner's thread.
// Failures (connection lost, Redis restarted, NOGROUP) are retried by itself with backoff.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "engine/hookfan.h"
#include "net/base/status.h"
#include "sources/redis/redis_source_options.h"
#include "sources/redis/redis_url.h"

namespace hookfan::sources {

// A snapshot for /healthz and /metrics.
struct RedisSourceStats {
  bool connected = false;  // both connections up and the group in place
  std::uint64_t entries_read = 0;
  std::uint64_t entries_acked = 0;
  std::uint64_t entries_malformed = 0;         // dead-lettered before publishing
  std::uint64_t dead_letters_written = 0;      // XADDs to <stream>:dead (both kinds)
  std::uint64_t entries_in_memory = 0;         // published, not yet acknowledged
  std::uint64_t reconnects = 0;
  std::uint64_t groups_recreated = 0;          // NOGROUP seen and the group made again
  std::uint64_t entries_claimed = 0;           // taken over from an idle consumer
  std::uint64_t entries_claims_exhausted = 0;  // claimed too often: dead-lettered
  std::int64_t group_lag = -1;                 // XINFO GROUPS "lag" (-1: unknown)
  std::int64_t group_pending = -1;             // XINFO GROUPS "pending": the group's PEL
  std::uint64_t redis_commands = 0;            // sent by this source
  std::string last_error;                      // empty when none since the last connect
};

class RedisSource {
 public:
  explicit RedisSource(RedisSourceOptions options);
  ~RedisSource();  // Stop()
  RedisSource(const RedisSource&) = delete;
  RedisSource& operator=(const RedisSource&) = delete;

  // Checks the options (the URL); kInvalidArgument naming the field.
  Status Validate() const;

  // Starts the loop thread and the first connection. Returns once the first attempt ended:
  // ok when connected and the group is in place, else the error (the source keeps retrying
  // in the background either way; `serve --require-source` exits on it).
  Status Start(engine::Engine* engine, DurationMs first_attempt_timeout_ms = 5000);

  // Stops reading new entries (acknowledgements and dead letters still flow).
  void StopReading();
  // Sends what is left to acknowledge (waiting up to `flush_timeout_ms` for Redis), then
  // disconnects and joins the thread. Idempotent.
  void Stop(DurationMs flush_timeout_ms = 2000);

  // Hooks for EngineConfig (worker threads). Events from other sources are ignored.
  void OnEventDone(const engine::Event& event);
  void OnOutcome(const engine::DeliveryOutcome& outcome);

  RedisSourceStats Stats() const;
  const RedisSourceOptions& options() const { return options_; }

  struct Loop;  // the loop thread's state (redis_source.cc)

 private:
  RedisSourceOptions options_;
  std::unique_ptr<Loop> loop_;
  std::thread thread_;
  bool started_ = false;
  DurationMs flush_timeout_ms_ = 2000;
};

}  // namespace hookfan::sources
