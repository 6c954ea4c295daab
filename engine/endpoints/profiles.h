#pragma once
// Profiles: named sets of endpoint defaults that make hookfan send webhooks the way one of
// the systems of SPEC.md does (Ionic Push, Pryv.io, Novu Push Webhook, CleverPush,
// Passworks). docs/recipes.md shows each one as TOML and what the receiver sees.
//
//   EndpointConfig config;
//   HOOKFAN_RETURN_IF_ERROR(ApplyProfile("passworks", &config));  // defaults first
//   config.id = "passes";                                         // then the operator's
//   config.url = "http://127.0.0.1:9000/passworks";               // own settings, which
//   config.event_types = {"installed", "redeemed"};               // override the defaults
//   config.secrets = {organisation_api_key};
//   HOOKFAN_RETURN_IF_ERROR(ValidateForProfile("passworks", config));
//   HOOKFAN_RETURN_IF_ERROR(engine.AddEndpoint(config));  // the generic checks
//
// What each profile sets (everything else keeps the EndpointConfig default):
//   ionic       signing none, retry preset "ionic" (1 + 3 retries, 30 min apart),
//               received_field "received"; events registered, updated, token_invalid.
//   pryv        signing none, payload_mode notification (max_batch 100, max_wait 1 s,
//               api_version "1.0.0", serial 0), rate limit 0.2/s burst 1 (one POST per
//               5 s), disable_after_failures 5, retry preset "standard"; any event type.
//   novu        signing novu (needs the HMAC key as the one secret), retry "standard";
//               any event type.
//   cleverpush  signing none, retry preset "cleverpush" (1 + 8 retries, 2 min doubling);
//               events optIn, optOut, delivery, click, updateTopics, topicAdded,
//               attributeUpdate.
//   passworks   signing api-key (needs the organisation's API key as the one secret),
//               content_type "application/json; charset=utf-8", retry "standard"; events
//               created, downloaded, installed, fetched, redeemed, uninstalled.
// The senders do not sign where the profile says `none`: their receivers expect no signature
// header. Event names are the value the system puts in its payload ("type" for CleverPush,
// "event" for Passworks); hookfan routes on the Event's type, so sources publish with it.
//
// ValidateForProfile checks what the profile needs beyond ValidateEndpointConfig, with
// errors naming the field:
//   secret: the novu profile needs the Push Webhook's HMAC key as the endpoint's secret
//   event_types[0]: 'redeemd' is not a Passworks event (known: created, downloaded, ...)
//   notification.max_batch: must be between 1 and 10000, got 0
// A key is required only while the profile's signing scheme is in force: an operator who
// sets `signing = "none"` on a passworks endpoint (Passworks calls authentication optional)
// needs none. Fixed event names are checked exactly (case matters); "*" means all of them.
//
// Pure functions over constant tables: any thread.

#include <span>
#include <string_view>

#include "engine/endpoints/endpoint_config.h"
#include "net/base/status.h"

namespace hookfan::engine {

struct Profile {
  std::string_view name;    // "passworks": what `profile = ...` says
  std::string_view system;  // "Passworks": what error messages and docs say
  // The system's fixed event names; empty when it has none (any event type is accepted).
  std::span<const std::string_view> event_types;
};

// Every profile, in the order of SPEC.md's seed list.
std::span<const Profile> Profiles();
// nullptr when there is no profile of that name (exact, lowercase).
const Profile* FindProfile(std::string_view name);

// Writes the profile's defaults into `config`, over whatever the fields held; apply it to a
// fresh config before the operator's own settings. Unknown name:
// `profile: unknown profile 'x' (known: ionic, pryv, novu, cleverpush, passworks)`.
Status ApplyProfile(std::string_view name, EndpointConfig* config);

// The profile's own requirements on a finished config (see above). It does not repeat
// ValidateEndpointConfig's checks; run both.
Status ValidateForProfile(std::string_view name, const EndpointConfig& config);

}  // namespace hookfan::engine
