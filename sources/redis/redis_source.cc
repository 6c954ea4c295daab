#include "sources/redis/redis_source.h"

#include <hiredis/hiredis.h>
#include <unistd.h>
#include <uv.h>

#include <cstdio>
#include <deque>

#include "net/base/check.h"
#include "sources/redis/redis_connection.h"
#include "sources/redis/stream_entry.h"
#include "sources/redis/stream_reply.h"

namespace hookfan::sources {
namespace {

constexpr std::size_t kAckChunk = 1000;        // ids per XACK
constexpr DurationMs kMinBackoffMs = 100;      // reconnect: 100 ms doubling to 5 s
constexpr DurationMs kMaxBackoffMs = 5000;
constexpr DurationMs kConnectTimeoutMs = 3000;  // a black-holed address fails, then retries
constexpr DurationMs kPublishRetryMs = 10;     // the engine's pending bound was reached
constexpr DurationMs kTickMs = 1000;           // XINFO GROUPS for lag and pending

// A dead letter to write to <stream>:dead: a malformed entry (acknowledged once written) or
// a delivery the engine dead-lettered (its entry is acknowledged with the event).
struct DeadRecord {
  std::vector<std::string> fields;  // name, value, name, value, ...
  std::string ack_entry_id;         // malformed: acknowledge once the XADD succeeded
};

}  // namespace

std::string DefaultConsumerName() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, 8, "host");
  return std::string(host) + "-" + std::to_string(::getpid());
}

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

  // Loop thread only.
  std::unique_ptr<RedisConnection> reader;  // blocked in XREADGROUP most of the time
  std::unique_ptr<RedisConnection> writer;  // XACK, XADD, XGROUP, XINFO
  std::vector<std::unique_ptr<RedisConnection>> closed;  // freed outside their callbacks
  bool ready = false;
  int setup_waiting = 0;
  std::uint64_t generation = 0;  // of the current connection pair
  DurationMs backoff_ms = kMinBackoffMs;
  bool reading = false;
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
      dead_written{0}, in_memory{0}, reconnects{0}, groups_recreated{0}, commands{0};
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

  // --- connecting -----------------------------------------------------------------------
  void Connect() {
    for (auto& old : closed) old.reset();
    closed.clear();
    ++generation;
    const std::uint64_t g = generation;
    ready = false;
    reading = false;
    history = true;
    history_cursor = "0";
    setup_waiting = 2;  // the reader's PING and the writer's XGROUP CREATE
    auto on_connected = [this, g](Status status) {
      if (g == generation && !status.ok()) Fail("cannot connect: " + status.message());
    };
    auto on_lost = [this, g](const std::string& why) {
      if (g == generation) Fail("connection lost: " + why);
    };
    reader = std::make_unique<RedisConnection>(&loop, on_connected, on_lost);
    writer = std::make_unique<RedisConnection>(&loop, on_connected, on_lost);
    for (RedisConnection* c : {reader.get(), writer.get()}) {
      if (Status s = c->Connect(address); !s.ok()) {
        Fail(s.message());
        return;
      }
    }
    uv_timer_start(&connect_deadline, [](uv_timer_t* t) {
      auto* self = static_cast<Loop*>(t->data);
      if (!self->ready) self->Fail("no answer within 3 s (connect timeout)");
    }, kConnectTimeoutMs, 0);
    for (RedisConnection* c : {reader.get(), writer.get()}) {
      if (!address.password.empty()) {
        std::vector<std::string> auth = {"AUTH"};
        if (!address.username.empty()) auth.push_back(address.username);
        auth.push_back(address.password);
        c->Command(auth, [this, g](redisReply* reply) {
          if (g == generation && ReplyIsError(reply)) {
            Fail("AUTH refused: " + std::string(ReplyText(reply)) +
                 " (check the password in source.redis.url)");
          }
        });
      }
      if (address.db != 0) {
        c->Command({"SELECT", std::to_string(address.db)}, [this, g](redisReply* reply) {
          if (g == generation && ReplyIsError(reply)) {
            Fail("SELECT " + std::to_string(address.db) + ": " + std::string(ReplyText(reply)));
          }
        });
      }
    }
    reader->Command({"PING"}, [this, g](redisReply* reply) {
      if (g == generation && reply != nullptr && !ReplyIsError(reply)) SetupStepDone();
    });
    CreateGroup(g, /*then_ready=*/true);
  }

  // From id 0, with MKSTREAM: a stream that lost its group (a restart without persistence)
  // lost its entries too, so everything in it now is new.
  void CreateGroup(std::uint64_t g, bool then_ready) {
    writer->Command(
        {"XGROUP", "CREATE", options().stream, options().group, "0", "MKSTREAM"},
        [this, g, then_ready](redisReply* reply) {
          if (g != generation || reply == nullptr) return;
          const std::string_view text = ReplyText(reply);
          if (ReplyIsError(reply) && !text.starts_with("BUSYGROUP")) {
            if (text.starts_with("WRONGTYPE")) {
              Fail("key '" + options().stream + "' exists and is not a stream (" +
                   std::string(text) + "); choose another source.redis.stream");
            } else if (!text.starts_with("NOAUTH") && !text.starts_with("WRONGPASS")) {
              Fail("XGROUP CREATE: " + std::string(text));
            } else {
              Fail("authentication needed: " + std::string(text) +
                   " (give the password in source.redis.url)");
            }
            return;
          }
          if (!ReplyIsError(reply) && !then_ready) {
            groups_recreated.fetch_add(1, std::memory_order_relaxed);
            Log(true, "group '" + options().group + "' was missing (NOGROUP): recreated from id 0");
          }
          if (then_ready) {
            SetupStepDone();
          } else {
            history = true;
            history_cursor = "0";
            MaybeRead();
          }
        });
  }

  void SetupStepDone() {
    if (--setup_waiting > 0) return;
    ready = true;
    connected.store(true);
    uv_timer_stop(&connect_deadline);
    backoff_ms = kMinBackoffMs;
    SetError("");
    if (!last_logged.empty() || reconnects.load() == 0) {
      Log(false, "connected to " + Where() + " as consumer '" + consumer + "'");
    }
    last_logged.clear();
    FinishFirstAttempt(Status::Ok());
    FlushOutbound();
    if (!backlog.empty()) {
      RetryBacklog();
    } else {
      MaybeRead();
    }
  }

  void Fail(const std::string& why) {
    if (shut_down) return;
    ++generation;  // late callbacks of this pair are ignored
    ready = false;
    reading = false;
    connected.store(false);
    uv_timer_stop(&connect_deadline);
    SetError(why);
    if (why != last_logged) Log(true, Where() + ": " + why + "; retrying in the background");
    last_logged = why;
    FinishFirstAttempt(Status::Unavailable("redis " + Where() + ": " + why));
    for (auto* c : {&reader, &writer}) {
      if (*c) {
        retired_commands += (*c)->commands_sent();
        (*c)->Close();
        closed.push_back(std::move(*c));
      }
    }
    writes_in_flight = 0;  // their callbacks put what they carried back (nullptr replies)
    if (stopping) {
      Shutdown();
      return;
    }
    reconnects.fetch_add(1, std::memory_order_relaxed);
    uv_timer_start(&retry, [](uv_timer_t* t) { static_cast<Loop*>(t->data)->Connect(); },
                   backoff_ms, 0);
    backoff_ms = std::min(backoff_ms * 2, kMaxBackoffMs);
  }

  // --- reading and publishing -----------------------------------------------------------
  void MaybeRead() {
    if (!ready || reading || stop_reading || !backlog.empty()) return;
    if (held_ids.size() >= options().max_entries_in_memory) return;  // resumes on acks
    if (options().max_pending_deliveries > 0 &&
        engine->PendingDeliveries() >= options().max_pending_deliveries) {
      uv_timer_start(&again, [](uv_timer_t* t) { static_cast<Loop*>(t->data)->MaybeRead(); },
                     kPublishRetryMs, 0);
      return;
    }
    reading = true;
    const std::uint64_t g = generation;
    std::vector<std::string> args = {"XREADGROUP", "GROUP", options().group, consumer, "COUNT",
                                     std::to_string(options().batch)};
    if (!history) {
      args.push_back("BLOCK");
      args.push_back(std::to_string(options().block_ms));
    }
    args.insert(args.end(), {"STREAMS", options().stream, history ? history_cursor : ">"});
    reader->Command(args, [this, g](redisReply* reply) {
      if (g != generation || reply == nullptr) return;
      reading = false;
      OnEntries(reply);
    });
  }

  void OnEntries(redisReply* reply) {
    if (ReplyIsError(reply)) {
      const std::string text(ReplyText(reply));
      if (text.starts_with("NOGROUP")) {
        CreateGroup(generation, /*then_ready=*/false);
      } else {
        SetError("XREADGROUP: " + text);
        Log(true, "XREADGROUP: " + text);
        uv_timer_start(&again, [](uv_timer_t* t) { static_cast<Loop*>(t->data)->MaybeRead(); },
                       kTickMs, 0);
      }
      return;
    }
    std::vector<StreamEntryView> entries;
    if (!ReadStreamEntries(reply, &entries)) {
      Fail("XREADGROUP answered an unexpected reply shape");
      return;
    }
    if (history) {
      if (entries.empty()) {
        history = false;
      } else {
        history_cursor = std::string(entries.back().id);
      }
    }
    std::vector<engine::EventPtr> batch;
    batch.reserve(entries.size());
    for (const StreamEntryView& entry : entries) {
      std::string id(entry.id);
      if (held_ids.contains(id)) continue;  // re-read from the pending list, still in flight
      if (entry.deleted) {  // XDELed while pending: nothing left to deliver
        unsent_acks.push_back(std::move(id));
        continue;
      }
      auto event = parser.Parse(entry.id, entry.fields);
      if (!event.ok()) {
        DeadLetterMalformed(entry, event.status().message());
        continue;
      }
      batch.push_back(std::move(*event));
    }
    Publish(std::move(batch));
    FlushOutbound();
    MaybeRead();
  }

  void Publish(std::vector<engine::EventPtr> batch) {
    if (batch.empty()) return;
    {
      std::lock_guard<std::mutex> lock(mutex);
      for (const auto& event : batch) live.insert(event.get());
    }
    for (const auto& event : batch) {
      held_ids.insert(static_cast<const RedisEvent&>(*event).entry_id);
    }
    in_memory.store(held_ids.size(), std::memory_order_relaxed);
    // Not under `mutex`: an event that matches no endpoint is done inside PublishBatch.
    Status published = engine->PublishBatch(batch);
    if (published.ok()) {
      entries_read.fetch_add(batch.size(), std::memory_order_relaxed);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      for (const auto& event : batch) live.erase(event.get());
    }
    for (const auto& event : batch) held_ids.erase(static_cast<const RedisEvent&>(*event).entry_id);
    in_memory.store(held_ids.size(), std::memory_order_relaxed);
    if (published.code() == StatusCode::kResourceExhausted) {
      // Back-pressure: keep them, stop reading, try again shortly.
      backlog.insert(backlog.end(), batch.begin(), batch.end());
      uv_timer_start(&again, [](uv_timer_t* t) { static_cast<Loop*>(t->data)->RetryBacklog(); },
                     kPublishRetryMs, 0);
    }
    // kUnavailable: the engine is stopping; the entries stay pending in Redis.
  }

  void RetryBacklog() {
    if (backlog.empty()) return MaybeRead();
    std::vector<engine::EventPtr> batch;
    while (!backlog.empty() && batch.size() < options().batch) {
      batch.push_back(std::move(backlog.front()));
      backlog.pop_front();
    }
    Publish(std::move(batch));
    if (backlog.empty()) MaybeRead();
  }

  // --- acknowledgements and dead letters ------------------------------------------------
  void DeadLetterMalformed(const StreamEntryView& entry, const std::string& reason) {
    entries_malformed.fetch_add(1, std::memory_order_relaxed);
    DeadRecord record;
    record.fields = {"kind", "malformed", "entry_id", std::string(entry.id), "reason", reason};
    for (const EntryField& field : entry.fields) {
      record.fields.push_back("field:" + std::string(field.name));
      record.fields.emplace_back(field.value);
    }
    record.ack_entry_id = std::string(entry.id);
    unsent_dead.push_back(std::move(record));
  }

  void OnWake() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (unsent_acks.empty()) {
        unsent_acks.swap(done_ids);
      } else {
        unsent_acks.insert(unsent_acks.end(), done_ids.begin(), done_ids.end());
        done_ids.clear();
      }
      for (DeadRecord& record : dead_records) unsent_dead.push_back(std::move(record));
      dead_records.clear();
    }
    if (stop_reading_requested.load()) stop_reading = true;
    if (stop_requested.load() && !stopping) {
      stopping = true;
      stop_reading = true;
      uv_timer_start(&flush_deadline,
                     [](uv_timer_t* t) { static_cast<Loop*>(t->data)->Shutdown(); },
                     owner->flush_timeout_ms_, 0);
    }
    FlushOutbound();
    MaybeShutdown();
  }

  void FlushOutbound() {
    if (!ready) return;
    const std::uint64_t g = generation;
    while (!unsent_dead.empty()) {
      DeadRecord record = std::move(unsent_dead.front());
      unsent_dead.pop_front();
      std::vector<std::string> args = {"XADD", dead_stream, "MAXLEN", "~",
                                       std::to_string(options().dead_max_entries), "*"};
      args.insert(args.end(), record.fields.begin(), record.fields.end());
      ++writes_in_flight;
      writer->Command(args, [this, g, record = std::move(record)](redisReply* reply) mutable {
        if (g != generation) {
          if (reply == nullptr) unsent_dead.push_back(std::move(record));  // written again
          return;
        }
        --writes_in_flight;
        if (reply == nullptr) {
          unsent_dead.push_back(std::move(record));
        } else if (ReplyIsError(reply)) {
          Log(true, "XADD " + dead_stream + ": " + std::string(ReplyText(reply)));
          if (!record.ack_entry_id.empty()) unsent_acks.push_back(record.ack_entry_id);
        } else {
          dead_written.fetch_add(1, std::memory_order_relaxed);
          if (!record.ack_entry_id.empty()) unsent_acks.push_back(record.ack_entry_id);
          FlushOutbound();
        }
        MaybeShutdown();
      });
    }
    while (!unsent_acks.empty()) {
      std::vector<std::string> args = {"XACK", options().stream, options().group};
      const std::size_t n = std::min(unsent_acks.size(), kAckChunk);
      auto first = unsent_acks.end() - static_cast<std::ptrdiff_t>(n);
      args.insert(args.end(), std::make_move_iterator(first),
                  std::make_move_iterator(unsent_acks.end()));
      unsent_acks.erase(first, unsent_acks.end());
      ++writes_in_flight;
      writer->Command(args, [this, g, args](redisReply* reply) {
        const bool current = g == generation;
        if (current) --writes_in_flight;
        if (reply == nullptr) {  // lost before the answer: acknowledged after reconnecting
          unsent_acks.insert(unsent_acks.end(), args.begin() + 3, args.end());
          return;
        }
        if (ReplyIsError(reply) && !ReplyText(reply).starts_with("NOGROUP")) {
          Log(true, "XACK: " + std::string(ReplyText(reply)));
          unsent_acks.insert(unsent_acks.end(), args.begin() + 3, args.end());
          return;
        }
        // NOGROUP: the group and its pending list are gone; nothing is left to acknowledge.
        for (auto it = args.begin() + 3; it != args.end(); ++it) held_ids.erase(*it);
        if (reply->type == REDIS_REPLY_INTEGER) {
          entries_acked.fetch_add(static_cast<std::uint64_t>(reply->integer));
        }
        in_memory.store(held_ids.size());  // after the count: a reader that sees 0 sees it
        if (current) {
          MaybeRead();
          MaybeShutdown();
        }
      });
    }
  }

  void Tick() {
    commands.store(CommandsSent(), std::memory_order_relaxed);
    if (!ready) return;
    const std::uint64_t g = generation;
    writer->Command({"XINFO", "GROUPS", options().stream}, [this, g](redisReply* reply) {
      if (g != generation || reply == nullptr) return;
      GroupInfo info;
      if (ReadGroupInfo(reply, options().group, &info)) {
        lag.store(info.lag, std::memory_order_relaxed);
        group_pending.store(info.pending, std::memory_order_relaxed);
      }
    });
  }

  std::uint64_t CommandsSent() {
    std::uint64_t n = retired_commands;
    for (auto* c : {reader.get(), writer.get()}) {
      if (c != nullptr) n += c->commands_sent();
    }
    return n;
  }
  std::uint64_t retired_commands = 0;

  // --- stopping --------------------------------------------------------------------------
  void MaybeShutdown() {
    if (!stopping || shut_down) return;
    if (!unsent_acks.empty() || !unsent_dead.empty() || writes_in_flight > 0) return;
    Shutdown();
  }

  void Shutdown() {
    if (shut_down) return;
    shut_down = true;
    ++generation;
    ready = false;
    connected.store(false);
    for (auto* c : {reader.get(), writer.get()}) {
      if (c != nullptr) c->Close();
    }
    for (uv_timer_t* t : {&retry, &again, &connect_deadline, &tick, &flush_deadline}) {
      uv_timer_stop(t);
      uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&wake), nullptr);
  }
};

RedisSource::RedisSource(RedisSourceOptions options)
    : options_(std::move(options)), loop_(std::make_unique<Loop>(this)) {}

RedisSource::~RedisSource() { Stop(); }

Status RedisSource::Validate() const {
  auto address = ParseRedisUrl(options_.url, "source.redis.url");
  if (!address.ok()) return address.status();
  if (options_.stream.empty()) return Status::InvalidArgument("source.redis.stream: must not be empty");
  if (options_.group.empty()) return Status::InvalidArgument("source.redis.group: must not be empty");
  return Status::Ok();
}

Status RedisSource::Start(engine::Engine* engine, DurationMs first_attempt_timeout_ms) {
  HOOKFAN_CHECK(!started_);
  HOOKFAN_RETURN_IF_ERROR(Validate());
  Loop& l = *loop_;
  l.address = *ParseRedisUrl(options_.url, "source.redis.url");
  l.consumer = options_.consumer.empty() ? DefaultConsumerName() : options_.consumer;
  l.dead_stream = options_.stream + ":dead";
  l.engine = engine;
  HOOKFAN_CHECK(uv_loop_init(&l.loop) == 0);
  uv_async_init(&l.loop, &l.wake, [](uv_async_t* a) { static_cast<Loop*>(a->data)->OnWake(); });
  l.wake.data = &l;
  for (uv_timer_t* t : {&l.retry, &l.again, &l.connect_deadline, &l.tick, &l.flush_deadline}) {
    uv_timer_init(&l.loop, t);
    t->data = &l;
  }
  uv_timer_start(&l.tick, [](uv_timer_t* t) { static_cast<Loop*>(t->data)->Tick(); }, kTickMs,
                 kTickMs);
  started_ = true;
  thread_ = std::thread([&l] {
    l.Connect();
    uv_run(&l.loop, UV_RUN_DEFAULT);
    l.closed.clear();
    l.reader.reset();
    l.writer.reset();
    uv_run(&l.loop, UV_RUN_DEFAULT);  // the adapters' poll handles close
    uv_loop_close(&l.loop);
  });
  std::unique_lock<std::mutex> lock(l.first_mutex);
  l.first_cv.wait_for(lock, std::chrono::milliseconds(first_attempt_timeout_ms),
                      [&] { return l.first_done; });
  if (!l.first_done) return Status::Unavailable("redis " + l.Where() + ": no answer yet");
  return l.first_status;
}

void RedisSource::StopReading() {
  if (!started_) return;
  loop_->stop_reading_requested.store(true);
  uv_async_send(&loop_->wake);
}

void RedisSource::Stop(DurationMs flush_timeout_ms) {
  if (!started_ || !thread_.joinable()) return;
  flush_timeout_ms_ = flush_timeout_ms;
  loop_->stop_requested.store(true);
  uv_async_send(&loop_->wake);
  thread_.join();
}

void RedisSource::OnEventDone(const engine::Event& event) {
  Loop& l = *loop_;
  {
    std::lock_guard<std::mutex> lock(l.mutex);
    if (l.live.erase(&event) == 0) return;
    l.done_ids.push_back(static_cast<const RedisEvent&>(event).entry_id);
  }
  uv_async_send(&l.wake);
}

void RedisSource::OnOutcome(const engine::DeliveryOutcome& outcome) {
  if (outcome.fate != engine::Fate::kDeadLettered) return;
  Loop& l = *loop_;
  std::lock_guard<std::mutex> lock(l.mutex);
  if (!l.live.contains(&outcome.event)) return;
  const auto& event = static_cast<const RedisEvent&>(outcome.event);
  DeadRecord record;
  std::string channels;
  for (const std::string& channel : event.channels) {
    if (!channels.empty()) channels += ',';
    channels += channel;
  }
  record.fields = {"kind",        "delivery",
                   "entry_id",    event.entry_id,
                   "endpoint",    outcome.endpoint_id,
                   "reason",      std::string(outcome.reason),
                   "attempts",    std::to_string(outcome.attempts),
                   "last_status", std::to_string(outcome.last_status),
                   "id",          event.id,
                   "type",        event.type,
                   "channels",    channels,
                   "payload",     event.payload};
  l.dead_records.push_back(std::move(record));
  // No wake: the event's done signal follows and carries this record with it.
}

RedisSourceStats RedisSource::Stats() const {
  const Loop& l = *loop_;
  RedisSourceStats s;
  s.connected = l.connected.load();
  s.entries_read = l.entries_read.load();
  s.entries_acked = l.entries_acked.load();
  s.entries_malformed = l.entries_malformed.load();
  s.dead_letters_written = l.dead_written.load();
  s.entries_in_memory = l.in_memory.load();
  s.reconnects = l.reconnects.load();
  s.groups_recreated = l.groups_recreated.load();
  s.group_lag = l.lag.load();
  s.group_pending = l.group_pending.load();
  s.redis_commands = l.commands.load();
  std::lock_guard<std::mutex> lock(l.error_mutex);
  s.last_error = l.last_error;
  return s;
}

}  // namespace hookfan::sources
