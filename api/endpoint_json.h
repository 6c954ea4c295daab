#pragma once
// Endpoints as JSON, for the admin API (api/admin_api.h) and its store: the keys of a
// config file's [[endpoints]] table (docs/configuration.md), with the same meaning, checks
// and defaults. Durations are strings ("5s") or integers of milliseconds.
//
//   EndpointConfig config;
//   Status parsed = ApplyEndpointJson(body, EndpointJsonMode::kCreate, &config, &profile);
//   // "endpoints.retry.attempts: must be an integer", "endpoints.sigining: unknown field"
//
// Writing never includes the secrets unless asked (the store needs them; answers never
// carry them except the one made by create and rotate).

#include <string>
#include <string_view>

#include "engine/endpoints/endpoint_config.h"
#include "net/base/json_writer.h"
#include "net/base/status.h"

namespace hookfan::tools {

enum class EndpointJsonMode {
  kCreate,  // POST /v1/endpoints: every key; id, secret optional; profile applied first
  kPatch,   // PATCH: every key but id, profile, secret(s) (rotate has its own route)
  kStored,  // read back from the store: every key, secrets included
};

// Applies the members of a JSON object onto `config` (which holds the defaults, or the
// current settings for a patch), then validates the result. Errors name the field, prefixed
// with "endpoints.". `profile` receives the profile name when the body has one. On create,
// a missing id is generated ("ep_" + 26 time-ordered characters) and so is a missing
// standard secret (`*secret_generated` then says so).
Status ApplyEndpointJson(std::string_view body, EndpointJsonMode mode,
                         engine::EndpointConfig* config, std::string* profile = nullptr,
                         bool* secret_generated = nullptr);

// "ep_" + 26 characters, time-ordered like event ids.
std::string GenerateEndpointId();

// Writes the endpoint's settings as members of an already open object.
void WriteEndpointFields(JsonWriter& json, const engine::EndpointConfig& config, bool with_secrets);

}  // namespace hookfan::tools
