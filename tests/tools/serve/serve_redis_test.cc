// `hookfan serve` with [source.redis]: the real binary consuming a real redis-server
// (started here on a free loopback port), delivering to a scripted receiver in this process.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "tests/net/raw_http_client.h"
#include "tests/support/loopback_guard.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_receiver.h"
#include "tests/tools/child_process.h"
#include "tests/tools/temp_files.h"

namespace hookfan::tools {
namespace {

using hookfan::test::ChildProcess;
using hookfan::test::MakeTempDir;
using hookfan::test::RawHttpClient;
using hookfan::test::RawResponse;
using hookfan::test::WriteTempFile;
using hookfan::testing::ReceivedRequest;
using hookfan::testing::ReceiverReply;
using hookfan::testing::RedisClient;
using hookfan::testing::RedisServer;
using hookfan::testing::TestReceiver;

constexpr char kStream[] = "orders:events";

std::string Config(const std::string& receiver_url, const std::string& redis_url) {
  return std::string(testing::kAllowLoopbackToml) +
         "[engine]\nworkers = 1\nshutdown_grace = \"2s\"\n[spool]\nmode = \"memory\"\ndir = \"" +
         MakeTempDir() + "\"\n[source.redis]\nurl = \"" + redis_url + "\"\nstream = \"" + kStream +
         "\"\ngroup = \"g\"\nblock = \"100ms\"\n[[endpoints]]\nid = \"all\"\nurl = \"" +
         receiver_url +
         "\"\nsecret = \"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"\nretry = { delays = [\"10ms\"] "
         "}\n";
}

RawResponse Get(int port, const std::string& path);

RawResponse Get(int port, const std::string& path) {
  RawHttpClient client(port);
  EXPECT_TRUE(client.connected());
  EXPECT_TRUE(
      client.Send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
  return client.ReadResponse().value_or(RawResponse{});
}

template <typename Condition>
bool Eventually(Condition condition) {
  for (int i = 0; i < 1500; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

class Serve {
 public:
  explicit Serve(const std::string& config_text, std::vector<std::string> flags = {})
      : process_([&] {
          std::vector<std::string> argv = {
              HOOKFAN_BINARY, "serve",      "--config", WriteTempFile("hookfan.toml", config_text),
              "--listen",     "127.0.0.1:0"};
          argv.insert(argv.end(), flags.begin(), flags.end());
          return argv;
        }()) {
    std::optional<std::string> line = process_.ReadStdoutLine();
    constexpr std::string_view kPrefix = "hookfan serve: listening on 127.0.0.1:";
    if (line && line->starts_with(kPrefix)) port_ = std::atoi(line->c_str() + kPrefix.size());
  }
  int port() const { return port_; }
  ChildProcess& process() { return process_; }
  int Stop() {
    // Answered once serve's loop runs, so its signal handlers are in place.
    EXPECT_EQ(Get(port_, "/healthz").status, 200);
    process_.Signal(SIGTERM);
    return process_.Wait();
  }

 private:
  ChildProcess process_;
  int port_ = 0;
};

TEST(ServeRedisTest, DeliversTheStreamAndShowsTheSourceInHealthzAndMetrics) {
  RedisServer redis;
  ASSERT_TRUE(redis.started());
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  Serve serve(Config(receiver.Url(), redis.Url()));
  ASSERT_GT(serve.port(), 0) << serve.process().stderr_text();
  RedisClient client(redis.port());
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    ids.insert(client.XAdd(kStream,
                           {"type", "order.paid", "payload", "{\"n\":" + std::to_string(i) + "}"}));
  }
  ASSERT_TRUE(receiver.WaitForCount(20, 10000));
  ASSERT_TRUE(Eventually([&] { return client.GroupPending(kStream, "g") == 0; }));
  std::set<std::string> received;
  for (const ReceivedRequest& r : receiver.Requests()) received.insert(r.Header("webhook-id"));
  EXPECT_EQ(received, ids);
  RawResponse health = Get(serve.port(), "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_NE(health.body.find(R"("status":"ok")"), std::string::npos) << health.body;
  EXPECT_NE(health.body.find(R"("connected":true)"), std::string::npos) << health.body;
  ASSERT_TRUE(Eventually([&] {
    return Get(serve.port(), "/metrics").body.find("hookfan_redis_pending_entries 0\n") !=
           std::string::npos;
  }));
  const std::string metrics = Get(serve.port(), "/metrics").body;
  EXPECT_NE(metrics.find("hookfan_redis_connected 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("hookfan_redis_entries_acked_total 20\n"), std::string::npos) << metrics;
  EXPECT_EQ(serve.Stop(), 0) << serve.process().stderr_text();
}

// Killed and restarted without persistence: the group is gone with the stream. serve
// reconnects, makes the group again and new entries flow, without being restarted.
TEST(ServeRedisTest, RedisKilledAndRestartedWithoutPersistenceMidRun) {
  RedisServer redis;
  ASSERT_TRUE(redis.started());
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  Serve serve(Config(receiver.Url(), redis.Url()));
  ASSERT_GT(serve.port(), 0) << serve.process().stderr_text();
  {
    RedisClient client(redis.port());
    for (int i = 0; i < 5; ++i) client.XAdd(kStream, {"type", "a.b", "payload", "{}"});
  }
  ASSERT_TRUE(receiver.WaitForCount(5, 10000));
  redis.Kill();
  ASSERT_TRUE(Eventually([&] {
    return Get(serve.port(), "/healthz").body.find(R"("status":"degraded")") != std::string::npos;
  }));
  EXPECT_NE(Get(serve.port(), "/metrics").body.find("hookfan_redis_connected 0\n"),
            std::string::npos);
  ASSERT_TRUE(redis.Start());
  RedisClient client(redis.port());
  std::set<std::string> after;
  for (int i = 0; i < 5; ++i) after.insert(client.XAdd(kStream, {"type", "a.b", "payload", "[]"}));
  ASSERT_TRUE(receiver.WaitForCount(10, 15000)) << serve.process().stderr_text();
  ASSERT_TRUE(Eventually([&] { return client.GroupPending(kStream, "g") == 0; }));
  std::set<std::string> received;
  for (const ReceivedRequest& r : receiver.Requests()) received.insert(r.Header("webhook-id"));
  for (const std::string& id : after) EXPECT_TRUE(received.contains(id)) << id;
  EXPECT_NE(Get(serve.port(), "/healthz").body.find(R"("status":"ok")"), std::string::npos);
  EXPECT_EQ(serve.Stop(), 0);
}

TEST(ServeRedisTest, UnreachableAtStartIsOneClearLineThenRetriedInTheBackground) {
  RedisServer redis{RedisServer::Deferred{}};
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  Serve serve(Config(receiver.Url(), redis.Url()));
  ASSERT_GT(serve.port(), 0) << serve.process().stderr_text();
  RawResponse health = Get(serve.port(), "/healthz");
  EXPECT_NE(health.body.find(R"("status":"degraded")"), std::string::npos) << health.body;
  EXPECT_NE(health.body.find("Connection refused"), std::string::npos) << health.body;
  ASSERT_TRUE(redis.Start());
  RedisClient client(redis.port());
  // The group may not exist yet: the source makes it (from id 0) when it connects.
  const std::string id = client.XAdd(kStream, {"type", "a.b", "payload", "{}"});
  ASSERT_TRUE(receiver.WaitForCount(1, 15000));
  EXPECT_EQ(receiver.Requests()[0].Header("webhook-id"), id);
  EXPECT_EQ(serve.Stop(), 0);
  const std::string& err = serve.process().stderr_text();
  EXPECT_NE(err.find("cannot connect: Connection refused; retrying in the background"),
            std::string::npos)
      << err;
}

TEST(ServeRedisTest, RequireSourceExitsTwoWhenRedisIsUnreachable) {
  RedisServer redis{RedisServer::Deferred{}};
  ChildProcess serve({HOOKFAN_BINARY, "serve", "--config",
                      WriteTempFile("hookfan.toml", Config("http://127.0.0.1:1/", redis.Url())),
                      "--listen", "127.0.0.1:0", "--require-source"});
  EXPECT_EQ(serve.Wait(), 2);
  EXPECT_NE(
      serve.stderr_text().find("hookfan serve: redis 127.0.0.1:" + std::to_string(redis.port()) +
                               " stream 'orders:events' group 'g': cannot connect: "
                               "Connection refused (--require-source)"),
      std::string::npos)
      << serve.stderr_text();
}

TEST(ServeRedisTest, AMissingOrWrongPasswordIsAClearError) {
  RedisServer redis({"--requirepass", "right-password"});
  ASSERT_TRUE(redis.started());
  const std::string base = "redis://127.0.0.1:" + std::to_string(redis.port());
  struct Case {
    std::string url;
    std::string error;
  } cases[] = {
      {base + "/0", "authentication needed: NOAUTH"},
      {"redis://:wrong@127.0.0.1:" + std::to_string(redis.port()) + "/0",
       "AUTH refused: WRONGPASS"},
  };
  for (const Case& c : cases) {
    ChildProcess serve({HOOKFAN_BINARY, "serve", "--config",
                        WriteTempFile("hookfan.toml", Config("http://127.0.0.1:1/", c.url)),
                        "--listen", "127.0.0.1:0", "--require-source"});
    EXPECT_EQ(serve.Wait(), 2) << c.url;
    EXPECT_NE(serve.stderr_text().find(c.error), std::string::npos) << serve.stderr_text();
  }
  // The right one connects.
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  Serve serve(Config(receiver.Url(),
                     "redis://:right-password@127.0.0.1:" + std::to_string(redis.port()) + "/0"),
              {"--require-source"});
  ASSERT_GT(serve.port(), 0) << serve.process().stderr_text();
  EXPECT_EQ(serve.Stop(), 0);
}

TEST(ServeRedisTest, AKeyThatIsNotAStreamIsAClearError) {
  RedisServer redis;
  ASSERT_TRUE(redis.started());
  RedisClient client(redis.port());
  client.Command({"SET", kStream, "x"});
  ChildProcess serve({HOOKFAN_BINARY, "serve", "--config",
                      WriteTempFile("hookfan.toml", Config("http://127.0.0.1:1/", redis.Url())),
                      "--listen", "127.0.0.1:0", "--require-source"});
  EXPECT_EQ(serve.Wait(), 2);
  EXPECT_NE(serve.stderr_text().find("key 'orders:events' exists and is not a stream"),
            std::string::npos)
      << serve.stderr_text();
}

// Two serve instances in one group; A's receiver fails every attempt (its deliveries wait on
// retries 20 s away), B's succeeds. While A lives, B never takes A's entries, though they
// are older than claim_idle; after A is SIGKILLed, B claims and delivers every one of them.
TEST(ServeRedisTest, SigkilledInstancesEntriesAndRetriesAreDeliveredByTheOther) {
  RedisServer redis;
  ASSERT_TRUE(redis.started());
  std::mutex mutex;
  std::map<std::string, std::map<std::string, int>> seen;  // path -> webhook-id -> requests
  TestReceiver receiver([&](const ReceivedRequest& r) {
    std::lock_guard<std::mutex> lock(mutex);
    ++seen[r.target][r.Header("webhook-id")];
    return ReceiverReply{r.target == "/a" ? 500 : 200};
  });
  auto config = [&](const std::string& path, const std::string& consumer) {
    std::string text = Config(receiver.Url(path), redis.Url());
    text.replace(text.find("block = "), 0,
                 "consumer = \"" + consumer + "\"\nclaim_idle = \"1s\"\nbatch = 2\n");
    text.replace(text.find("retry = { delays = [\"10ms\"] }"),
                 std::string("retry = { delays = [\"10ms\"] }").size(),
                 "retry = { delays = [\"20s\"] }");
    return text;
  };
  Serve a(config("/a", "a"));
  Serve b(config("/b", "b"));
  ASSERT_GT(a.port(), 0);
  ASSERT_GT(b.port(), 0);
  RedisClient client(redis.port());
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    ids.insert(client.XAdd(kStream, {"type", "a.b", "payload", std::to_string(i)}));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // both readers get some
  }
  auto ids_at = [&](const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex);
    std::set<std::string> out;
    for (const auto& [id, n] : seen[path]) out.insert(id);
    return out;
  };
  ASSERT_TRUE(Eventually([&] { return ids_at("/a").size() + ids_at("/b").size() == 20; }));
  const std::set<std::string> held_by_a = ids_at("/a");
  ASSERT_FALSE(held_by_a.empty());
  ASSERT_FALSE(ids_at("/b").empty());
  // Past claim_idle twice over, A alive: its pending retries stay its own.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  for (const std::string& id : ids_at("/b")) EXPECT_FALSE(held_by_a.contains(id)) << id;
  EXPECT_EQ(client.GroupPending(kStream, "g"), static_cast<long long>(held_by_a.size()));

  a.process().Signal(SIGKILL);
  EXPECT_EQ(a.process().Wait(), 128 + SIGKILL);
  ASSERT_TRUE(Eventually([&] { return ids_at("/b") == ids; })) << ids_at("/b").size();
  ASSERT_TRUE(Eventually([&] { return client.GroupPending(kStream, "g") == 0; }));
  int duplicates = 0;
  {
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& [id, n] : seen["/b"]) duplicates += n - 1;
  }
  ::testing::Test::RecordProperty("duplicates", duplicates);
  std::printf("duplicates delivered by B: %d of %zu entries\n", duplicates, ids.size());
  EXPECT_EQ(duplicates, 0);  // A delivered none of its own: B's deliveries are the first
  EXPECT_NE(Get(b.port(), "/metrics")
                .body.find("hookfan_redis_entries_claimed_total " +
                           std::to_string(held_by_a.size()) + "\n"),
            std::string::npos);
  EXPECT_EQ(b.Stop(), 0);
}

}  // namespace
}  // namespace hookfan::tools
