#include "sources/redis/redis_source.h"

#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cstdio>

#include "net/base/check.h"
#include "sources/redis/redis_source_loop.h"

namespace hookfan::sources {

std::string DefaultConsumerName() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, 8, "host");
  return std::string(host) + "-" + std::to_string(::getpid());
}

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
  for (uv_timer_t* t :
       {&l.retry, &l.again, &l.connect_deadline, &l.tick, &l.flush_deadline, &l.ack_delay}) {
    uv_timer_init(&l.loop, t);
    t->data = &l;
  }
  // Often enough to refresh held entries 3 times per claim_idle and to claim promptly.
  const DurationMs tick = std::clamp<DurationMs>(l.ClaimIdle() / 3, 50, kInfoMs);
  uv_timer_start(&l.tick, [](uv_timer_t* t) { static_cast<Loop*>(t->data)->Tick(); }, tick, tick);
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
  l.dead_records.push_back(
      DeliveryRecord(static_cast<const RedisEvent&>(outcome.event), outcome));
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
  s.entries_claimed = l.entries_claimed.load();
  s.entries_claims_exhausted = l.claims_exhausted.load();
  s.group_lag = l.lag.load();
  s.group_pending = l.group_pending.load();
  s.redis_commands = l.commands.load();
  std::lock_guard<std::mutex> lock(l.error_mutex);
  s.last_error = l.last_error;
  return s;
}

}  // namespace hookfan::sources
