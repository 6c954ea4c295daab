#include "engine/endpoints/profiles.h"

#include <gtest/gtest.h>

#include "engine/signing/webhook_secret.h"

namespace hookfan::engine {
namespace {

EndpointConfig Applied(std::string_view profile) {
  EndpointConfig config;
  EXPECT_TRUE(ApplyProfile(profile, &config).ok()) << profile;
  config.id = "ep";
  config.url = "http://127.0.0.1:9/hook";
  return config;
}

TEST(ProfilesTest, ListsTheFiveSeedSystemsInOrder) {
  std::vector<std::string_view> names;
  for (const Profile& profile : Profiles()) names.push_back(profile.name);
  EXPECT_EQ(names,
            (std::vector<std::string_view>{"ionic", "pryv", "novu", "cleverpush", "passworks"}));
  ASSERT_NE(FindProfile("cleverpush"), nullptr);
  EXPECT_EQ(FindProfile("cleverpush")->system, "CleverPush");
  EXPECT_EQ(FindProfile("CleverPush"), nullptr);  // exact, lowercase
  EXPECT_EQ(FindProfile("pryv")->event_types.size(), 0u);
  EXPECT_EQ(FindProfile("passworks")->event_types.size(), 6u);
  EXPECT_EQ(FindProfile("ionic")->event_types.size(), 3u);
}

TEST(ProfilesTest, CleverPushListsItsSevenEventTypes) {
  const Profile* profile = FindProfile("cleverpush");
  ASSERT_NE(profile, nullptr);
  std::vector<std::string_view> types(profile->event_types.begin(), profile->event_types.end());
  EXPECT_EQ(types,
            (std::vector<std::string_view>{"optIn", "optOut", "delivery", "click", "updateTopics",
                                           "topicAdded", "attributeUpdate"}));
}

TEST(ProfilesTest, UnknownProfileNamesTheKnownOnes) {
  EndpointConfig config;
  Status status = ApplyProfile("svix", &config);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "profile: unknown profile 'svix' (known: ionic, pryv, novu, cleverpush, passworks)");
  EXPECT_EQ(ValidateForProfile("", config).message(),
            "profile: unknown profile '' (known: ionic, pryv, novu, cleverpush, passworks)");
}

TEST(ProfilesTest, EachProfileSetsItsSystemsDefaults) {
  EndpointConfig ionic = Applied("ionic");
  EXPECT_EQ(ionic.signing, "none");
  EXPECT_EQ(ionic.retry.preset, "ionic");
  EXPECT_EQ(ionic.received_field, "received");
  EXPECT_EQ(ionic.content_type, "application/json");
  EXPECT_EQ(ionic.payload_mode, PayloadMode::kEvent);

  EndpointConfig pryv = Applied("pryv");
  EXPECT_EQ(pryv.signing, "none");
  EXPECT_EQ(pryv.payload_mode, PayloadMode::kNotification);
  EXPECT_DOUBLE_EQ(pryv.rate_limit_per_second, 0.2);
  EXPECT_DOUBLE_EQ(pryv.rate_limit_burst, 1);
  EXPECT_EQ(pryv.disable_after_failures, 5);
  EXPECT_EQ(pryv.notification.max_batch, 100u);
  EXPECT_EQ(pryv.notification.max_wait_ms, 1000);
  EXPECT_TRUE(pryv.received_field.empty());

  EndpointConfig novu = Applied("novu");
  EXPECT_EQ(novu.signing, "novu");
  EXPECT_EQ(novu.retry.preset, "standard");

  EndpointConfig cleverpush = Applied("cleverpush");
  EXPECT_EQ(cleverpush.signing, "none");
  EXPECT_EQ(cleverpush.retry.preset, "cleverpush");

  EndpointConfig passworks = Applied("passworks");
  EXPECT_EQ(passworks.signing, "api-key");
  EXPECT_EQ(passworks.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(passworks.retry.preset, "standard");
}

TEST(ProfilesTest, ApplyingAProfileLeavesNothingOfAnotherBehind) {
  EndpointConfig config;
  ASSERT_TRUE(ApplyProfile("pryv", &config).ok());
  ASSERT_TRUE(ApplyProfile("ionic", &config).ok());
  ASSERT_TRUE(ApplyProfile("passworks", &config).ok());
  EXPECT_EQ(config.payload_mode, PayloadMode::kEvent);
  EXPECT_EQ(config.rate_limit_per_second, 0);
  EXPECT_EQ(config.disable_after_failures, 0);
  EXPECT_TRUE(config.received_field.empty());
  EXPECT_EQ(config.retry.preset, "standard");
}

TEST(ProfilesTest, ConfiguredEndpointsPassTheGenericValidation) {
  EndpointConfig novu = Applied("novu");
  novu.secrets = {"my-hmac-key"};
  EXPECT_TRUE(ValidateForProfile("novu", novu).ok());
  EXPECT_TRUE(ValidateEndpointConfig(novu).ok()) << ValidateEndpointConfig(novu).message();

  EndpointConfig passworks = Applied("passworks");
  passworks.secrets = {"org-api-key"};
  passworks.event_types = {"installed", "*"};
  EXPECT_TRUE(ValidateForProfile("passworks", passworks).ok());
  EXPECT_TRUE(ValidateEndpointConfig(passworks).ok());

  for (std::string_view name : {"ionic", "cleverpush"}) {
    EndpointConfig config = Applied(name);
    EXPECT_TRUE(ValidateForProfile(name, config).ok()) << name;
    EXPECT_TRUE(ValidateEndpointConfig(config).ok()) << ValidateEndpointConfig(config).message();
  }
  EXPECT_TRUE(ValidateForProfile("pryv", Applied("pryv")).ok());
}

TEST(ProfilesTest, NovuNeedsExactlyOneKey) {
  EndpointConfig config = Applied("novu");
  EXPECT_EQ(ValidateForProfile("novu", config).message(),
            "secret: the novu profile needs the Push Webhook's HMAC key as the endpoint's secret");
  config.secrets = {""};
  EXPECT_EQ(ValidateForProfile("novu", config).message().rfind("secret: ", 0), 0u);
  config.secrets = {"a", "b"};
  EXPECT_EQ(ValidateForProfile("novu", config).message(),
            "secrets: the novu profile takes exactly one key (got 2)");
}

TEST(ProfilesTest, PassworksNeedsTheApiKeyUnlessSigningIsTurnedOff) {
  EndpointConfig config = Applied("passworks");
  EXPECT_EQ(ValidateForProfile("passworks", config).message(),
            "secret: the passworks profile needs the organisation's API key as the endpoint's "
            "secret");
  config.signing = "none";  // Passworks calls authentication optional
  EXPECT_TRUE(ValidateForProfile("passworks", config).ok());
}

TEST(ProfilesTest, UnknownEventNamesAreRefusedForProfilesWithFixedTypes) {
  EndpointConfig passworks = Applied("passworks");
  passworks.secrets = {"key"};
  passworks.event_types = {"redeemd"};
  EXPECT_EQ(ValidateForProfile("passworks", passworks).message(),
            "event_types[0]: 'redeemd' is not a Passworks event (known: created, downloaded, "
            "installed, fetched, redeemed, uninstalled)");

  EndpointConfig cleverpush = Applied("cleverpush");
  cleverpush.event_types = {"click", "optin"};  // case matters
  EXPECT_EQ(ValidateForProfile("cleverpush", cleverpush).message(),
            "event_types[1]: 'optin' is not a CleverPush event (known: optIn, optOut, delivery, "
            "click, updateTopics, topicAdded, attributeUpdate)");
  cleverpush.event_types = {"click.*"};  // wildcards cannot match dot-free names
  EXPECT_EQ(ValidateForProfile("cleverpush", cleverpush).message().rfind("event_types[0]: ", 0),
            0u);

  EndpointConfig ionic = Applied("ionic");
  ionic.event_types = {"registered", "updated", "token_invalid", "deleted"};
  EXPECT_EQ(ValidateForProfile("ionic", ionic).message(),
            "event_types[3]: 'deleted' is not an Ionic Push event (known: registered, updated, "
            "token_invalid)");

  // Profiles without fixed types accept any filter.
  EndpointConfig novu = Applied("novu");
  novu.secrets = {"key"};
  novu.event_types = {"anything.*"};
  EXPECT_TRUE(ValidateForProfile("novu", novu).ok());
}

TEST(ProfilesTest, PryvBatchSettingsOutOfRangeAreRefused) {
  EndpointConfig config = Applied("pryv");
  config.notification.max_batch = 0;
  EXPECT_EQ(ValidateForProfile("pryv", config).message(),
            "notification.max_batch: must be between 1 and 10000, got 0");
  config.notification.max_batch = 10001;
  EXPECT_EQ(ValidateForProfile("pryv", config).message(),
            "notification.max_batch: must be between 1 and 10000, got 10001");
  config.notification.max_batch = 10000;
  config.notification.max_wait_ms = -1;
  EXPECT_EQ(ValidateForProfile("pryv", config).message(),
            "notification.max_wait_ms: must be between 0 and 3600000 (1h), got -1");
  config.notification.max_wait_ms = kHourMs + 1;
  EXPECT_EQ(ValidateForProfile("pryv", config).message().rfind("notification.max_wait_ms: ", 0),
            0u);
  config.notification.max_wait_ms = 0;
  config.notification.api_version = "";
  EXPECT_EQ(ValidateForProfile("pryv", config).message(),
            "notification.api_version: must not be empty");
  config.notification.api_version = "1.4\"8";
  EXPECT_EQ(ValidateForProfile("pryv", config).message().rfind("notification.api_version: ", 0),
            0u);
  config.notification.api_version = "1.4.8";
  config.notification.serial = -1;
  EXPECT_EQ(ValidateForProfile("pryv", config).message(),
            "notification.serial: must not be negative, got -1");
  config.notification.serial = 20190810;
  EXPECT_TRUE(ValidateForProfile("pryv", config).ok());
}

}  // namespace
}  // namespace hookfan::engine
