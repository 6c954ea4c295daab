#pragma once
// The Redis source's loop-thread state (RedisSource::Loop): internal to sources/redis/, not
// part of the source's API. Its methods live in redis_source_loop.cc (connecting, reading,
// publishing, acknowledging, stopping) and redis_takeover.cc (the periodic work: refreshing
// what this instance holds, claiming what dead instances left, the group's lag); the public
// methods in redis_source.cc.

#include <uv.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "sources/redis/dead_record.h"
#include "sources/redis/redis_connection.h"
#include "sources/redis/redis_source.h"
#include "sources/redis/stream_entry.h"
#include "sources/redis/stream_reply.h"

struct redisReply;

namespace hookfan::sources {

inline constexpr std::size_t kAckChunk = 1000;         // ids per XACK (and per refresh XCLAIM)
inline constexpr DurationMs kMinBackoffMs = 100;       // reconnect: 100 ms doubling to 5 s
inline constexpr DurationMs kMaxBackoffMs = 5000;
inline constexpr DurationMs kConnectTimeoutMs = 3000;  // a black-holed address fails, then retries
inline constexpr DurationMs kPublishRetryMs = 10;      // the engine's pending bound was reached
inline constexpr DurationMs kAckDelayMs = 20;         // XACK at most this late
inline constexpr DurationMs kInfoMs = 1000;            // XINFO GROUPS for lag and pending

struct RedisSource::Loop {
  explicit Loop(RedisSource* source) : owner(source), parser(source->options_.max_payload_bytes) {}

  RedisSource* owner;
  const RedisSourceOptions& options() const { return owner->options_; }
  RedisAddress address;
  std::string consumer;
  std::string dead_stream;
  engine::Engine* engine = nullptr;

  uv_loop_t loop{};
  uv_async_t wake{};
  uv_timer_t retry{};    // reconnect
  uv_timer_t again{};    // a read or a publish waiting for room in the engine
  uv_timer_t connect_deadline{};
  uv_timer_t tick{};
  uv_timer_t flush_deadline{};
  uv_timer_t ack_delay{};  // gathers acknowledgements into one XACK

  // Loop thread only.
  std::unique_ptr<RedisConnection> reader;  // blocked in XREADGROUP most of the time
  std::unique_ptr<RedisConnection> writer;  // XACK, XADD, XGROUP, XINFO
  std::vector<std::unique_ptr<RedisConnection>> closed;  // freed outside their callbacks
  bool ready = false;
  int setup_waiting = 0;
  std::uint64_t generation = 0;  // of the current connection pair
  DurationMs backoff_ms = kMinBackoffMs;
  bool reading = false;
  bool claiming = false;
  std::string claim_cursor = "0-0";
  TimeMs last_refresh = 0;
  TimeMs last_info = 0;
  // Read this consumer's own pending entries (from id 0, page by page) before new ones (">"):
  // what a previous run under the same consumer name left unacknowledged.
  bool history = true;
  std::string history_cursor = "0";
  bool stop_reading = false;
  bool stopping = false;
  bool shut_down = false;
  std::string last_logged;
  StreamEntryParser parser;
  std::deque<engine::EventPtr> backlog;               // read, refused by a full engine
  std::unordered_set<std::string> held_ids;           // published, XACK not yet confirmed
  std::vector<std::string> unsent_acks;
  std::deque<DeadRecord> unsent_dead;
  std::size_t writes_in_flight = 0;

  // Shared with the worker threads.
  std::mutex mutex;
  std::unordered_set<const engine::Event*> live;  // published by this source, not done
  std::vector<std::string> done_ids;
  std::vector<DeadRecord> dead_records;
  std::atomic<bool> stop_reading_requested{false};
  std::atomic<bool> stop_requested{false};

  // The first attempt's result, for Start.
  std::mutex first_mutex;
  std::condition_variable first_cv;
  bool first_done = false;
  Status first_status;

  // Stats (written on the loop thread, read anywhere).
  std::atomic<bool> connected{false};
  std::atomic<std::uint64_t> entries_read{0}, entries_acked{0}, entries_malformed{0},
      dead_written{0}, in_memory{0}, reconnects{0}, groups_recreated{0}, commands{0},
      entries_claimed{0}, claims_exhausted{0};
  std::atomic<std::int64_t> lag{-1}, group_pending{-1};
  mutable std::mutex error_mutex;
  std::string last_error;

  void Log(bool is_error, const std::string& line) {
    if (options().log) {
      options().log(is_error, line);
    } else {
      std::fprintf(stderr, "redis source: %s\n", line.c_str());
    }
  }
  void SetError(const std::string& error) {
    std::lock_guard<std::mutex> lock(error_mutex);
    last_error = error;
  }
  void FinishFirstAttempt(Status status) {
    std::lock_guard<std::mutex> lock(first_mutex);
    if (first_done) return;
    first_done = true;
    first_status = std::move(status);
    first_cv.notify_all();
  }
  std::string Where() const {
    return address.host + ":" + std::to_string(address.port) + " stream '" + options().stream +
           "' group '" + options().group + "'";
  }

  void Connect();

  // From id 0, with MKSTREAM: a stream that lost its group (a restart without persistence)
  // lost its entries too, so everything in it now is new.
  void CreateGroup(std::uint64_t g, bool then_ready);

  void SetupStepDone();

  void Fail(const std::string& why);

  void MaybeRead();

  void OnEntries(redisReply* reply);

  void Publish(std::vector<engine::EventPtr> batch);

  void RetryBacklog();

  void DeadLetterMalformed(const StreamEntryView& entry, const std::string& reason);

  void OnWake();

  void FlushOutbound();
  void FlushAcks();  // now, whatever their number

  void Tick();

  // --- takeover (docs/redis_source.md, "Several instances") ------------------------------
  DurationMs ClaimIdle() const {
    return options().claim_idle_ms > 0 ? options().claim_idle_ms : 60 * kSecondMs;
  }

  // The owner keeps the idle time of what it holds (pending retries included) far below
  // claim_idle with XCLAIM to itself ... JUSTID, which does not count as a delivery, so no
  // other instance takes over the entries of a live one.
  void Refresh();

  // What stayed idle for claim_idle in any consumer's pending list: its owner died. Claimed
  // here (XAUTOCLAIM counts a delivery each time), then published unless it was claimed more
  // than max_claims times (XPENDING tells the count): an entry that kills its owners.
  void Claim();

  void OnClaimed(redisReply* reply);

  std::uint64_t CommandsSent();
  std::uint64_t retired_commands = 0;

  void MaybeShutdown();

  void Shutdown();
};

}  // namespace hookfan::sources
