// Payload modes end to end: Pryv-style notification batching and Ionic's received stamp.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "engine/events/received_stamp.h"
#include "engine/hookfan.h"
#include "engine/signing/signer.h"
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

EndpointConfig NotificationEndpoint(const TestReceiver& receiver, std::size_t max_batch,
                                    DurationMs max_wait_ms) {
  EndpointConfig config = EndpointFor("pryv", receiver.Url("/pryv/user-42?secret=s3"));
  config.signing = "none";
  config.secrets = {};
  config.payload_mode = PayloadMode::kNotification;
  config.notification.max_batch = max_batch;
  config.notification.max_wait_ms = max_wait_ms;
  config.notification.api_version = "1.4.8";
  config.notification.serial = 20190810;
  return config;
}

TEST(EnginePayloadModesTest, NotificationModeCoalescesEventsIntoOnePost) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  Outcomes outcomes;
  auto engine = StartEngine(&outcomes, 1);
  ASSERT_TRUE(engine->AddEndpoint(NotificationEndpoint(receiver, 100, 300)).ok());
  const std::int64_t before_ms = WallNowMs();
  for (const char* type : {"eventsChanged", "streamsChanged", "eventsChanged", "eventsChanged"}) {
    ASSERT_TRUE(engine->Publish(MakeEvent(type, "{}")).ok());
  }
  ASSERT_TRUE(outcomes.WaitFor(1));
  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/pryv/user-42?secret=s3");
  simdjson::dom::parser parser;
  simdjson::padded_string body(requests[0].body);
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(body).get(root), simdjson::SUCCESS) << requests[0].body;
  simdjson::dom::array messages = root["messages"];
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(std::string_view(messages.at(0)), "eventsChanged");
  EXPECT_EQ(std::string_view(messages.at(1)), "streamsChanged");
  EXPECT_EQ(std::string_view(root["meta"]["apiVersion"]), "1.4.8");
  EXPECT_EQ(int64_t(root["meta"]["serial"]), 20190810);
  const double server_time = root["meta"]["serverTime"];
  EXPECT_GE(server_time, static_cast<double>(before_ms) / 1000.0 - 0.001);
  EXPECT_NE(requests[0].body.find(R"("serverTime":)"), std::string::npos);
  EXPECT_EQ(engine->Stats().total.delivered, 1u);  // one POST for four events
  EXPECT_EQ(engine->PendingDeliveries(), 0u);
}

TEST(EnginePayloadModesTest, NotificationBatchLeavesAsSoonAsItIsFull) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  Outcomes outcomes;
  auto engine = StartEngine(&outcomes, 1);
  // A wait far longer than the test: only a full batch can explain a POST.
  ASSERT_TRUE(engine->AddEndpoint(NotificationEndpoint(receiver, 3, 60000)).ok());
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(engine->Publish(MakeEvent("t" + std::to_string(i % 2), "{}")).ok());
  }
  ASSERT_TRUE(outcomes.WaitFor(2));
  EXPECT_EQ(receiver.count(), 2u);
}

TEST(EnginePayloadModesTest, DrainFlushesGatheredNotifications) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  Outcomes outcomes;
  auto engine = StartEngine(&outcomes, 1);
  ASSERT_TRUE(engine->AddEndpoint(NotificationEndpoint(receiver, 100, 60000)).ok());
  ASSERT_TRUE(engine->Publish(MakeEvent("eventsChanged", "{}")).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let it reach the batch
  DrainReport report = engine->DrainAndStop(5000);
  EXPECT_TRUE(report.graceful);
  EXPECT_EQ(receiver.count(), 1u);
}

TEST(EnginePayloadModesTest, ReceivedFieldIsStampedSignedAndStableAcrossRetries) {
  std::atomic<int> calls{0};
  TestReceiver receiver(
      [&](const ReceivedRequest&) { return ReceiverReply{++calls == 1 ? 500 : 200}; });
  Outcomes outcomes;
  auto engine = StartEngine(&outcomes, 1);
  EndpointConfig config = EndpointFor("ionic", receiver.Url());
  config.received_field = "received";
  ASSERT_TRUE(engine->AddEndpoint(config).ok());
  EventPtr event = MakeEvent("ionic.token.registered", R"({"user_id":1337,"name":"Test User"})");
  ASSERT_TRUE(engine->Publish(event).ok());
  ASSERT_TRUE(outcomes.WaitFor(1));
  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 2u);
  const std::string expected = R"({"received":")" + FormatReceivedTime(event->received_unix_ms) +
                               R"(","user_id":1337,"name":"Test User"})";
  EXPECT_EQ(requests[0].body, expected);
  EXPECT_EQ(requests[1].body, expected);  // the same time on the retry
  auto valid =
      VerifyStandardSignature(config.secrets[0], event->id, requests[1].Header("webhook-timestamp"),
                              requests[1].body, requests[1].Header("webhook-signature"));
  ASSERT_TRUE(valid.ok());
  EXPECT_TRUE(*valid);
}

// Issue 9, defect 10: the stamp used to be made (payload copied and re-parsed) on every
// attempt; it is made once per event and received_field at publish, and every delivery and
// retry of that event to such endpoints shares the one stamped copy.
TEST(EnginePayloadModesTest, ReceivedFieldIsStampedOncePerEventAtPublish) {
  std::atomic<int> calls{0};
  TestReceiver receiver(
      [&](const ReceivedRequest&) { return ReceiverReply{++calls <= 3 ? 503 : 200}; });
  std::mutex mutex;
  std::map<std::string, std::pair<const Event*, std::string>> delivered;  // by endpoint
  EngineConfig engine_config;
  engine_config.workers = 1;
  engine_config.on_outcome = [&](const DeliveryOutcome& o) {
    std::lock_guard<std::mutex> lock(mutex);
    delivered[o.endpoint_id] = {&o.event, o.event.payload};
  };
  auto started = Engine::Start(std::move(engine_config));
  ASSERT_TRUE(started.ok());
  Engine& engine = **started;
  for (const char* id : {"ionic-a", "ionic-b", "plain"}) {
    EndpointConfig config = EndpointFor(id, receiver.Url(std::string("/") + id));
    if (std::string_view(id) != "plain") config.received_field = "received";
    ASSERT_TRUE(engine.AddEndpoint(config).ok());
  }
  EventPtr event = MakeEvent("ionic.push", R"({"user_id":7})");
  ASSERT_TRUE(engine.Publish(event).ok());
  for (int i = 0; i < 1000 && engine.PendingDeliveries() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(engine.PendingDeliveries(), 0u);
  const std::string stamped =
      R"({"received":")" + FormatReceivedTime(event->received_unix_ms) + R"(","user_id":7})";
  std::lock_guard<std::mutex> lock(mutex);
  ASSERT_EQ(delivered.size(), 3u);
  EXPECT_EQ(delivered["ionic-a"].second, stamped);
  EXPECT_EQ(delivered["ionic-b"].second, stamped);
  // One stamped copy for both endpoints (and all their retries), the original for the other.
  EXPECT_EQ(delivered["ionic-a"].first, delivered["ionic-b"].first);
  EXPECT_EQ(delivered["plain"].first, event.get());
  EXPECT_EQ(delivered["plain"].second, event->payload);
  for (const ReceivedRequest& request : receiver.Requests()) {
    EXPECT_EQ(request.body, request.target == "/plain" ? event->payload : stamped);
  }
  EXPECT_GT(receiver.count(), 3u);  // retries happened
  engine.DrainAndStop(0);
}

TEST(EnginePayloadModesTest, BadModeSettingsAreRejected) {
  Outcomes outcomes;
  auto engine = StartEngine(&outcomes, 1);
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  EndpointConfig zero = NotificationEndpoint(receiver, 0, 100);
  EXPECT_EQ(engine->AddEndpoint(zero).message().rfind("notification.max_batch", 0), 0u);
  EndpointConfig both = NotificationEndpoint(receiver, 10, 100);
  both.received_field = "received";
  EXPECT_EQ(engine->AddEndpoint(both).message().rfind("received_field", 0), 0u);
}

}  // namespace
}  // namespace hookfan::engine
