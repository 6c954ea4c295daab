// The Redis source against a real redis-server (started here on a free loopback port) and
// the engine delivering to scripted receivers in this process.
#include "sources/redis/redis_source.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "engine/hookfan.h"
#include "engine/signing/webhook_secret.h"
#include "tests/support/loopback_guard.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_receiver.h"

namespace hookfan::sources {
namespace {

using testing::ReceivedRequest;
using testing::ReceiverReply;
using testing::RedisClient;
using testing::RedisServer;
using testing::ReplyPtr;
using testing::TestReceiver;

constexpr char kStream[] = "hookfan:events";
constexpr char kGroup[] = "hookfan";

engine::EndpointConfig Endpoint(std::string id, std::string url, std::vector<std::string> types,
                                std::vector<std::string> channels = {}) {
  engine::EndpointConfig config;
  config.id = std::move(id);
  config.url = std::move(url);
  config.event_types = std::move(types);
  config.channels = std::move(channels);
  config.secrets = {engine::GenerateStandardSecret()};
  config.retry.delays = std::vector<DurationMs>{5, 5, 5};
  return config;
}

// Polls `condition` (a real process answers asynchronously) up to 15 s.
template <typename Condition>
bool Eventually(Condition condition) {
  for (int i = 0; i < 1500; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

// The engine with the source's hooks, the source started on `redis`.
struct Harness {
  explicit Harness(const RedisServer& redis, RedisSourceOptions options = {},
                   std::function<void(const engine::DeliveryOutcome&)> before_outcome = {})
      : source([&] {
          options.url = redis.Url();
          options.stream = kStream;
          options.group = kGroup;
          options.block_ms = 100;
          options.log = [](bool, const std::string&) {};
          return options;
        }()) {
    engine::EngineConfig config;
    config.workers = 2;
    config.seed = 7;
    config.http.address_policy = testing::LoopbackAllowedPolicy();
    config.on_outcome = [this, before_outcome](const engine::DeliveryOutcome& o) {
      if (before_outcome) before_outcome(o);
      source.OnOutcome(o);
    };
    config.on_event_done = [this](const engine::Event& e) { source.OnEventDone(e); };
    auto started = engine::Engine::Start(std::move(config));
    HOOKFAN_CHECK(started.ok());
    engine = std::move(*started);
  }
  ~Harness() { Stop(); }
  void Stop() {
    if (stopped) return;
    stopped = true;
    source.StopReading();
    engine->DrainAndStop(2000);
    source.Stop();
  }

  RedisSource source;
  std::unique_ptr<engine::Engine> engine;
  bool stopped = false;
};

TEST(RedisSourceTest, DeliversEveryEntryToEveryMatchingEndpointAndAcksAfterTheLastOutcome) {
  RedisServer redis;
  ASSERT_TRUE(redis.started());
  // "orders" fails each event's first attempt: its outcome comes last, after a retry.
  std::mutex mutex;
  std::set<std::string> failed_once;
  TestReceiver orders([&](const ReceivedRequest& r) {
    std::lock_guard<std::mutex> lock(mutex);
    return failed_once.insert(r.Header("webhook-id")).second ? ReceiverReply{500}
                                                             : ReceiverReply{200};
  });
  TestReceiver all([](const ReceivedRequest&) { return ReceiverReply{200}; });
  TestReceiver eu([](const ReceivedRequest&) { return ReceiverReply{200}; });

  // At each final outcome the entry must still be pending: XACK comes only after the last.
  std::atomic<int> acked_too_early{0};
  std::atomic<int> outcomes{0};
  std::map<std::string, std::string> webhook_to_entry;  // filled before anything is read
  Harness harness(redis, {}, [&](const engine::DeliveryOutcome& o) {
    RedisClient check(redis.port());
    const std::string entry = webhook_to_entry.at(o.event.id);
    if (!check.IsPending(kStream, kGroup, entry)) ++acked_too_early;
    ++outcomes;
  });
  ASSERT_TRUE(harness.engine->AddEndpoint(Endpoint("orders", orders.Url(), {"order.*"})).ok());
  ASSERT_TRUE(harness.engine->AddEndpoint(Endpoint("all", all.Url(), {})).ok());
  ASSERT_TRUE(harness.engine->AddEndpoint(Endpoint("eu", eu.Url(), {}, {"eu"})).ok());

  RedisClient client(redis.port());
  ASSERT_TRUE(client.connected());
  // The group is made by the source (MKSTREAM) when it starts; the entries come after.
  ASSERT_TRUE(harness.source.Start(harness.engine.get()).ok());
  std::vector<std::string> entry_ids;
  std::vector<std::string> payloads;
  constexpr int kEvents = 40;
  for (int i = 0; i < kEvents; ++i) {
    payloads.push_back("{ \"n\": " + std::to_string(i) + ", \"s\": \"\\u00e9\" }");
    // Explicit entry ids, so the map is complete before the source can read an entry.
    const std::string entry = "1700000000000-" + std::to_string(i + 1);
    webhook_to_entry[i % 5 == 0 ? "evt_" + std::to_string(i) : entry] = entry;
    entry_ids.push_back(entry);
  }
  for (int i = 0; i < kEvents; ++i) {
    std::vector<std::string> args = {
        "XADD",    kStream,    entry_ids[i], "type", i % 2 == 0 ? "order.paid" : "user.created",
        "payload", payloads[i]};
    if (i % 4 == 0) args.insert(args.end(), {"channels", "us,eu"});
    if (i % 5 == 0) args.insert(args.end(), {"id", "evt_" + std::to_string(i)});
    ReplyPtr added = client.Command(args);
    ASSERT_TRUE(added && added->type == REDIS_REPLY_STRING);
  }
  const int expected = kEvents / 2 + kEvents + kEvents / 4;
  ASSERT_TRUE(Eventually([&] { return outcomes.load() >= expected; })) << outcomes.load();
  ASSERT_TRUE(Eventually([&] { return client.GroupPending(kStream, kGroup) == 0; }));
  EXPECT_EQ(acked_too_early.load(), 0);
  EXPECT_EQ(outcomes.load(), expected);
  EXPECT_EQ(all.count(), static_cast<std::size_t>(kEvents));
  EXPECT_EQ(eu.count(), static_cast<std::size_t>(kEvents / 4));
  EXPECT_EQ(orders.count(), static_cast<std::size_t>(kEvents));  // 20 events, each twice
  // Byte for byte, with the entry id (or the `id` field) as webhook-id.
  std::map<std::string, std::string> bodies;
  for (const ReceivedRequest& r : all.Requests()) bodies[r.Header("webhook-id")] = r.body;
  for (int i = 0; i < kEvents; ++i) {
    const std::string webhook_id = i % 5 == 0 ? "evt_" + std::to_string(i) : entry_ids[i];
    EXPECT_EQ(bodies[webhook_id], payloads[i]) << webhook_id;
  }
  // Redis applies the XACK before the source reads its answer: wait for the source's count.
  ASSERT_TRUE(Eventually([&] { return harness.source.Stats().entries_in_memory == 0; }));
  const RedisSourceStats stats = harness.source.Stats();
  EXPECT_EQ(stats.entries_read, static_cast<std::uint64_t>(kEvents));
  EXPECT_EQ(stats.entries_acked, static_cast<std::uint64_t>(kEvents));
  EXPECT_EQ(stats.entries_in_memory, 0u);
  EXPECT_TRUE(stats.connected);
}

TEST(RedisSourceTest, MalformedEntriesAreDeadLetteredWithTheReasonAndAcknowledged) {
  RedisServer redis;
  ASSERT_TRUE(redis.started());
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  RedisSourceOptions options;
  options.max_payload_bytes = 64;
  Harness harness(redis, options);
  ASSERT_TRUE(harness.engine->AddEndpoint(Endpoint("all", receiver.Url(), {})).ok());
  ASSERT_TRUE(harness.source.Start(harness.engine.get()).ok());
  RedisClient client(redis.port());
  const std::map<std::string, std::string> reasons = {
      {client.XAdd(kStream, {"type", "a.b"}), "payload: missing"},
      {client.XAdd(kStream, {"payload", "{}"}), "type: missing"},
      {client.XAdd(kStream, {"type", "a.b", "payload", "{not json"}), "payload: not valid JSON"},
      {client.XAdd(kStream, {"type", "a.b", "payload", "\"" + std::string(100, 'x') + "\""}),
       "payload: 102 bytes exceed max_payload_bytes (64)"},
      {client.XAdd(kStream, {"type", "a b", "payload", "{}"}), "type: ' ' at offset 1"},
      {client.XAdd(kStream, {"type", "a.b", "payload", "{}", "id", "x.y"}), "id: '.' at offset 1"},
      {client.XAdd(kStream, {"type", "a.b", "payload", "{}", "channels", "eu,,us"}), "channels: "},
      {client.XAdd(kStream, {"type", "a.b", "type", "c.d", "payload", "{}"}), "type: given twice"},
  };
  const std::string good = client.XAdd(kStream, {"type", "a.b", "payload", "[1,2]"});
  ASSERT_TRUE(receiver.WaitForCount(1, 10000));
  ASSERT_TRUE(Eventually([&] { return client.Integer({"XLEN", "hookfan:events:dead"}) == 8; }));
  ASSERT_TRUE(Eventually([&] { return client.GroupPending(kStream, kGroup) == 0; }));
  ReplyPtr dead = client.Command({"XRANGE", "hookfan:events:dead", "-", "+"});
  ASSERT_TRUE(dead && dead->type == REDIS_REPLY_ARRAY);
  ASSERT_EQ(dead->elements, 8u);
  for (std::size_t i = 0; i < dead->elements; ++i) {
    const redisReply* fields = dead->element[i]->element[1];
    const std::string entry = testing::FieldOf(fields, "entry_id");
    ASSERT_TRUE(reasons.contains(entry)) << entry;
    EXPECT_EQ(testing::FieldOf(fields, "kind"), "malformed");
    EXPECT_TRUE(testing::FieldOf(fields, "reason").starts_with(reasons.at(entry)))
        << testing::FieldOf(fields, "reason");
  }
  EXPECT_EQ(receiver.count(), 1u);
  EXPECT_EQ(receiver.Requests()[0].Header("webhook-id"), good);
  EXPECT_EQ(harness.source.Stats().entries_malformed, 8u);
}

TEST(RedisSourceTest, DeadLetteredDeliveriesAreWrittenToTheDeadStreamAndTheEntryAcked) {
  RedisServer redis;
  ASSERT_TRUE(redis.started());
  TestReceiver failing([](const ReceivedRequest&) { return ReceiverReply{500}; });
  Harness harness(redis);
  ASSERT_TRUE(harness.engine->AddEndpoint(Endpoint("broken", failing.Url(), {})).ok());
  ASSERT_TRUE(harness.source.Start(harness.engine.get()).ok());
  RedisClient client(redis.port());
  const std::string entry = client.XAdd(kStream, {"type", "a.b", "payload", "{\"k\":1}"});
  ASSERT_TRUE(Eventually([&] { return client.Integer({"XLEN", "hookfan:events:dead"}) == 1; }));
  ASSERT_TRUE(Eventually([&] { return client.GroupPending(kStream, kGroup) == 0; }));
  ReplyPtr dead = client.Command({"XRANGE", "hookfan:events:dead", "-", "+"});
  const redisReply* fields = dead->element[0]->element[1];
  EXPECT_EQ(testing::FieldOf(fields, "kind"), "delivery");
  EXPECT_EQ(testing::FieldOf(fields, "entry_id"), entry);
  EXPECT_EQ(testing::FieldOf(fields, "endpoint"), "broken");
  EXPECT_EQ(testing::FieldOf(fields, "last_status"), "500");
  EXPECT_EQ(testing::FieldOf(fields, "attempts"), "4");
  EXPECT_EQ(testing::FieldOf(fields, "payload"), "{\"k\":1}");
}

TEST(RedisSourceTest, EntriesMatchingNoEndpointAreAcknowledgedAtOnce) {
  RedisServer redis;
  ASSERT_TRUE(redis.started());
  Harness harness(redis);
  ASSERT_TRUE(harness.source.Start(harness.engine.get()).ok());
  RedisClient client(redis.port());
  for (int i = 0; i < 5; ++i) client.XAdd(kStream, {"type", "a.b", "payload", "{}"});
  ASSERT_TRUE(Eventually([&] { return harness.source.Stats().entries_acked == 5; }));
  EXPECT_EQ(client.GroupPending(kStream, kGroup), 0);
}

// A Redis that lost the group while the source is connected (FLUSHALL here; a failover to
// an empty replica in production) answers NOGROUP: the source makes the group again from
// id 0 by itself, and entries added since flow.
TEST(RedisSourceTest, RecreatesALostGroupOnNogroupAndGoesOn) {
  RedisServer redis;
  ASSERT_TRUE(redis.started());
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  Harness harness(redis);
  ASSERT_TRUE(harness.engine->AddEndpoint(Endpoint("all", receiver.Url(), {})).ok());
  ASSERT_TRUE(harness.source.Start(harness.engine.get()).ok());
  RedisClient client(redis.port());
  client.XAdd(kStream, {"type", "a.b", "payload", "1"});
  ASSERT_TRUE(receiver.WaitForCount(1, 10000));
  ReplyPtr flushed = client.Command({"FLUSHALL"});
  ASSERT_TRUE(flushed && flushed->type == REDIS_REPLY_STATUS);
  // The producer goes on: XADD makes the stream again, without the group; from id 0, the
  // recreated group reads it whether it came before or after.
  client.XAdd(kStream, {"type", "a.b", "payload", "2"});
  ASSERT_TRUE(Eventually([&] { return harness.source.Stats().groups_recreated >= 1; }));
  ASSERT_TRUE(receiver.WaitForCount(2, 10000));
  ASSERT_TRUE(Eventually([&] { return client.GroupPending(kStream, kGroup) == 0; }));
  EXPECT_TRUE(harness.source.Stats().connected);
}

// A consumer that died holding entries ("ghost": read by this test and never acknowledged)
// is taken over once they are idle for claim_idle; one that was already claimed more often
// than max_claims (it killed every owner) is dead-lettered instead of delivered again.
TEST(RedisSourceTest, ClaimsWhatADeadConsumerHeldAndDeadLettersWhatWasClaimedTooOften) {
  RedisServer redis;
  ASSERT_TRUE(redis.started());
  RedisClient client(redis.port());
  ASSERT_TRUE(client.Command({"XGROUP", "CREATE", kStream, kGroup, "0", "MKSTREAM"}));
  const std::string fine = client.XAdd(kStream, {"type", "a.b", "payload", "{\"n\":1}"});
  const std::string cursed = client.XAdd(kStream, {"type", "a.b", "payload", "{\"n\":2}"});
  ReplyPtr read = client.Command({"XREADGROUP", "GROUP", kGroup, "ghost", "STREAMS", kStream, ">"});
  ASSERT_TRUE(read && read->type == REDIS_REPLY_ARRAY);
  // As if claimed 9 times before (the first read counts 1).
  ASSERT_TRUE(
      client.Command({"XCLAIM", kStream, kGroup, "ghost", "0", cursed, "RETRYCOUNT", "10"}));
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  RedisSourceOptions options;
  options.claim_idle_ms = 200;
  options.max_claims = 3;
  Harness harness(redis, options);
  ASSERT_TRUE(harness.engine->AddEndpoint(Endpoint("all", receiver.Url(), {})).ok());
  ASSERT_TRUE(harness.source.Start(harness.engine.get()).ok());
  ASSERT_TRUE(receiver.WaitForCount(1, 10000));
  ASSERT_TRUE(Eventually([&] { return client.GroupPending(kStream, kGroup) == 0; }));
  EXPECT_EQ(receiver.count(), 1u);
  EXPECT_EQ(receiver.Requests()[0].Header("webhook-id"), fine);
  ReplyPtr dead = client.Command({"XRANGE", "hookfan:events:dead", "-", "+"});
  ASSERT_TRUE(dead && dead->type == REDIS_REPLY_ARRAY);
  ASSERT_EQ(dead->elements, 1u);
  const redisReply* fields = dead->element[0]->element[1];
  EXPECT_EQ(testing::FieldOf(fields, "kind"), "claimed");
  EXPECT_EQ(testing::FieldOf(fields, "entry_id"), cursed);
  EXPECT_EQ(testing::FieldOf(fields, "reason"), "claimed 10 times (max_claims 3)");
  EXPECT_EQ(harness.source.Stats().entries_claimed, 1u);
  EXPECT_EQ(harness.source.Stats().entries_claims_exhausted, 1u);
}

// Two instances in one group: each delivers a part, together all, once each; and an owner
// that is alive keeps what it holds (a pending retry here) even past claim_idle, since it
// refreshes it: the other never takes it over.
TEST(RedisSourceTest, TwoInstancesShareTheStreamAndALiveOwnerKeepsItsRetries) {
  RedisServer redis;
  ASSERT_TRUE(redis.started());
  std::mutex mutex;
  std::map<std::string, int> seen;  // webhook-id -> requests
  std::set<std::string> failed_once;
  // Each event's first attempt fails: a retry 1.5 s later, far past claim_idle (200 ms).
  TestReceiver receiver([&](const ReceivedRequest& r) {
    std::lock_guard<std::mutex> lock(mutex);
    const std::string id = r.Header("webhook-id");
    ++seen[id];
    return failed_once.insert(id).second ? ReceiverReply{500} : ReceiverReply{200};
  });
  RedisSourceOptions options;
  options.claim_idle_ms = 200;
  options.batch = 2;
  options.consumer = "a";
  Harness a(redis, options);
  options.consumer = "b";
  Harness b(redis, options);
  for (Harness* h : {&a, &b}) {
    auto endpoint = Endpoint("all", receiver.Url(), {});
    endpoint.retry.delays = std::vector<DurationMs>{1500};
    ASSERT_TRUE(h->engine->AddEndpoint(endpoint).ok());
    ASSERT_TRUE(h->source.Start(h->engine.get()).ok());
  }
  RedisClient client(redis.port());
  constexpr int kEvents = 20;
  for (int i = 0; i < kEvents; ++i) {
    client.XAdd(kStream, {"type", "a.b", "payload", std::to_string(i)});
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // both readers get some
  }
  ASSERT_TRUE(Eventually([&] { return client.GroupPending(kStream, kGroup) == 0; }));
  std::lock_guard<std::mutex> lock(mutex);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kEvents));
  for (const auto& [id, requests] : seen) EXPECT_EQ(requests, 2) << id;  // failed once, then ok
  EXPECT_GT(a.source.Stats().entries_read, 0u);
  EXPECT_GT(b.source.Stats().entries_read, 0u);
  EXPECT_EQ(a.source.Stats().entries_read + b.source.Stats().entries_read,
            static_cast<std::uint64_t>(kEvents));
  EXPECT_EQ(a.source.Stats().entries_claimed + b.source.Stats().entries_claimed, 0u);
}

}  // namespace
}  // namespace hookfan::sources
