#include "tools/demo/demo_fixtures.h"

#include <array>
#include <string>

#include "engine/signing/webhook_secret.h"
#include "net/base/check.h"

namespace hookfan::tools {
namespace {

constexpr std::array<std::string_view, 5> kSystems = {"ionic", "pryv", "novu", "cleverpush",
                                                      "passworks"};

// Ionic Push: the registration example was a JavaScript object literal; keys and strings are
// quoted here. "received" is the time Ionic received the registration.
constexpr std::string_view kIonicRegisteredAndroid = R"({
  "received": "2015-03-18T17:21:42.571286",
  "user_id": 1337,
  "name": "Test User",
  "app_id": "e0dcfbf7",
  "push": {"android_tokens": ["APA91bHJIt_a6yuPl4S94aH4TNTu_KDZ1vB5oOJfURlZfeVSRCOPaPdwdwUwi6HUCAubpstaJZN3d8j8Ay-SpJEqgUf51VAL_i94ejU-O9HSYiFPNvWUSgOneFWlZY22xzk94iloAfX-l7jFsdvyU7m98szI6n7SysUYKrPAdf9svc2NFn_Du1tkwFdWSm1mJw7fiY76Eijx"]},
  "message": "I come from planet Ion"
})";

// "android_tokens" becomes "ios_tokens" when an iOS device registers.
constexpr std::string_view kIonicRegisteredIos = R"({
  "received": "2015-03-18T17:22:07.104211",
  "user_id": 1338,
  "name": "Test User",
  "app_id": "e0dcfbf7",
  "push": {"ios_tokens": ["b284a6f7545368d2d3f753263e3e2f2b7795be5263ed7c95017f628730edeaad"]},
  "message": "I come from planet Ion"
})";

constexpr std::string_view kIonicTokenInvalid = R"({
  "ios_token": "b284a6f7545368d2d3f753263e3e2f2b7795be5263ed7c95017f628730edeaad",
  "token_invalid": true
})";

// Pryv.io: one notification per change kind. The document's "serverTime:" key is a typo in
// its example; the API's field is "serverTime".
constexpr std::string_view kPryvEventsChanged =
    R"({"messages": ["eventsChanged"], "meta": {"apiVersion": "1.4.8", "serverTime": 1557927701.698, "serial": 20190810}})";
constexpr std::string_view kPryvStreamsChanged =
    R"({"messages": ["streamsChanged"], "meta": {"apiVersion": "1.4.8", "serverTime": 1557927702.113, "serial": 20190810}})";
constexpr std::string_view kPryvAccessesChanged =
    R"({"messages": ["accessesChanged"], "meta": {"apiVersion": "1.4.8", "serverTime": 1557927703.402, "serial": 20190810}})";

// Novu Push Webhook: the document's example with its comments removed.
constexpr std::string_view kNovuPush = R"({
  "target": ["subscriber-token-for-push-webhook-provider"],
  "title": "Push Webhook message title",
  "content": "push Webhook content body",
  "overrides": {
    "data": {"custom_message": "this is custom message from payload push webhook demo"}
  },
  "payload": {
    "custom_message": "this is custom message from payload push webhook demo",
    "__source": "test-workflow",
    "subscriber": {
      "_id": "65c0d71c0959a38e8857b131",
      "_organizationId": "organizationId",
      "_environmentId": "environmentId",
      "firstName": "Pawan",
      "lastName": "Jain",
      "phone": "+123456789",
      "subscriberId": "push-webhook-demo-subscriber-id",
      "email": "pawan+push+web+hook+demo@domain.com",
      "channels": [
        {
          "credentials": {"deviceTokens": ["subscriber-token-for-push-webhook-provider"]},
          "_integrationId": "integrationId",
          "providerId": "push-webhook"
        }
      ],
      "data": {"isDeveloper": "true"},
      "deleted": false,
      "createdAt": "2024-02-05T12:39:56.379Z",
      "updatedAt": "2024-02-05T12:54:08.684Z",
      "__v": 0,
      "id": "65c0d71c0959a38e8857b131"
    },
    "step": {"digest": false, "events": [], "total_count": 0}
  }
})";

// CleverPush: the seven documented events (the trailing comma of attributeUpdate's topics
// list removed).
constexpr std::string_view kCleverPushOptIn = R"({
  "type": "optIn",
  "subscription": {
    "_id": "SUBSCRIPTION_ID", "createdAt": "2024-03-04T09:50:51.375Z",
    "syncedAt": "2024-03-04T09:50:51.375Z", "channel": "CHANNEL_ID", "browserType": "SDK",
    "platformName": "iOS", "language": "en", "country": "DE", "timezone": "Europe/Berlin"
  },
  "channel": {"_id": "CHANNEL_ID"}
})";

constexpr std::string_view kCleverPushOptOut = R"({
  "type": "optOut",
  "subscription": {
    "_id": "SUBSCRIPTION_ID", "createdAt": "2024-03-04T09:50:51.375Z",
    "syncedAt": "2024-03-04T09:50:51.375Z", "browserType": "SDK", "platformName": "iOS",
    "topics": []
  },
  "channel": {"_id": "CHANNEL_ID"}
})";

constexpr std::string_view kCleverPushDelivery = R"({
  "type": "delivery",
  "date": "2024-03-04T10:09:40.124Z",
  "subscription": {"_id": "SUBSCRIPTION_ID"},
  "notification": {"_id": "NOTIFICATION_ID", "feedGuid": ["https://www.cnn.com/123456"]},
  "channel": {"_id": "CHANNEL_ID"}
})";

constexpr std::string_view kCleverPushClick = R"({
  "type": "click",
  "date": "2024-03-04T10:10:40.136Z",
  "subscription": {"_id": "SUBSCRIPTION_ID"},
  "notification": {"_id": "NOTIFICATION_ID", "feedGuid": ["https://www.cnn.com/123456"]},
  "channel": {"_id": "CHANNEL_ID"}
})";

constexpr std::string_view kCleverPushUpdateTopics = R"({
  "type": "updateTopics",
  "subscription": {
    "_id": "SUBSCRIPTION_ID", "createdAt": "2024-03-04T10:15:14.778Z",
    "syncedAt": "2024-03-04T10:15:14.778Z", "browserType": "SDK", "platformName": "iOS",
    "language": "en", "country": "DE", "timezone": "Europe/Berlin", "topics": ["TOPIC_ID_1"]
  },
  "channel": {"_id": "CHANNEL_ID"}
})";

constexpr std::string_view kCleverPushTopicAdded = R"({
  "type": "topicAdded",
  "subscription": {
    "_id": "SUBSCRIPTION_ID", "createdAt": "2024-03-04T10:15:14.778Z",
    "syncedAt": "2024-03-04T10:19:27.824Z", "browserType": "SDK", "platformName": "iOS",
    "language": "en", "country": "DE", "timezone": "Europe/Berlin", "topics": ["TOPIC_ID_1"]
  },
  "channel": {"_id": "CHANNEL_ID"},
  "newTopicsIds": ["TOPIC_ID_2"]
})";

constexpr std::string_view kCleverPushAttributeUpdate = R"({
  "type": "attributeUpdate",
  "subscription": {
    "_id": "SUBSCRIPTION_ID", "createdAt": "2024-03-04T10:15:14.778Z",
    "syncedAt": "2024-03-04T10:19:27.824Z", "browserType": "Chrome", "platformName": "Mac OS",
    "language": "en", "country": "DE", "timezone": "Europe/Berlin", "topics": ["TOPIC_ID_1"],
    "customAttributes": {"user_id": "test123"}
  },
  "channel": {"_id": "CHANNEL_ID"}
})";

// Passworks: the document shows "installed"; the other five events carry the same pass with
// the fields their event changes (redeemed_count, last_fetched_at, ...).
constexpr std::string_view kPassworksCreated = R"({
  "event": "created", "context": "pass",
  "campaign_id": "cbc3016c-4c55-4564-81e9-a21664817be2",
  "distribution_id": "723ed9c3-5909-4a12-9810-c58047d9feef",
  "pass_id": "d91aef7c-a166-4694-bb91-569714f9c33e", "voided": false,
  "serial_number": "9c05fa25-199b-4c5b-9242-4b42103138a7",
  "redeemed_count": 0, "redeemed_at": null,
  "created_at": "2016-08-10T11:29:08Z", "updated_at": "2016-08-10T11:29:08Z",
  "last_fetched_at": null, "event_at": "2016-08-10T11:29:08Z",
  "metadata": {}, "event_extra": {}
})";

constexpr std::string_view kPassworksDownloaded = R"({
  "event": "downloaded", "context": "pass",
  "campaign_id": "cbc3016c-4c55-4564-81e9-a21664817be2",
  "distribution_id": "723ed9c3-5909-4a12-9810-c58047d9feef",
  "pass_id": "d91aef7c-a166-4694-bb91-569714f9c33e", "voided": false,
  "serial_number": "9c05fa25-199b-4c5b-9242-4b42103138a7",
  "redeemed_count": 0, "redeemed_at": null,
  "created_at": "2016-08-10T11:29:08Z", "updated_at": "2016-08-10T11:29:09Z",
  "last_fetched_at": null, "event_at": "2016-08-10T11:29:51Z",
  "metadata": {},
  "event_extra": {"pass_id": "d91aef7c-a166-4694-bb91-569714f9c33e", "device_os": "ios",
                  "ip": "192.168.1.206"}
})";

constexpr std::string_view kPassworksInstalled = R"({
  "event": "installed",
  "context": "pass",
  "campaign_id": "cbc3016c-4c55-4564-81e9-a21664817be2",
  "distribution_id": "723ed9c3-5909-4a12-9810-c58047d9feef",
  "pass_id": "d91aef7c-a166-4694-bb91-569714f9c33e",
  "voided": false,
  "serial_number": "9c05fa25-199b-4c5b-9242-4b42103138a7",
  "redeemed_count": 0,
  "redeemed_at": null,
  "created_at": "2016-08-10T11:29:08Z",
  "updated_at": "2016-08-10T11:29:09Z",
  "last_fetched_at": null,
  "event_at": "2016-08-10T11:30:06Z",
  "metadata": {},
  "event_extra": {
    "pass_id": "d91aef7c-a166-4694-bb91-569714f9c33e",
    "registration_id": "00f537be-f153-46ad-a980-bbddcb9002c3",
    "device_os": "ios",
    "device_app_vendor": "passbook",
    "wallet_type": "apple_wallet",
    "ip": "192.168.1.206"
  }
})";

constexpr std::string_view kPassworksFetched = R"({
  "event": "fetched", "context": "pass",
  "campaign_id": "cbc3016c-4c55-4564-81e9-a21664817be2",
  "distribution_id": "723ed9c3-5909-4a12-9810-c58047d9feef",
  "pass_id": "d91aef7c-a166-4694-bb91-569714f9c33e", "voided": false,
  "serial_number": "9c05fa25-199b-4c5b-9242-4b42103138a7",
  "redeemed_count": 0, "redeemed_at": null,
  "created_at": "2016-08-10T11:29:08Z", "updated_at": "2016-08-10T11:29:09Z",
  "last_fetched_at": "2016-08-11T08:02:44Z", "event_at": "2016-08-11T08:02:44Z",
  "metadata": {},
  "event_extra": {"pass_id": "d91aef7c-a166-4694-bb91-569714f9c33e",
                  "registration_id": "00f537be-f153-46ad-a980-bbddcb9002c3", "device_os": "ios"}
})";

constexpr std::string_view kPassworksRedeemed = R"({
  "event": "redeemed", "context": "pass",
  "campaign_id": "cbc3016c-4c55-4564-81e9-a21664817be2",
  "distribution_id": "723ed9c3-5909-4a12-9810-c58047d9feef",
  "pass_id": "d91aef7c-a166-4694-bb91-569714f9c33e", "voided": false,
  "serial_number": "9c05fa25-199b-4c5b-9242-4b42103138a7",
  "redeemed_count": 1, "redeemed_at": "2016-08-12T17:45:10Z",
  "created_at": "2016-08-10T11:29:08Z", "updated_at": "2016-08-12T17:45:10Z",
  "last_fetched_at": "2016-08-11T08:02:44Z", "event_at": "2016-08-12T17:45:10Z",
  "metadata": {}, "event_extra": {}
})";

constexpr std::string_view kPassworksUninstalled = R"({
  "event": "uninstalled", "context": "pass",
  "campaign_id": "cbc3016c-4c55-4564-81e9-a21664817be2",
  "distribution_id": "723ed9c3-5909-4a12-9810-c58047d9feef",
  "pass_id": "d91aef7c-a166-4694-bb91-569714f9c33e", "voided": false,
  "serial_number": "9c05fa25-199b-4c5b-9242-4b42103138a7",
  "redeemed_count": 1, "redeemed_at": "2016-08-12T17:45:10Z",
  "created_at": "2016-08-10T11:29:08Z", "updated_at": "2016-08-20T09:12:31Z",
  "last_fetched_at": "2016-08-11T08:02:44Z", "event_at": "2016-08-20T09:12:31Z",
  "metadata": {},
  "event_extra": {"pass_id": "d91aef7c-a166-4694-bb91-569714f9c33e",
                  "registration_id": "00f537be-f153-46ad-a980-bbddcb9002c3", "device_os": "ios",
                  "device_app_vendor": "passbook", "wallet_type": "apple_wallet"}
})";

constexpr SeedExample kExamples[] = {
    {"ionic", "ionic.token.registered", kIonicRegisteredAndroid},
    {"ionic", "ionic.token.registered", kIonicRegisteredIos},
    {"ionic", "ionic.token.invalid", kIonicTokenInvalid},
    {"pryv", "pryv.eventsChanged", kPryvEventsChanged},
    {"pryv", "pryv.streamsChanged", kPryvStreamsChanged},
    {"pryv", "pryv.accessesChanged", kPryvAccessesChanged},
    {"novu", "novu.push", kNovuPush},
    {"cleverpush", "cleverpush.optIn", kCleverPushOptIn},
    {"cleverpush", "cleverpush.optOut", kCleverPushOptOut},
    {"cleverpush", "cleverpush.delivery", kCleverPushDelivery},
    {"cleverpush", "cleverpush.click", kCleverPushClick},
    {"cleverpush", "cleverpush.updateTopics", kCleverPushUpdateTopics},
    {"cleverpush", "cleverpush.topicAdded", kCleverPushTopicAdded},
    {"cleverpush", "cleverpush.attributeUpdate", kCleverPushAttributeUpdate},
    {"passworks", "passworks.pass.created", kPassworksCreated},
    {"passworks", "passworks.pass.downloaded", kPassworksDownloaded},
    {"passworks", "passworks.pass.installed", kPassworksInstalled},
    {"passworks", "passworks.pass.fetched", kPassworksFetched},
    {"passworks", "passworks.pass.redeemed", kPassworksRedeemed},
    {"passworks", "passworks.pass.uninstalled", kPassworksUninstalled},
};

}  // namespace

std::span<const std::string_view> SeedSystems() { return kSystems; }

std::span<const SeedExample> SeedExamples() { return kExamples; }

std::span<const SeedExample> SeedExamplesOf(std::string_view system) {
  std::span<const SeedExample> all = kExamples;
  std::size_t first = 0;
  while (first < all.size() && all[first].system != system) ++first;
  std::size_t last = first;
  while (last < all.size() && all[last].system == system) ++last;
  return all.subspan(first, last - first);
}

engine::EndpointConfig SeedEndpointConfig(std::string_view system) {
  engine::EndpointConfig config;
  config.id = std::string(system);
  config.event_types = {std::string(system) + ".*"};
  if (system == "ionic") {
    config.url = "/ionic/push-webhook";
    config.signing = "none";
    config.retry.preset = "ionic";
    config.received_field = "received";
  } else if (system == "pryv") {
    // Pryv's advice: identify the user in the URL, authenticate with a secret in the query.
    config.url = "/pryv/users/ckv3t9demo/webhook";
    config.signing = "none";
    config.query = {{"secret", "pryv-demo-query-secret"}};
  } else if (system == "novu") {
    config.url = "/novu/push";
    config.signing = "novu";
    config.secrets = {"novu-demo-hmac-key"};
  } else if (system == "cleverpush") {
    config.url = "/cleverpush/webhook";
    config.signing = "standard";
    config.secrets = {engine::GenerateStandardSecret()};
    config.retry.preset = "cleverpush";
  } else if (system == "passworks") {
    config.url = "/passworks/webhooks";
    config.signing = "api-key";
    config.secrets = {"pk_demo_7f3c2a9e41b84d0c"};
    config.content_type = "application/json; charset=utf-8";
  } else {
    HOOKFAN_CHECK(false && "SeedEndpointConfig: unknown system");
  }
  return config;
}

}  // namespace hookfan::tools
