// The five seed systems (SPEC.md) played end to end through their profiles: real workers,
// real HTTP to a TestReceiver on loopback, each system's own example payload
// (tests/data/seeds/), checked header by header and byte for byte, plus each system's
// behaviour on failure. Signatures are checked against openssl/Python, not hookfan's code.
// Pryv's notification mode and Ionic's `received` stamping are in seed_pryv_ionic_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "engine/endpoints/profiles.h"
#include "engine/hookfan.h"
#include "engine/signing/webhook_secret.h"
#include "tests/support/outcome_log.h"
#include "tests/support/reference_hmac.h"
#include "tests/support/seed_fixture.h"
#include "tests/support/test_receiver.h"

namespace hookfan::engine {
namespace {

using hookfan::testing::OutcomeLog;
using hookfan::testing::ReceivedRequest;
using hookfan::testing::ReceiverReply;
using hookfan::testing::SeedPayload;
using hookfan::testing::TestReceiver;
using Headers = std::vector<std::pair<std::string, std::string>>;

std::unique_ptr<Engine> StartEngine(OutcomeLog* log, double retry_scale = 1.0) {
  return hookfan::testing::StartSeedEngine(log, 7, retry_scale);
}

// A profile's endpoint as an operator would write it: defaults first, then their settings.
EndpointConfig ProfileEndpoint(std::string_view profile, std::string id, std::string url) {
  EndpointConfig config;
  HOOKFAN_CHECK(ApplyProfile(profile, &config).ok());
  config.id = std::move(id);
  config.url = std::move(url);
  return config;
}

Status AddProfileEndpoint(Engine& engine, std::string_view profile, const EndpointConfig& config) {
  HOOKFAN_RETURN_IF_ERROR(ValidateForProfile(profile, config));
  return engine.AddEndpoint(config);
}

// Every header of the request, in order, exactly as expected.
void ExpectHeaders(const ReceivedRequest& request, const Headers& expected) {
  EXPECT_EQ(request.headers, expected) << request.target;
}

Headers BaseHeaders(const TestReceiver& receiver, std::string_view content_type,
                    std::size_t content_length) {
  return {{"Host", "127.0.0.1:" + std::to_string(receiver.port())},
          {"User-Agent", "hookfan/0.1"},
          {"Content-Type", std::string(content_type)},
          {"Content-Length", std::to_string(content_length)}};
}

// Gaps between consecutive arrivals, in ms.
std::vector<DurationMs> Gaps(const std::vector<ReceivedRequest>& requests) {
  std::vector<DurationMs> gaps;
  for (std::size_t i = 1; i < requests.size(); ++i) {
    gaps.push_back(requests[i].at_ms - requests[i - 1].at_ms);
  }
  return gaps;
}

TEST(SeedProfilesTest, IonicTreatsEvery2xxAsSuccess) {
  std::atomic<int> status{200};
  TestReceiver receiver([&](const ReceivedRequest&) { return ReceiverReply{status.load()}; });
  OutcomeLog log;
  auto engine = StartEngine(&log);
  EndpointConfig config = ProfileEndpoint("ionic", "ionic", receiver.Url("/example-api-endpoint"));
  config.received_field.clear();  // byte for byte here; the stamping has its own test
  ASSERT_TRUE(AddProfileEndpoint(*engine, "ionic", config).ok());
  const std::string payload = SeedPayload("ionic_registration.json");
  int expected_outcomes = 0;
  for (int code : {200, 201, 204}) {
    status = code;
    ASSERT_TRUE(engine->Publish(MakeEvent("registered", payload)).ok());
    ASSERT_TRUE(log.WaitFor(++expected_outcomes));
    const auto record = log.records().back();
    EXPECT_EQ(record.kind, DeliveryOutcome::Kind::kDelivered) << code;
    EXPECT_EQ(record.attempts, 1) << code;
    EXPECT_EQ(record.last_status, code);
  }
  ASSERT_EQ(receiver.count(), 3u);
  for (const ReceivedRequest& request : receiver.Requests()) {
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.target, "/example-api-endpoint");
    EXPECT_EQ(request.body, payload);
    // Ionic does not sign: no signature header at all.
    ExpectHeaders(request, BaseHeaders(receiver, "application/json", payload.size()));
  }
}

TEST(SeedProfilesTest, IonicRetriesThreeTimesThirtyMinutesApartThenDeadLetters) {
  // Any non-2xx is a failure: a redirect, a client error, server errors.
  std::atomic<int> calls{0};
  const int statuses[] = {302, 404, 500, 502};
  TestReceiver receiver([&](const ReceivedRequest&) {
    const int n = calls++;
    return ReceiverReply{statuses[std::min(n, 3)]};
  });
  OutcomeLog log;
  constexpr double kScale = 0.0001;  // 30 min becomes 180 ms
  auto engine = StartEngine(&log, kScale);
  EndpointConfig config = ProfileEndpoint("ionic", "ionic", receiver.Url());
  config.received_field.clear();
  ASSERT_TRUE(AddProfileEndpoint(*engine, "ionic", config).ok());
  const std::string payload = SeedPayload("ionic_token_invalid.json");
  EventPtr event = MakeEvent("token_invalid", payload);
  ASSERT_TRUE(engine->Publish(event).ok());
  ASSERT_TRUE(log.WaitFor(1));
  const auto record = log.records()[0];
  EXPECT_EQ(record.kind, DeliveryOutcome::Kind::kDeadLettered);
  EXPECT_EQ(record.attempts, 4);
  EXPECT_EQ(record.last_status, 502);
  EXPECT_EQ(record.reason, "http_502");

  const auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 4u);
  for (const ReceivedRequest& request : requests) EXPECT_EQ(request.body, payload);
  const DurationMs thirty_minutes = static_cast<DurationMs>(30 * kMinuteMs * kScale);
  for (DurationMs gap : Gaps(requests)) EXPECT_GE(gap, thirty_minutes * 9 / 10);

  const auto letters = engine->DeadLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].endpoint_id, "ionic");
  EXPECT_EQ(letters[0].event->id, event->id);
  EXPECT_EQ(letters[0].attempts, 4);
}

TEST(SeedProfilesTest, NovuSignsTheExactBodyWithItsKeyInHex) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  OutcomeLog log;
  auto engine = StartEngine(&log);
  EndpointConfig config = ProfileEndpoint("novu", "novu", receiver.Url("/novu/push"));
  const std::string key = "YOUR_HMAC_SECRET_KEY with spaces & symbols";
  config.secrets = {key};
  ASSERT_TRUE(AddProfileEndpoint(*engine, "novu", config).ok());
  const std::string payload = SeedPayload("novu_push.json");
  ASSERT_TRUE(engine->Publish(MakeEvent("push", payload)).ok());
  ASSERT_TRUE(log.WaitFor(1));
  ASSERT_EQ(receiver.count(), 1u);
  const ReceivedRequest request = receiver.Requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/novu/push");
  EXPECT_EQ(request.body, payload);
  for (const char* field : {"\"target\"", "\"title\"", "\"content\"", "\"overrides\"",
                            "\"payload\"", "subscriber-token-for-push-webhook-provider"}) {
    EXPECT_NE(request.body.find(field), std::string::npos) << field;
  }

  StatusOr<std::string> reference = hookfan::testing::ReferenceHmacSha256Hex(key, request.body);
  ASSERT_TRUE(reference.ok()) << reference.status().ToString();
  ASSERT_EQ(reference->size(), 64u);
  Headers expected = BaseHeaders(receiver, "application/json", payload.size());
  expected.emplace_back("x-novu-signature", *reference);
  ExpectHeaders(request, expected);
  // The key matters: another key gives another signature.
  StatusOr<std::string> other = hookfan::testing::ReferenceHmacSha256Hex("other", request.body);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(request.Header("x-novu-signature"), *other);
}

TEST(SeedProfilesTest, CleverPushEndpointsReceiveOnlyTheTypedEventsTheySubscribedTo) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  OutcomeLog log;
  auto engine = StartEngine(&log);
  EndpointConfig all = ProfileEndpoint("cleverpush", "all", receiver.Url("/all"));
  EndpointConfig messages = ProfileEndpoint("cleverpush", "messages", receiver.Url("/messages"));
  messages.event_types = {"delivery", "click"};
  EndpointConfig topics = ProfileEndpoint("cleverpush", "topics", receiver.Url("/topics"));
  topics.event_types = {"updateTopics", "topicAdded", "attributeUpdate"};
  for (const EndpointConfig* config : {&all, &messages, &topics}) {
    ASSERT_TRUE(AddProfileEndpoint(*engine, "cleverpush", *config).ok()) << config->id;
  }
  const std::vector<std::string> types = {"optIn",        "optOut",     "delivery",       "click",
                                          "updateTopics", "topicAdded", "attributeUpdate"};
  std::map<std::string, std::string> payload_by_type;
  for (const std::string& type : types) {
    payload_by_type[type] = SeedPayload("cleverpush_" + type + ".json");
    ASSERT_TRUE(engine->Publish(MakeEvent(type, payload_by_type[type])).ok());
  }
  ASSERT_TRUE(log.WaitFor(7 + 2 + 3));
  ASSERT_TRUE(receiver.WaitForCount(12, 5000));

  std::map<std::string, std::multiset<std::string>> bodies_by_path;
  for (const ReceivedRequest& request : receiver.Requests()) {
    bodies_by_path[request.target].insert(request.body);
    EXPECT_EQ(request.method, "POST");
    ExpectHeaders(request, BaseHeaders(receiver, "application/json", request.body.size()));
  }
  auto bodies = [&](std::initializer_list<const char*> names) {
    std::multiset<std::string> out;
    for (const char* name : names) out.insert(payload_by_type[name]);
    return out;
  };
  EXPECT_EQ(bodies_by_path["/all"], bodies({"optIn", "optOut", "delivery", "click", "updateTopics",
                                            "topicAdded", "attributeUpdate"}));
  EXPECT_EQ(bodies_by_path["/messages"], bodies({"delivery", "click"}));
  EXPECT_EQ(bodies_by_path["/topics"], bodies({"updateTopics", "topicAdded", "attributeUpdate"}));
}

TEST(SeedProfilesTest, CleverPushRetriesEightTimesFromTwoMinutesDoublingThenDeadLetters) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{500}; });
  OutcomeLog log;
  constexpr double kScale = 0.0002;  // 2 min becomes 24 ms; all eight waits ~6.1 s
  auto engine = StartEngine(&log, kScale);
  ASSERT_TRUE(
      AddProfileEndpoint(*engine, "cleverpush", ProfileEndpoint("cleverpush", "cp", receiver.Url()))
          .ok());
  const std::string payload = SeedPayload("cleverpush_optIn.json");
  ASSERT_TRUE(engine->Publish(MakeEvent("optIn", payload)).ok());
  ASSERT_TRUE(log.WaitFor(1, 60000));
  const auto record = log.records()[0];
  EXPECT_EQ(record.kind, DeliveryOutcome::Kind::kDeadLettered);
  EXPECT_EQ(record.attempts, 9);
  EXPECT_EQ(record.reason, "http_500");

  const auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 9u);
  for (const ReceivedRequest& request : requests) EXPECT_EQ(request.body, payload);
  const std::vector<DurationMs> gaps = Gaps(requests);
  double expected = 2 * kMinuteMs * kScale;
  for (std::size_t i = 0; i < gaps.size(); ++i, expected *= 2) {
    // Never early; late only by scheduling noise (the bound is generous on purpose).
    EXPECT_GE(static_cast<double>(gaps[i]), expected * 0.9) << "gap " << i;
    EXPECT_LE(static_cast<double>(gaps[i]), expected * 3 + 500) << "gap " << i;
  }
  // Doubling, not a fixed interval: the last wait is many times the first.
  EXPECT_GE(gaps.back(), gaps.front() * 16);
  EXPECT_EQ(engine->DeadLetters().size(), 1u);
}

TEST(SeedProfilesTest, PassworksSendsSubscribedEventsWithTheApiKeyAndCharsetJson) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  OutcomeLog log;
  auto engine = StartEngine(&log);
  const std::string api_key = "pk_live_0123456789abcdef";
  EndpointConfig devices = ProfileEndpoint("passworks", "devices", receiver.Url("/devices"));
  devices.event_types = {"installed", "uninstalled"};
  devices.secrets = {api_key};
  EndpointConfig redemptions =
      ProfileEndpoint("passworks", "redemptions", receiver.Url("/redemptions"));
  redemptions.event_types = {"redeemed"};
  redemptions.secrets = {api_key};
  ASSERT_TRUE(AddProfileEndpoint(*engine, "passworks", devices).ok());
  ASSERT_TRUE(AddProfileEndpoint(*engine, "passworks", redemptions).ok());

  // The documented example is an "installed" event; the others differ only in its name.
  const std::string installed = SeedPayload("passworks_installed.json");
  const std::string marker = R"("event": "installed")";
  ASSERT_NE(installed.find(marker), std::string::npos);
  std::map<std::string, std::string> payload_by_type;
  for (std::string type :
       {"created", "downloaded", "installed", "fetched", "redeemed", "uninstalled"}) {
    std::string payload = installed;
    payload.replace(payload.find(marker), marker.size(), "\"event\": \"" + type + "\"");
    payload_by_type[type] = payload;
    ASSERT_TRUE(engine->Publish(MakeEvent(type, payload)).ok());
  }
  ASSERT_TRUE(log.WaitFor(3));
  ASSERT_TRUE(receiver.WaitForCount(3, 5000));
  engine->DrainAndStop(5000);  // nothing else may arrive

  std::map<std::string, std::multiset<std::string>> bodies_by_path;
  for (const ReceivedRequest& request : receiver.Requests()) {
    bodies_by_path[request.target].insert(request.body);
    EXPECT_EQ(request.method, "POST");
    Headers expected =
        BaseHeaders(receiver, "application/json; charset=utf-8", request.body.size());
    expected.emplace_back("Authorization", api_key);
    ExpectHeaders(request, expected);
  }
  EXPECT_EQ(receiver.count(), 3u);
  EXPECT_EQ(
      bodies_by_path["/devices"],
      (std::multiset<std::string>{payload_by_type["installed"], payload_by_type["uninstalled"]}));
  EXPECT_EQ(bodies_by_path["/redemptions"],
            (std::multiset<std::string>{payload_by_type["redeemed"]}));
  // The documented example itself went out byte for byte.
  EXPECT_EQ(bodies_by_path["/devices"].count(installed), 1u);
}

TEST(SeedProfilesTest, PryvUserIdInPathAndSecretInQueryArriveIntactAndFailuresDeactivate) {
  // Pryv's URL, deactivation, reactivation and stats, in event mode: what works without the
  // notification batching (seed_pryv_ionic_test.cc covers the real notification mode).
  std::atomic<int> status{500};
  TestReceiver receiver([&](const ReceivedRequest&) { return ReceiverReply{status.load()}; });
  OutcomeLog log;
  auto engine = StartEngine(&log, 0.001);
  EndpointConfig config =
      ProfileEndpoint("pryv", "pryv-user", receiver.Url("/pryv/users/ckw3x9z/notify?src=pryv"));
  config.payload_mode = PayloadMode::kEvent;
  config.rate_limit_per_second = 0;
  config.disable_after_failures = 3;
  config.query = {{"secret", "s3cr3t/+=&?"}};
  ASSERT_TRUE(AddProfileEndpoint(*engine, "pryv", config).ok());
  const std::int64_t before_ms = WallNowMs();
  ASSERT_TRUE(engine->Publish(MakeEvent("eventsChanged", R"({"n":1})")).ok());
  ASSERT_TRUE(log.WaitFor(1));
  EXPECT_EQ(log.records()[0].kind, DeliveryOutcome::Kind::kDeadLettered);
  EXPECT_EQ(receiver.count(), 3u);  // the third consecutive failure deactivated it
  EngineStats stats = engine->Stats();
  ASSERT_EQ(stats.endpoints.size(), 1u);
  EXPECT_FALSE(stats.endpoints[0].enabled);
  EXPECT_EQ(stats.endpoints[0].failed_attempts, 3u);
  EXPECT_EQ(stats.endpoints[0].delivered, 0u);
  EXPECT_EQ(stats.endpoints[0].last_status, 500);

  status = 200;
  ASSERT_TRUE(engine->SetEndpointEnabled("pryv-user", true).ok());
  ASSERT_TRUE(engine->Publish(MakeEvent("streamsChanged", R"({"n":2})")).ok());
  ASSERT_TRUE(log.WaitFor(2));
  EXPECT_EQ(log.records()[1].kind, DeliveryOutcome::Kind::kDelivered);
  stats = engine->Stats();
  EXPECT_TRUE(stats.endpoints[0].enabled);
  EXPECT_EQ(stats.endpoints[0].delivered, 1u);
  EXPECT_EQ(stats.endpoints[0].failed_attempts, 3u);
  EXPECT_EQ(stats.endpoints[0].last_status, 200);
  EXPECT_GE(stats.endpoints[0].last_attempt_unix_ms, before_ms);
  EXPECT_LE(stats.endpoints[0].last_attempt_unix_ms, WallNowMs());

  for (const ReceivedRequest& request : receiver.Requests()) {
    EXPECT_EQ(request.target, "/pryv/users/ckw3x9z/notify?src=pryv&secret=s3cr3t%2F%2B%3D%26%3F");
    ExpectHeaders(request, BaseHeaders(receiver, "application/json", request.body.size()));
  }
}

TEST(SeedProfilesTest, StandardWebhooksSignaturesVerifyWithAnIndependentImplementation) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  OutcomeLog log;
  auto engine = StartEngine(&log);
  EndpointConfig config;  // hookfan's defaults: Standard Webhooks signing
  config.id = "standard";
  config.url = receiver.Url("/standard");
  const std::string new_secret = GenerateStandardSecret();
  const std::string old_secret = GenerateStandardSecret();
  config.secrets = {new_secret, old_secret};  // rotation: both signatures
  ASSERT_TRUE(engine->AddEndpoint(config).ok());
  const std::string payload = SeedPayload("passworks_installed.json");
  EventPtr event = MakeEvent("pass.installed", payload);
  ASSERT_TRUE(engine->Publish(event).ok());
  ASSERT_TRUE(log.WaitFor(1));
  const ReceivedRequest request = receiver.Requests()[0];
  EXPECT_EQ(request.body, payload);
  const std::string timestamp = request.Header("webhook-timestamp");
  ASSERT_FALSE(timestamp.empty());
  EXPECT_EQ(timestamp.find_first_not_of("0123456789"), std::string::npos) << timestamp;
  const std::int64_t seconds = std::stoll(timestamp);
  EXPECT_LE(std::abs(seconds - WallNowMs() / 1000), 60);

  auto first =
      hookfan::testing::ReferenceStandardSignature(new_secret, event->id, timestamp, request.body);
  auto second =
      hookfan::testing::ReferenceStandardSignature(old_secret, event->id, timestamp, request.body);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(first->rfind("v1,", 0), 0u);
  Headers expected = BaseHeaders(receiver, "application/json", payload.size());
  expected.emplace_back("webhook-id", event->id);
  expected.emplace_back("webhook-timestamp", timestamp);
  expected.emplace_back("webhook-signature", *first + " " + *second);
  ExpectHeaders(request, expected);
}

}  // namespace
}  // namespace hookfan::engine
