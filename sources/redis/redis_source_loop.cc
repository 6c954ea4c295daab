#include "sources/redis/redis_source_loop.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include "net/base/clock.h"

namespace hookfan::sources {

void RedisSource::Loop::Connect() {
  for (auto& old : closed) old.reset();
  closed.clear();
  ++generation;
  const std::uint64_t g = generation;
  ready = false;
  reading = false;
  claiming = false;
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
void RedisSource::Loop::CreateGroup(std::uint64_t g, bool then_ready) {
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

void RedisSource::Loop::SetupStepDone() {
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

void RedisSource::Loop::Fail(const std::string& why) {
  if (shut_down) return;
  ++generation;  // late callbacks of this pair are ignored
  ready = false;
  reading = false;
  claiming = false;
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

void RedisSource::Loop::MaybeRead() {
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

void RedisSource::Loop::OnEntries(redisReply* reply) {
  if (ReplyIsError(reply)) {
    const std::string text(ReplyText(reply));
    if (text.starts_with("NOGROUP")) {
      CreateGroup(generation, /*then_ready=*/false);
    } else {
      SetError("XREADGROUP: " + text);
      Log(true, "XREADGROUP: " + text);
      uv_timer_start(&again, [](uv_timer_t* t) { static_cast<Loop*>(t->data)->MaybeRead(); },
                     kInfoMs, 0);
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

void RedisSource::Loop::Publish(std::vector<engine::EventPtr> batch) {
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

void RedisSource::Loop::RetryBacklog() {
  if (backlog.empty()) return MaybeRead();
  std::vector<engine::EventPtr> batch;
  while (!backlog.empty() && batch.size() < options().batch) {
    batch.push_back(std::move(backlog.front()));
    backlog.pop_front();
  }
  Publish(std::move(batch));
  if (backlog.empty()) MaybeRead();
}

void RedisSource::Loop::DeadLetterMalformed(const StreamEntryView& entry, const std::string& reason) {
  entries_malformed.fetch_add(1, std::memory_order_relaxed);
  unsent_dead.push_back(MalformedRecord(entry.id, entry.fields, reason));
}

void RedisSource::Loop::OnWake() {
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

void RedisSource::Loop::FlushOutbound() {
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
  // Acknowledgements wait up to kAckDelayMs to share one XACK (at most every 20 ms, or per
  // 1000 ids): a few ms more in the pending list cost nothing, a command per event would.
  if (!stopping && unsent_acks.size() < kAckChunk) {
    if (!unsent_acks.empty() && uv_is_active(reinterpret_cast<uv_handle_t*>(&ack_delay)) == 0) {
      uv_timer_start(
          &ack_delay, [](uv_timer_t* t) { static_cast<Loop*>(t->data)->FlushAcks(); },
          kAckDelayMs, 0);
    }
    return;
  }
  FlushAcks();
}

void RedisSource::Loop::FlushAcks() {
  if (!ready) return;
  const std::uint64_t g = generation;
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

void RedisSource::Loop::MaybeShutdown() {
  if (!stopping || shut_down) return;
  if (!unsent_acks.empty() || !unsent_dead.empty() || writes_in_flight > 0) return;
  Shutdown();
}

void RedisSource::Loop::Shutdown() {
  if (shut_down) return;
  shut_down = true;
  ++generation;
  ready = false;
  connected.store(false);
  for (auto* c : {reader.get(), writer.get()}) {
    if (c != nullptr) c->Close();
  }
  for (uv_timer_t* t : {&retry, &again, &connect_deadline, &tick, &flush_deadline, &ack_delay}) {
    uv_timer_stop(t);
    uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&wake), nullptr);
}

}  // namespace hookfan::sources
