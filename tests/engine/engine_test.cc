// The engine end to end: real workers, real HTTP to scripted receivers on loopback.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "engine/hookfan.h"
#include "engine/signing/signer.h"
#include "engine/signing/webhook_secret.h"
#include "tests/support/engine_fixture.h"
#include "tests/support/test_receiver.h"

namespace hookfan::engine {
namespace {

using hookfan::testing::EndpointFor;
using hookfan::testing::Outcomes;
using hookfan::testing::ReceivedRequest;
using hookfan::testing::ReceiverReply;
using hookfan::testing::StartEngine;
using hookfan::testing::TestReceiver;

TEST(EngineTest, FansOutOneEventToHundredEndpointsAllSignedCorrectly) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  Outcomes outcomes;
  auto engine = StartEngine(&outcomes);
  std::map<std::string, std::string> secret_by_path;
  for (int i = 0; i < 100; ++i) {
    EndpointConfig config =
        EndpointFor("ep" + std::to_string(i), receiver.Url("/e/" + std::to_string(i)), {"order.*"});
    secret_by_path["/e/" + std::to_string(i)] = config.secrets[0];
    ASSERT_TRUE(engine->AddEndpoint(config).ok());
  }
  ASSERT_TRUE(engine->AddEndpoint(EndpointFor("other", receiver.Url("/other"), {"user.*"})).ok());
  EventPtr event = MakeEvent("order.paid", R"({"order":42,"total":"9.99"})");
  ASSERT_TRUE(engine->Publish(event).ok());
  ASSERT_TRUE(outcomes.WaitFor(100));
  ASSERT_TRUE(receiver.WaitForCount(100, 5000));

  std::set<std::string> paths;
  for (const ReceivedRequest& request : receiver.Requests()) {
    paths.insert(request.target);
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.body, event->payload);
    EXPECT_EQ(request.Header("content-type"), "application/json");
    EXPECT_EQ(request.Header("webhook-id"), event->id);
    auto valid = VerifyStandardSignature(secret_by_path[request.target], event->id,
                                         request.Header("webhook-timestamp"), request.body,
                                         request.Header("webhook-signature"));
    ASSERT_TRUE(valid.ok());
    EXPECT_TRUE(*valid) << request.target;
  }
  EXPECT_EQ(paths.size(), 100u);
  EXPECT_EQ(paths.count("/other"), 0u);
  for (const auto& record : outcomes.records()) {
    EXPECT_EQ(record.kind, DeliveryOutcome::Kind::kDelivered);
    EXPECT_EQ(record.attempts, 1);
  }
  EngineStats stats = engine->Stats();
  EXPECT_EQ(stats.total.delivered, 100u);
  EXPECT_EQ(stats.total.pending, 0u);
}

TEST(EngineTest, RetriesReachSuccessOnTheThirdAttemptWithTheSameWebhookId) {
  std::atomic<int> calls{0};
  TestReceiver receiver(
      [&](const ReceivedRequest&) { return ReceiverReply{++calls <= 2 ? 500 : 200}; });
  Outcomes outcomes;
  auto engine = StartEngine(&outcomes);
  ASSERT_TRUE(engine->AddEndpoint(EndpointFor("flaky", receiver.Url())).ok());
  EventPtr event = MakeEvent("a", R"({"n":1})");
  ASSERT_TRUE(engine->Publish(event).ok());
  ASSERT_TRUE(outcomes.WaitFor(1));
  auto record = outcomes.records()[0];
  EXPECT_EQ(record.kind, DeliveryOutcome::Kind::kDelivered);
  EXPECT_EQ(record.attempts, 3);
  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& request : requests) EXPECT_EQ(request.Header("webhook-id"), event->id);
  EngineStats stats = engine->Stats();
  EXPECT_EQ(stats.total.failed_attempts, 2u);
  EXPECT_EQ(stats.total.delivered, 1u);
}

TEST(EngineTest, GoneDisablesTheEndpointUntilReEnabled) {
  std::atomic<int> status{410};
  TestReceiver receiver([&](const ReceivedRequest&) { return ReceiverReply{status.load()}; });
  Outcomes outcomes;
  auto engine = StartEngine(&outcomes);
  ASSERT_TRUE(engine->AddEndpoint(EndpointFor("gone", receiver.Url())).ok());
  ASSERT_TRUE(engine->Publish(MakeEvent("a", "1")).ok());
  ASSERT_TRUE(outcomes.WaitFor(1));
  EXPECT_EQ(outcomes.records()[0].kind, DeliveryOutcome::Kind::kDeadLettered);
  EXPECT_EQ(outcomes.records()[0].attempts, 1);  // 410 is not retried
  EXPECT_EQ(outcomes.records()[0].last_status, 410);

  // Disabled: new events no longer reach it; they are dead-lettered, not lost.
  ASSERT_TRUE(engine->Publish(MakeEvent("a", "2")).ok());
  ASSERT_TRUE(outcomes.WaitFor(2));
  EXPECT_EQ(outcomes.records()[1].kind, DeliveryOutcome::Kind::kDeadLettered);
  EXPECT_EQ(outcomes.records()[1].reason, "endpoint_disabled");
  EngineStats stats = engine->Stats();
  ASSERT_EQ(stats.endpoints.size(), 1u);
  EXPECT_FALSE(stats.endpoints[0].enabled);
  EXPECT_EQ(receiver.count(), 1u);

  status = 200;
  ASSERT_TRUE(engine->SetEndpointEnabled("gone", true).ok());
  ASSERT_TRUE(engine->Publish(MakeEvent("a", "3")).ok());
  ASSERT_TRUE(outcomes.WaitFor(3));
  EXPECT_EQ(outcomes.records()[2].kind, DeliveryOutcome::Kind::kDelivered)
      << outcomes.records()[2].reason;
  EXPECT_EQ(receiver.count(), 2u);  // event "2" was not delivered while disabled
}

TEST(EngineTest, RetryAfterIsHonouredOverThePolicyDelay) {
  std::atomic<int> calls{0};
  TestReceiver receiver([&](const ReceivedRequest&) {
    return ++calls == 1 ? ReceiverReply{429, "1"} : ReceiverReply{200};
  });
  Outcomes outcomes;
  auto engine = StartEngine(&outcomes);
  EndpointConfig config = EndpointFor("limited", receiver.Url());
  config.retry.delays = std::vector<DurationMs>{20, 20};
  config.retry.max_delay = 5000;  // Retry-After may hold it back up to 5 s
  ASSERT_TRUE(engine->AddEndpoint(config).ok());
  ASSERT_TRUE(engine->Publish(MakeEvent("a", "1")).ok());
  ASSERT_TRUE(outcomes.WaitFor(1));
  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 2u);
  // The policy alone would have retried after 20 ms.
  EXPECT_GE(requests[1].at_ms - requests[0].at_ms, 950);
  EXPECT_EQ(outcomes.records()[0].kind, DeliveryOutcome::Kind::kDelivered);
}

TEST(EngineTest, DeadLettersAfterTheLastAttemptAndReplays) {
  std::atomic<int> status{500};
  TestReceiver receiver([&](const ReceivedRequest&) { return ReceiverReply{status.load()}; });
  Outcomes outcomes;
  auto engine = StartEngine(&outcomes);
  EndpointConfig config = EndpointFor("broken", receiver.Url());
  config.retry.delays = std::vector<DurationMs>{5, 5};  // 3 attempts
  ASSERT_TRUE(engine->AddEndpoint(config).ok());
  EventPtr event = MakeEvent("a", R"({"k":"v"})");
  ASSERT_TRUE(engine->Publish(event).ok());
  ASSERT_TRUE(outcomes.WaitFor(1));
  EXPECT_EQ(outcomes.records()[0].kind, DeliveryOutcome::Kind::kDeadLettered);
  EXPECT_EQ(outcomes.records()[0].attempts, 3);
  EXPECT_EQ(outcomes.records()[0].reason, "http_500");
  EXPECT_EQ(receiver.count(), 3u);

  auto letters = engine->DeadLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].endpoint_id, "broken");
  EXPECT_EQ(letters[0].event->id, event->id);
  EXPECT_EQ(letters[0].attempts, 3);

  status = 200;
  ASSERT_TRUE(engine->Replay(letters[0].sequence).ok());
  ASSERT_TRUE(outcomes.WaitFor(2));
  EXPECT_EQ(outcomes.records()[1].kind, DeliveryOutcome::Kind::kDelivered);
  EXPECT_EQ(receiver.Requests().back().Header("webhook-id"), event->id);
  EXPECT_EQ(engine->Replay(999999).code(), StatusCode::kNotFound);
}

TEST(EngineTest, SlowReceiverDoesNotHoldBackTheOthers) {
  TestReceiver slow([](const ReceivedRequest&) { return ReceiverReply{200, "", 2000}; });
  TestReceiver fast([](const ReceivedRequest&) { return ReceiverReply{200}; });
  Outcomes outcomes;
  auto engine = StartEngine(&outcomes, /*workers=*/1);  // same worker, same loop
  EndpointConfig slow_config = EndpointFor("slow", slow.Url());
  slow_config.max_in_flight = 4;
  ASSERT_TRUE(engine->AddEndpoint(slow_config).ok());
  ASSERT_TRUE(engine->AddEndpoint(EndpointFor("fast", fast.Url())).ok());
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(engine->Publish(MakeEvent("a", "{}")).ok());
  // All 200 fast deliveries finish while the slow endpoint has answered at most its first
  // in-flight batch (it needs 2 s per batch of 4).
  ASSERT_TRUE(fast.WaitForCount(200, 10000));
  EngineStats stats;
  for (int i = 0; i < 500; ++i) {
    stats = engine->Stats();
    if (stats.endpoints[0].delivered == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(stats.endpoints[0].id, "fast");
  EXPECT_EQ(stats.endpoints[0].delivered, 200u);
  EXPECT_LE(stats.endpoints[1].delivered, 4u);
  EXPECT_LE(slow.count(), 8u);  // never more than its in-flight cap per 2 s
  engine->DrainAndStop(0);
}

// Issue 9, defect 8: endpoints on one host used to share one pool per origin, so a slow
// endpoint with a large in-flight cap filled the connections and queue that another endpoint
// on the same host needed, and the total timeout counted that queueing as the attempt's own.
TEST(EngineTest, SlowEndpointNeverSlowsAnotherOnTheSameHost) {
  std::mutex mutex;
  std::vector<TimeMs> fast_arrivals;
  TimeMs first_slow_arrival = 0;
  TestReceiver receiver([&](const ReceivedRequest& r) {
    std::lock_guard<std::mutex> lock(mutex);
    if (r.target == "/slow") {
      if (first_slow_arrival == 0) first_slow_arrival = r.at_ms;
      return ReceiverReply{200, "", 1200};
    }
    fast_arrivals.push_back(r.at_ms);
    return ReceiverReply{200};
  });
  Outcomes outcomes;
  EngineConfig config;
  config.workers = 1;
  config.http.max_connections_per_origin = 8;
  config.http.response_timeout = 5000;
  config.http.total_timeout = 2000;  // the slow endpoint's third batch waits 2.4 s to start
  config.on_outcome = [&outcomes](const DeliveryOutcome& o) { outcomes.Add(o); };
  auto engine = Engine::Start(std::move(config));
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  EndpointConfig slow = EndpointFor("slow", receiver.Url("/slow"), {"slow"});
  slow.max_in_flight = 24;  // three batches of the 8 connections
  ASSERT_TRUE((*engine)->AddEndpoint(slow).ok());
  ASSERT_TRUE((*engine)->AddEndpoint(EndpointFor("fast", receiver.Url("/fast"), {"fast"})).ok());
  for (int i = 0; i < 24; ++i) ASSERT_TRUE((*engine)->Publish(MakeEvent("slow", "{}")).ok());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE((*engine)->Publish(MakeEvent("fast", "{}")).ok());
  ASSERT_TRUE(outcomes.WaitFor(124, 15000));
  {
    std::lock_guard<std::mutex> lock(mutex);
    ASSERT_EQ(fast_arrivals.size(), 100u);
    // Every fast delivery arrived long before the slow receiver answered anything.
    EXPECT_LT(fast_arrivals.back() - first_slow_arrival, 600);
  }
  for (const Outcomes::Record& record : outcomes.records()) {
    EXPECT_EQ(record.kind, DeliveryOutcome::Kind::kDelivered) << record.endpoint_id;
    // Waiting for a connection behind its own endpoint's requests is not a failed attempt.
    EXPECT_EQ(record.attempts, 1) << record.endpoint_id << " " << record.reason;
  }
  const EngineStats stats = (*engine)->Stats();
  EXPECT_EQ(stats.total.failed_attempts, 0u);
  (*engine)->DrainAndStop(0);
}

TEST(EngineTest, DrainFinishesInFlightWorkWithinTheGracePeriod) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200, "", 200}; });
  Outcomes outcomes;
  auto engine = StartEngine(&outcomes);
  ASSERT_TRUE(engine->AddEndpoint(EndpointFor("a", receiver.Url())).ok());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(engine->Publish(MakeEvent("a", "{}")).ok());
  ASSERT_TRUE(receiver.WaitForCount(1, 5000));
  DrainReport report = engine->DrainAndStop(10000);
  EXPECT_TRUE(report.graceful);
  EXPECT_EQ(report.still_pending, 0u);
  EXPECT_EQ(report.cancelled_in_flight, 0u);
  EXPECT_EQ(outcomes.records().size(), 20u);
  EXPECT_EQ(engine->Publish(MakeEvent("a", "{}")).code(), StatusCode::kUnavailable);
  EXPECT_EQ(engine->Stats().total.delivered, 20u);
}

TEST(EngineTest, DrainReportsWhatTheGracePeriodCouldNotFinish) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200, "", 3000}; });
  Outcomes outcomes;
  auto engine = StartEngine(&outcomes, 1);
  EndpointConfig config = EndpointFor("a", receiver.Url());
  config.max_in_flight = 2;
  ASSERT_TRUE(engine->AddEndpoint(config).ok());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(engine->Publish(MakeEvent("a", "{}")).ok());
  ASSERT_TRUE(receiver.WaitForCount(2, 5000));
  DrainReport report = engine->DrainAndStop(100);
  EXPECT_FALSE(report.graceful);
  EXPECT_EQ(report.cancelled_in_flight, 2u);
  EXPECT_EQ(report.still_pending, 8u);
  EXPECT_EQ(engine->PendingDeliveries(), 0u);
}

TEST(EngineTest, AdmissionRefusesWholeBatchesOverThePendingLimit) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200, "", 1000}; });
  Outcomes outcomes;
  auto engine = StartEngine(&outcomes, 1, /*max_pending=*/5);
  ASSERT_TRUE(engine->AddEndpoint(EndpointFor("a", receiver.Url())).ok());
  std::vector<EventPtr> three = {MakeEvent("a", "1"), MakeEvent("a", "2"), MakeEvent("a", "3")};
  ASSERT_TRUE(engine->PublishBatch(three).ok());
  Status refused = engine->PublishBatch(three);  // 6 > 5: none of them
  EXPECT_EQ(refused.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(engine->PendingDeliveries(), 3u);
  ASSERT_TRUE(engine->Publish(MakeEvent("a", "4")).ok());
  EXPECT_EQ(engine->Stats().rejected_events, 3u);
  engine->DrainAndStop(0);
}

TEST(EngineTest, BadEndpointConfigsAreRejectedNamingTheField) {
  Outcomes outcomes;
  auto engine = StartEngine(&outcomes, 1);
  EndpointConfig bad_url = EndpointFor("x", "ftp://example");
  Status status = engine->AddEndpoint(bad_url);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("url: ", 0), 0u) << status.message();

  EndpointConfig bad_secret = EndpointFor("x", "http://127.0.0.1:1/");
  bad_secret.secrets = {"not-a-secret"};
  status = engine->AddEndpoint(bad_secret);
  EXPECT_NE(status.message().find("whsec_"), std::string::npos) << status.message();

  EndpointConfig bad_header = EndpointFor("x", "http://127.0.0.1:1/");
  bad_header.headers = {{"X-Evil", "a\r\nHost: other"}};
  status = engine->AddEndpoint(bad_header);
  EXPECT_EQ(status.message().rfind("headers.X-Evil: ", 0), 0u) << status.message();

  EndpointConfig reserved = EndpointFor("x", "http://127.0.0.1:1/");
  reserved.headers = {{"webhook-signature", "forged"}};
  EXPECT_FALSE(engine->AddEndpoint(reserved).ok());

  ASSERT_TRUE(engine->AddEndpoint(EndpointFor("dup", "http://127.0.0.1:1/")).ok());
  EXPECT_FALSE(engine->AddEndpoint(EndpointFor("dup", "http://127.0.0.1:1/")).ok());
  EXPECT_EQ(engine->RemoveEndpoint("missing").code(), StatusCode::kNotFound);
}

TEST(EngineTest, QueryParametersAndStaticHeadersAreSent) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  Outcomes outcomes;
  auto engine = StartEngine(&outcomes, 1);
  EndpointConfig config = EndpointFor("pryv", receiver.Url("/hooks/user-1?a=1"));
  config.query = {{"secret", "s p&c"}};
  config.headers = {{"X-Team", "payments"}};
  config.signing = "none";
  config.secrets = {};
  ASSERT_TRUE(engine->AddEndpoint(config).ok());
  ASSERT_TRUE(engine->Publish(MakeEvent("a", "{}")).ok());
  ASSERT_TRUE(outcomes.WaitFor(1));
  auto request = receiver.Requests()[0];
  EXPECT_EQ(request.target, "/hooks/user-1?a=1&secret=s%20p%26c");
  EXPECT_EQ(request.Header("x-team"), "payments");
  EXPECT_EQ(request.Header("webhook-signature"), "");
}

}  // namespace
}  // namespace hookfan::engine
