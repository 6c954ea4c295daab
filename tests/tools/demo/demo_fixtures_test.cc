#include "tools/demo/demo_fixtures.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <set>
#include <string>

#include "engine/endpoints/endpoint_config.h"

namespace hookfan::tools {
namespace {

TEST(DemoFixturesTest, EveryPayloadIsValidJson) {
  simdjson::dom::parser parser;
  for (const SeedExample& example : SeedExamples()) {
    simdjson::padded_string padded(example.payload);
    simdjson::dom::object object;
    EXPECT_EQ(parser.parse(padded).get(object), simdjson::SUCCESS) << example.event_type;
  }
}

TEST(DemoFixturesTest, EverySystemHasExamplesOfItsOwn) {
  for (std::string_view system : SeedSystems()) {
    auto examples = SeedExamplesOf(system);
    ASSERT_FALSE(examples.empty()) << system;
    for (const SeedExample& example : examples) {
      EXPECT_EQ(example.system, system);
      EXPECT_EQ(example.event_type.substr(0, system.size() + 1), std::string(system) + ".");
    }
  }
  EXPECT_TRUE(SeedExamplesOf("mailchimp").empty());
}

// The event name inside each payload agrees with the event type it is published as.
TEST(DemoFixturesTest, PayloadsNameTheirOwnEvent) {
  simdjson::dom::parser parser;
  std::set<std::string> cleverpush, passworks;
  for (const SeedExample& example : SeedExamples()) {
    if (example.system != "cleverpush" && example.system != "passworks") continue;
    simdjson::padded_string padded(example.payload);
    simdjson::dom::object object;
    ASSERT_EQ(parser.parse(padded).get(object), simdjson::SUCCESS);
    std::string_view name;
    const std::string_view key = example.system == "cleverpush" ? "type" : "event";
    ASSERT_EQ(object[key].get(name), simdjson::SUCCESS) << example.event_type;
    const std::string suffix =
        std::string(example.event_type.substr(example.event_type.rfind('.') + 1));
    EXPECT_EQ(name, suffix);
    (example.system == "cleverpush" ? cleverpush : passworks).insert(suffix);
  }
  EXPECT_EQ(cleverpush, (std::set<std::string>{"optIn", "optOut", "delivery", "click",
                                               "updateTopics", "topicAdded", "attributeUpdate"}));
  EXPECT_EQ(passworks, (std::set<std::string>{"created", "downloaded", "installed", "fetched",
                                              "redeemed", "uninstalled"}));
}

TEST(DemoFixturesTest, EndpointConfigsAreValidAndSendAsTheirSystem) {
  for (std::string_view system : SeedSystems()) {
    engine::EndpointConfig config = SeedEndpointConfig(system);
    EXPECT_EQ(config.id, system);
    ASSERT_EQ(config.url.front(), '/') << system;
    config.url = "http://127.0.0.1:9" + config.url;
    EXPECT_TRUE(engine::ValidateEndpointConfig(config).ok())
        << system << ": " << engine::ValidateEndpointConfig(config).message();
  }
  EXPECT_EQ(SeedEndpointConfig("ionic").retry.preset, "ionic");
  EXPECT_EQ(SeedEndpointConfig("ionic").received_field, "received");
  EXPECT_EQ(SeedEndpointConfig("cleverpush").retry.preset, "cleverpush");
  EXPECT_EQ(SeedEndpointConfig("cleverpush").secrets.at(0).rfind("whsec_", 0), 0u);
  EXPECT_EQ(SeedEndpointConfig("novu").signing, "novu");
  EXPECT_EQ(SeedEndpointConfig("passworks").signing, "api-key");
  EXPECT_EQ(SeedEndpointConfig("passworks").content_type, "application/json; charset=utf-8");
  EXPECT_EQ(SeedEndpointConfig("pryv").signing, "none");
  EXPECT_FALSE(SeedEndpointConfig("pryv").query.empty());
}

}  // namespace
}  // namespace hookfan::tools
