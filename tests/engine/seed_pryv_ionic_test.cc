// Pryv.io's notification webhooks and Ionic Push's `received` field, end to end through
// their profiles, written against the EndpointConfig contract (payload_mode notification,
// notification{max_batch, max_wait_ms, api_version, serial}, received_field).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "engine/endpoints/profiles.h"
#include "engine/hookfan.h"
#include "tests/support/outcome_log.h"
#include "tests/support/seed_fixture.h"
#include "tests/support/test_receiver.h"

namespace hookfan::engine {
namespace {

using hookfan::testing::OutcomeLog;
using hookfan::testing::ReceivedRequest;
using hookfan::testing::ReceiverReply;
using hookfan::testing::SeedPayload;
using hookfan::testing::TestReceiver;

std::unique_ptr<Engine> StartEngine(OutcomeLog* log, double retry_scale = 1.0) {
  return hookfan::testing::StartSeedEngine(log, 11, retry_scale);
}

EndpointConfig PryvEndpoint(std::string id, std::string url) {
  EndpointConfig config;
  HOOKFAN_CHECK(ApplyProfile("pryv", &config).ok());
  config.id = std::move(id);
  config.url = std::move(url);
  config.rate_limit_per_second = 0;  // tests that want the frequency limit set it
  config.notification.api_version = "1.4.8";
  config.notification.serial = 20190810;
  return config;
}

Status AddChecked(Engine& engine, std::string_view profile, const EndpointConfig& config) {
  HOOKFAN_RETURN_IF_ERROR(ValidateForProfile(profile, config));
  return engine.AddEndpoint(config);
}

// One notification body, parsed: {"messages":[...],"meta":{"apiVersion","serverTime","serial"}}.
struct Notification {
  std::vector<std::string> messages;
  std::string api_version;
  double server_time = 0;
  std::int64_t serial = -1;
};

Notification ParseNotification(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  Notification out;
  EXPECT_EQ(parser.parse(body).get(root), simdjson::SUCCESS) << body;
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) return out;
  std::size_t keys = 0;
  for (auto field : object) {
    (void)field;
    ++keys;
  }
  EXPECT_EQ(keys, 2u) << body;  // messages and meta, nothing else
  simdjson::dom::array messages;
  EXPECT_EQ(object["messages"].get_array().get(messages), simdjson::SUCCESS) << body;
  for (auto message : messages) {
    std::string_view text;
    EXPECT_EQ(message.get_string().get(text), simdjson::SUCCESS) << body;
    out.messages.emplace_back(text);
  }
  simdjson::dom::object meta;
  EXPECT_EQ(object["meta"].get_object().get(meta), simdjson::SUCCESS) << body;
  std::string_view version;
  EXPECT_EQ(meta["apiVersion"].get_string().get(version), simdjson::SUCCESS) << body;
  out.api_version = std::string(version);
  EXPECT_EQ(meta["serverTime"].get_double().get(out.server_time), simdjson::SUCCESS) << body;
  EXPECT_EQ(meta["serial"].get_int64().get(out.serial), simdjson::SUCCESS) << body;
  return out;
}

TEST(SeedPryvIonicTest, PryvCoalescesEventsIntoOneNotificationOfDistinctTypes) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  OutcomeLog log;
  auto engine = StartEngine(&log);
  EndpointConfig config = PryvEndpoint("pryv", receiver.Url("/pryv"));
  config.notification.max_batch = 4;
  config.notification.max_wait_ms = 200;
  ASSERT_TRUE(AddChecked(*engine, "pryv", config).ok());
  const double before_s = static_cast<double>(WallNowMs()) / 1000;
  // Five events in one call: the first four fill a batch, the fifth waits max_wait alone.
  std::vector<EventPtr> events = {
      MakeEvent("eventsChanged", R"({"id":1})"), MakeEvent("streamsChanged", R"({"id":2})"),
      MakeEvent("eventsChanged", R"({"id":3})"), MakeEvent("accessesChanged", R"({"id":4})"),
      MakeEvent("streamsChanged", R"({"id":5})")};
  ASSERT_TRUE(engine->PublishBatch(events).ok());
  ASSERT_TRUE(receiver.WaitForCount(2, 10000));
  const double after_s = static_cast<double>(WallNowMs()) / 1000;
  const auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 2u);

  const Notification first = ParseNotification(requests[0].body);
  EXPECT_EQ(first.messages,
            (std::vector<std::string>{"eventsChanged", "streamsChanged", "accessesChanged"}));
  EXPECT_EQ(first.api_version, "1.4.8");
  EXPECT_EQ(first.serial, 20190810);
  EXPECT_GE(first.server_time, before_s - 1);
  EXPECT_LE(first.server_time, after_s + 1);
  EXPECT_NE(requests[0].body.find("\"serverTime\":"), std::string::npos);
  const Notification second = ParseNotification(requests[1].body);
  EXPECT_EQ(second.messages, (std::vector<std::string>{"streamsChanged"}));
  // The lone event waited for company before going out.
  EXPECT_GE(requests[1].at_ms - requests[0].at_ms, 150);

  for (const ReceivedRequest& request : requests) {
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.Header("content-type"), "application/json");
    EXPECT_EQ(request.Header("webhook-signature"), "");  // Pryv does not sign
  }
  // The batch is one delivery: one outcome per POST.
  ASSERT_TRUE(log.WaitFor(2));
  EngineStats stats = engine->Stats();
  ASSERT_EQ(stats.endpoints.size(), 1u);
  EXPECT_EQ(stats.endpoints[0].delivered, 2u);
}

TEST(SeedPryvIonicTest, PryvFirstEventWaitsAtMostMaxWait) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  OutcomeLog log;
  auto engine = StartEngine(&log);
  EndpointConfig config = PryvEndpoint("pryv", receiver.Url("/pryv"));
  config.notification.max_wait_ms = 300;
  ASSERT_TRUE(AddChecked(*engine, "pryv", config).ok());
  const TimeMs published_ms = MonotonicNowMs();
  ASSERT_TRUE(engine->Publish(MakeEvent("eventsChanged", "{}")).ok());
  ASSERT_TRUE(receiver.WaitForCount(1, 10000));
  EXPECT_GE(receiver.Requests()[0].at_ms - published_ms, 270);
  EXPECT_EQ(ParseNotification(receiver.Requests()[0].body).messages,
            (std::vector<std::string>{"eventsChanged"}));
}

TEST(SeedPryvIonicTest, PryvFrequencyLimitSpacesThePostsAndLosesNoType) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  OutcomeLog log;
  auto engine = StartEngine(&log);
  EndpointConfig config = PryvEndpoint("pryv", receiver.Url("/pryv"));
  config.notification.max_batch = 1;
  config.notification.max_wait_ms = 0;
  config.rate_limit_per_second = 5;  // one POST per 200 ms
  config.rate_limit_burst = 1;
  ASSERT_TRUE(AddChecked(*engine, "pryv", config).ok());
  const std::vector<std::string> types = {"eventsChanged", "streamsChanged", "accessesChanged",
                                          "followedSlicesChanged"};
  for (const std::string& type : types) ASSERT_TRUE(engine->Publish(MakeEvent(type, "{}")).ok());
  // However the engine groups them while the limit holds them back, every type arrives.
  std::set<std::string> seen;
  for (int i = 0; i < 200 && seen.size() < types.size(); ++i) {
    for (const ReceivedRequest& request : receiver.Requests()) {
      for (const std::string& message : ParseNotification(request.body).messages) {
        seen.insert(message);
      }
    }
    if (seen.size() < types.size()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(seen, std::set<std::string>(types.begin(), types.end()));
  const auto requests = receiver.Requests();
  ASSERT_GE(requests.size(), 2u);
  for (std::size_t i = 1; i < requests.size(); ++i) {
    EXPECT_GE(requests[i].at_ms - requests[i - 1].at_ms, 180) << i;
  }
}

TEST(SeedPryvIonicTest, PryvDeactivatesAfterFailuresReactivatesAndKeepsStats) {
  std::atomic<int> status{500};
  TestReceiver receiver([&](const ReceivedRequest&) { return ReceiverReply{status.load()}; });
  OutcomeLog log;
  auto engine = StartEngine(&log);
  EndpointConfig config = PryvEndpoint("pryv-ckw3x9z", receiver.Url("/pryv/ckw3x9z/notifications"));
  config.query = {{"secret", "s3cr3t/+="}};
  config.notification.max_wait_ms = 0;
  config.disable_after_failures = 3;
  config.retry.preset.clear();
  config.retry.delays = std::vector<DurationMs>{5, 5, 5, 5, 5};
  ASSERT_TRUE(AddChecked(*engine, "pryv", config).ok());
  const std::int64_t before_ms = WallNowMs();
  ASSERT_TRUE(engine->Publish(MakeEvent("eventsChanged", "{}")).ok());
  ASSERT_TRUE(log.WaitFor(1));
  EXPECT_EQ(log.records()[0].kind, DeliveryOutcome::Kind::kDeadLettered);
  EXPECT_EQ(receiver.count(), 3u);
  EngineStats stats = engine->Stats();
  ASSERT_EQ(stats.endpoints.size(), 1u);
  EXPECT_FALSE(stats.endpoints[0].enabled);
  EXPECT_EQ(stats.endpoints[0].failed_attempts, 3u);
  EXPECT_EQ(stats.endpoints[0].last_status, 500);

  status = 200;
  ASSERT_TRUE(engine->SetEndpointEnabled("pryv-ckw3x9z", true).ok());
  ASSERT_TRUE(engine->Publish(MakeEvent("streamsChanged", "{}")).ok());
  ASSERT_TRUE(log.WaitFor(2));
  EXPECT_EQ(log.records()[1].kind, DeliveryOutcome::Kind::kDelivered);
  stats = engine->Stats();
  EXPECT_TRUE(stats.endpoints[0].enabled);
  EXPECT_EQ(stats.endpoints[0].delivered, 1u);
  EXPECT_EQ(stats.endpoints[0].last_status, 200);
  EXPECT_GE(stats.endpoints[0].last_attempt_unix_ms, before_ms);
  EXPECT_LE(stats.endpoints[0].last_attempt_unix_ms, WallNowMs());
  const auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 4u);
  for (const ReceivedRequest& request : requests) {
    EXPECT_EQ(request.target, "/pryv/ckw3x9z/notifications?secret=s3cr3t%2F%2B%3D");
  }
  EXPECT_EQ(ParseNotification(requests[3].body).messages,
            (std::vector<std::string>{"streamsChanged"}));
}

// "2015-03-18T17:21:42.571286" to Unix milliseconds; -1 when the text has another shape.
// (Parsed by hand: std::regex trips GCC 12's -Wmaybe-uninitialized under the sanitizers.)
std::int64_t ParseReceived(const std::string& text) {
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddddd";
  if (text.size() != kShape.size()) return -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (kShape[i] == 'd' ? !digit : text[i] != kShape[i]) return -1;
  }
  auto number = [&](std::size_t at, std::size_t length) {
    return std::stoi(text.substr(at, length));
  };
  std::tm tm{};
  tm.tm_year = number(0, 4) - 1900;
  tm.tm_mon = number(5, 2) - 1;
  tm.tm_mday = number(8, 2);
  tm.tm_hour = number(11, 2);
  tm.tm_min = number(14, 2);
  tm.tm_sec = number(17, 2);
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + number(20, 6) / 1000;
}

// The payload's top-level fields as minified JSON text, by name.
std::map<std::string, std::string> Fields(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  std::map<std::string, std::string> out;
  EXPECT_EQ(parser.parse(body).get_object().get(object), simdjson::SUCCESS) << body;
  for (auto [key, value] : object) {
    EXPECT_EQ(out.count(std::string(key)), 0u) << "duplicate " << key;
    out[std::string(key)] = simdjson::minify(value);
  }
  return out;
}

TEST(SeedPryvIonicTest, IonicReceivedIsTheAcceptTimeAndStaysTheSameAcrossRetries) {
  std::atomic<int> calls{0};
  TestReceiver receiver(
      [&](const ReceivedRequest&) { return ReceiverReply{++calls == 1 ? 500 : 200}; });
  OutcomeLog log;
  auto engine = StartEngine(&log, 0.0001);  // 30 min becomes 180 ms
  EndpointConfig config;
  ASSERT_TRUE(ApplyProfile("ionic", &config).ok());
  config.id = "ionic";
  config.url = receiver.Url();
  ASSERT_TRUE(AddChecked(*engine, "ionic", config).ok());
  const std::string payload = SeedPayload("ionic_registration.json");
  EventPtr event = MakeEvent("registered", payload);
  ASSERT_TRUE(engine->Publish(event).ok());
  ASSERT_TRUE(log.WaitFor(1));
  EXPECT_EQ(log.records()[0].kind, DeliveryOutcome::Kind::kDelivered);
  const auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 2u);

  std::map<std::string, std::string> sent = Fields(payload);
  std::map<std::string, std::string> first = Fields(requests[0].body);
  ASSERT_EQ(first.count("received"), 1u);
  const std::string received = first["received"];  // a JSON string, quotes included
  ASSERT_GE(received.size(), 2u);
  const std::int64_t received_ms = ParseReceived(received.substr(1, received.size() - 2));
  EXPECT_NE(received_ms, -1) << received;
  EXPECT_LE(std::llabs(received_ms - event->received_unix_ms), 1000) << received;
  EXPECT_NE(received, sent["received"]);  // the example's 2015 value was replaced
  // Everything else is untouched, and a retry carries the very same value.
  first.erase("received");
  sent.erase("received");
  EXPECT_EQ(first, sent);
  EXPECT_EQ(requests[1].body, requests[0].body);
}

TEST(SeedPryvIonicTest, IonicReceivedIsAddedWhenThePayloadHasNone) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  OutcomeLog log;
  auto engine = StartEngine(&log);
  EndpointConfig config;
  ASSERT_TRUE(ApplyProfile("ionic", &config).ok());
  config.id = "ionic";
  config.url = receiver.Url();
  ASSERT_TRUE(AddChecked(*engine, "ionic", config).ok());
  const std::string payload = SeedPayload("ionic_token_invalid.json");
  ASSERT_TRUE(engine->Publish(MakeEvent("token_invalid", payload)).ok());
  ASSERT_TRUE(log.WaitFor(1));
  std::map<std::string, std::string> fields = Fields(receiver.Requests()[0].body);
  ASSERT_EQ(fields.count("received"), 1u);
  EXPECT_NE(ParseReceived(fields["received"].substr(1, fields["received"].size() - 2)), -1);
  fields.erase("received");
  EXPECT_EQ(fields, Fields(payload));
}

}  // namespace
}  // namespace hookfan::engine
