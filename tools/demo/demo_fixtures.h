#pragma once
// The five webhook systems of the seed documents (/work/shared/seeds: Ionic Push, Pryv.io,
// Novu Push Webhook, CleverPush, Passworks) as hookfan reproduces them: their example
// events, as valid JSON, and an endpoint configured the way each system sends. Used by
// `hookfan demo`; meant to be reused wherever the seed systems are needed (tests, docs).
//
//   for (const SeedExample& e : SeedExamples()) {
//     engine->Publish(engine::MakeEvent(std::string(e.event_type), std::string(e.payload)));
//   }
//   engine::EndpointConfig ionic = SeedEndpointConfig("ionic");
//   ionic.url = "http://127.0.0.1:8080" + ionic.url;   // url holds the path only
//
// Pure data and pure functions: safe from any thread.

#include <span>
#include <string_view>

#include "engine/endpoints/endpoint_config.h"

namespace hookfan::tools {

// The systems in display order: "ionic", "pryv", "novu", "cleverpush", "passworks".
std::span<const std::string_view> SeedSystems();

struct SeedExample {
  std::string_view system;      // one of SeedSystems()
  std::string_view event_type;  // "<system>.<event>", e.g. "cleverpush.optIn"
  std::string_view payload;     // valid JSON, as the system's documentation shows it
};

// Every example event, grouped by system in SeedSystems() order. The payloads are the
// documents' examples made valid JSON (Ionic's JavaScript object literal quoted, Novu's
// comments removed); where a document shows one example for several events (Passworks,
// Pryv) each event gets that example with its own event name.
std::span<const SeedExample> SeedExamples();

// The examples of one system; empty for an unknown name.
std::span<const SeedExample> SeedExamplesOf(std::string_view system);

// An endpoint with id `system`, subscribed to "<system>.*", configured as the system sends:
//   ionic       signing none, retry preset "ionic", received_field "received"
//   pryv        signing none, the user id in the path, a secret in the query
//   novu        signing "novu" with an HMAC key (x-novu-signature)
//   cleverpush  Standard Webhooks with a fresh whsec_ secret, retry preset "cleverpush"
//   passworks   signing "api-key" (Authorization: <organisation key>), charset=utf-8
// `url` holds only the path (e.g. "/pryv/users/ckv3t9demo/webhook"): the caller prepends its
// receiver's origin. The keys are fixed demo values, except the generated whsec_ secret.
// Aborts on an unknown system (a programming error: names come from SeedSystems()).
engine::EndpointConfig SeedEndpointConfig(std::string_view system);

}  // namespace hookfan::tools
