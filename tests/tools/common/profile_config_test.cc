// The `profile` key of [[endpoints]] in `hookfan serve`'s TOML (tools/common/serve_config.cc).
#include <gtest/gtest.h>

#include <string>

#include "tools/common/serve_config.h"

namespace hookfan::tools {
namespace {

StatusOr<ServeConfig> Parse(const std::string& text) {
  return ParseServeConfig(text, "hookfan.toml");
}

TEST(ProfileConfigTest, NovuProfileSetsTheSigningScheme) {
  auto config = Parse(R"(
[[endpoints]]
profile = "novu"
id = "novu"
url = "http://127.0.0.1:9000/novu"
secret = "my-hmac-key"
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->endpoints.size(), 1u);
  const engine::EndpointConfig& endpoint = config->endpoints[0];
  EXPECT_EQ(endpoint.signing, "novu");
  EXPECT_EQ(endpoint.secrets, (std::vector<std::string>{"my-hmac-key"}));
  EXPECT_EQ(endpoint.retry.preset, "standard");
}

TEST(ProfileConfigTest, ExplicitKeysOverrideTheProfileWhateverTheirOrder) {
  // `profile` comes last in the table and still applies first.
  auto config = Parse(R"(
[[endpoints]]
id = "passes"
url = "http://127.0.0.1:9000/passworks"
content_type = "application/json"
retry = { attempts = 3, initial_delay = "1s" }
event_types = ["installed", "redeemed"]
secret = "org-api-key"
profile = "passworks"
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const engine::EndpointConfig& endpoint = config->endpoints[0];
  EXPECT_EQ(endpoint.signing, "api-key");                // from the profile
  EXPECT_EQ(endpoint.content_type, "application/json");  // overridden
  EXPECT_TRUE(endpoint.retry.preset.empty());            // a custom policy replaces the preset
  EXPECT_EQ(endpoint.retry.attempts, 3);
  EXPECT_EQ(endpoint.event_types, (std::vector<std::string>{"installed", "redeemed"}));
}

TEST(ProfileConfigTest, CleverPushAndIonicGetTheirRetryPresets) {
  auto config = Parse(R"(
[[endpoints]]
profile = "cleverpush"
id = "cp"
url = "http://127.0.0.1:9000/cp"
event_types = ["optIn", "optOut"]

[[endpoints]]
profile = "ionic"
id = "ionic"
url = "http://127.0.0.1:9000/ionic"
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->endpoints[0].retry.preset, "cleverpush");
  EXPECT_EQ(config->endpoints[0].signing, "none");
  EXPECT_EQ(config->endpoints[1].retry.preset, "ionic");
  EXPECT_EQ(config->endpoints[1].received_field, "received");
}

TEST(ProfileConfigTest, WithoutAProfileNothingChanges) {
  auto config = Parse(R"(
[[endpoints]]
id = "plain"
url = "http://127.0.0.1:9000/plain"
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->endpoints[0].signing, "standard");
  EXPECT_TRUE(config->endpoints[0].retry.preset.empty());
  EXPECT_TRUE(config->endpoints[0].received_field.empty());
}

TEST(ProfileConfigTest, UnknownProfileIsAnErrorNamingFileLineAndField) {
  auto config = Parse(R"(
[[endpoints]]
id = "x"
url = "http://127.0.0.1:9000/x"
profile = "nuvo"
)");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "hookfan.toml:5: endpoints[0].profile: unknown profile 'nuvo' (known: ionic, pryv, "
            "novu, cleverpush, passworks)");
  auto not_string =
      Parse("[[endpoints]]\nid = \"x\"\nurl = \"http://127.0.0.1:1/\"\nprofile = 3\n");
  ASSERT_FALSE(not_string.ok());
  EXPECT_EQ(not_string.status().message(),
            "hookfan.toml:4: endpoints[0].profile: must be a string");
}

TEST(ProfileConfigTest, MissingKeyIsReportedAtConfigurationTime) {
  auto config = Parse(R"(
[[endpoints]]
profile = "novu"
id = "novu"
url = "http://127.0.0.1:9000/novu"
)");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "hookfan.toml:2: endpoints[0].secret: the novu profile needs the Push Webhook's HMAC "
            "key as the endpoint's secret");
}

TEST(ProfileConfigTest, MisspelledEventNameIsReportedAtItsLine) {
  auto config = Parse(R"(
[[endpoints]]
profile = "passworks"
id = "passes"
url = "http://127.0.0.1:9000/passworks"
secret = "org-api-key"
event_types = ["redeemd"]
)");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "hookfan.toml:7: endpoints[0].event_types[0]: 'redeemd' is not a Passworks event "
            "(known: created, downloaded, installed, fetched, redeemed, uninstalled)");
}

}  // namespace
}  // namespace hookfan::tools
