#include "api/endpoint_json.h"

#include <simdjson.h>

#include <set>

#include "engine/endpoints/profiles.h"
#include "engine/events/event.h"
#include "engine/signing/webhook_secret.h"
#include "net/base/duration.h"

namespace hookfan::tools {
namespace {

using engine::EndpointConfig;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

Status FieldError(const std::string& field, std::string_view message) {
  return Status::InvalidArgument("endpoints." + field + ": " + std::string(message));
}

// "field: message" from a Status, without the field.
std::string AfterField(const Status& status) {
  const std::string& message = status.message();
  auto colon = message.find(": ");
  return colon == std::string::npos ? message : message.substr(colon + 2);
}

Status ReadString(element value, const std::string& field, std::string* out) {
  std::string_view text;
  if (value.get_string().get(text)) return FieldError(field, "must be a string");
  *out = std::string(text);
  return Status::Ok();
}

Status ReadInt(element value, const std::string& field, std::int64_t min, std::int64_t max,
               std::int64_t* out) {
  std::int64_t number = 0;
  if (value.type() != element_type::INT64 || value.get_int64().get(number)) {
    return FieldError(field, "must be an integer");
  }
  if (number < min || number > max) {
    return FieldError(field, "must be between " + std::to_string(min) + " and " +
                                 std::to_string(max) + ", got " + std::to_string(number));
  }
  *out = number;
  return Status::Ok();
}

Status ReadNumber(element value, const std::string& field, double* out) {
  if (value.type() == element_type::INT64 || value.type() == element_type::UINT64 ||
      value.type() == element_type::DOUBLE) {
    if (!value.get_double().get(*out)) return Status::Ok();
  }
  return FieldError(field, "must be a number");
}

Status ReadDuration(element value, const std::string& field, DurationMs* out) {
  if (value.type() == element_type::INT64) {
    std::int64_t ms = 0;
    HOOKFAN_RETURN_IF_ERROR(ReadInt(value, field, 0, INT64_MAX / 4, &ms));
    *out = ms;
    return Status::Ok();
  }
  std::string_view text;
  if (value.get_string().get(text)) {
    return FieldError(field, "must be a duration such as \"5s\" or milliseconds");
  }
  auto parsed = ParseDuration(text, field);
  if (!parsed.ok()) return FieldError(field, AfterField(parsed.status()));
  *out = *parsed;
  return Status::Ok();
}

Status ReadStringList(element value, const std::string& field, std::vector<std::string>* out) {
  simdjson::dom::array array;
  if (value.get_array().get(array)) return FieldError(field, "must be an array of strings");
  out->clear();
  std::size_t index = 0;
  for (element item : array) {
    std::string_view text;
    if (item.get_string().get(text)) {
      return FieldError(field + "[" + std::to_string(index) + "]", "must be a string");
    }
    out->emplace_back(text);
    ++index;
  }
  return Status::Ok();
}

Status ReadStringPairs(element value, const std::string& field,
                       std::vector<std::pair<std::string, std::string>>* out) {
  object members;
  if (value.get_object().get(members)) {
    return FieldError(field, "must be an object of string values");
  }
  out->clear();
  for (auto [key, item] : members) {
    std::string_view text;
    if (item.get_string().get(text)) {
      return FieldError(field + "." + std::string(key), "must be a string");
    }
    out->emplace_back(std::string(key), std::string(text));
  }
  return Status::Ok();
}

// Visits each member once, refusing duplicates and keys `known` does not list.
template <typename Visit>
Status ForEachMember(element value, const std::string& field,
                     std::initializer_list<std::string_view> known, Visit visit) {
  object members;
  if (value.get_object().get(members)) {
    return field.empty() ? Status::InvalidArgument("endpoints: the body must be a JSON object")
                         : FieldError(field, "must be an object");
  }
  std::set<std::string_view> seen;
  for (auto [key, item] : members) {
    const std::string name = field.empty() ? std::string(key) : field + "." + std::string(key);
    bool is_known = false;
    for (std::string_view k : known) is_known = is_known || k == key;
    if (!is_known) return FieldError(name, "unknown field");
    if (!seen.insert(key).second) return FieldError(name, "given twice");
    HOOKFAN_RETURN_IF_ERROR(visit(key, item, name));
  }
  return Status::Ok();
}

Status ReadRetry(element value, engine::RetryPolicySpec* spec) {
  *spec = {};  // replaces a profile's preset rather than mixing with it
  return ForEachMember(
      value, "retry",
      {"preset", "attempts", "initial_delay", "max_delay", "multiplier", "jitter", "delays"},
      [&](std::string_view key, element item, const std::string& field) -> Status {
        if (key == "preset") return ReadString(item, field, &spec->preset);
        if (key == "attempts") {
          std::int64_t n = 0;
          HOOKFAN_RETURN_IF_ERROR(ReadInt(item, field, 1, engine::kMaxRetryAttempts, &n));
          spec->attempts = static_cast<int>(n);
          return Status::Ok();
        }
        if (key == "initial_delay" || key == "max_delay") {
          DurationMs d = 0;
          HOOKFAN_RETURN_IF_ERROR(ReadDuration(item, field, &d));
          (key == "initial_delay" ? spec->initial_delay : spec->max_delay) = d;
          return Status::Ok();
        }
        if (key == "multiplier" || key == "jitter") {
          double x = 0;
          HOOKFAN_RETURN_IF_ERROR(ReadNumber(item, field, &x));
          (key == "multiplier" ? spec->multiplier : spec->jitter) = x;
          return Status::Ok();
        }
        simdjson::dom::array array;
        if (item.get_array().get(array)) return FieldError(field, "must be an array of durations");
        std::vector<DurationMs> delays;
        std::size_t index = 0;
        for (element d : array) {
          DurationMs ms = 0;
          HOOKFAN_RETURN_IF_ERROR(
              ReadDuration(d, field + "[" + std::to_string(index++) + "]", &ms));
          delays.push_back(ms);
        }
        spec->delays = std::move(delays);
        return Status::Ok();
      });
}

Status ReadNotification(element value, EndpointConfig::Notification* n) {
  return ForEachMember(value, "notification", {"max_batch", "max_wait", "api_version", "serial"},
                       [&](std::string_view key, element item, const std::string& field) -> Status {
                         std::int64_t number = 0;
                         if (key == "max_batch") {
                           HOOKFAN_RETURN_IF_ERROR(ReadInt(item, field, 1, 10000, &number));
                           n->max_batch = static_cast<std::size_t>(number);
                           return Status::Ok();
                         }
                         if (key == "max_wait") return ReadDuration(item, field, &n->max_wait_ms);
                         if (key == "api_version") return ReadString(item, field, &n->api_version);
                         return ReadInt(item, field, 0, INT64_MAX, &n->serial);
                       });
}

Status ReadRateLimit(element value, EndpointConfig* config) {
  return ForEachMember(value, "rate_limit", {"per_second", "burst"},
                       [&](std::string_view key, element item, const std::string& field) {
                         return ReadNumber(item, field,
                                           key == "per_second" ? &config->rate_limit_per_second
                                                               : &config->rate_limit_burst);
                       });
}

}  // namespace

std::string GenerateEndpointId() {
  std::string id = engine::GenerateEventId();  // "msg_" + 26
  return "ep_" + id.substr(id.find('_') + 1);
}

Status ApplyEndpointJson(std::string_view body, EndpointJsonMode mode, EndpointConfig* config,
                         std::string* profile_out, bool* secret_generated) {
  simdjson::dom::parser parser;
  element root;
  if (auto error = parser.parse(body.data(), body.size()).get(root)) {
    return Status::InvalidArgument(std::string("endpoints: the body is not valid JSON (") +
                                   simdjson::error_message(error) + ")");
  }
  object members;
  if (root.get_object().get(members)) {
    return Status::InvalidArgument("endpoints: the body must be a JSON object");
  }
  // A profile's defaults go in first, so that every other key overrides them.
  std::string profile;
  element profile_value;
  if (!members["profile"].get(profile_value)) {
    if (mode == EndpointJsonMode::kPatch) {
      return FieldError("profile", "only when the endpoint is created");
    }
    HOOKFAN_RETURN_IF_ERROR(ReadString(profile_value, "profile", &profile));
    Status applied = engine::ApplyProfile(profile, config);
    if (!applied.ok()) return FieldError("profile", AfterField(applied));
  }
  bool has_secret = false, has_secrets = false;
  const Status members_read = ForEachMember(
      root, "",
      {"profile", "id", "url", "event_types", "channels", "signing", "secret", "secrets",
       "rate_limit", "max_in_flight", "max_pending", "disable_after_failures", "headers", "query",
       "content_type", "payload_mode", "received_field", "notification", "retry"},
      [&](std::string_view key, element item, const std::string& field) -> Status {
        std::int64_t number = 0;
        if (key == "profile") return Status::Ok();
        if (key == "id") {
          std::string id;
          HOOKFAN_RETURN_IF_ERROR(ReadString(item, field, &id));
          if (mode == EndpointJsonMode::kPatch && id != config->id) {
            return FieldError(field, "cannot be changed");
          }
          config->id = id;
          return Status::Ok();
        }
        if (key == "url") return ReadString(item, field, &config->url);
        if (key == "event_types") return ReadStringList(item, field, &config->event_types);
        if (key == "channels") return ReadStringList(item, field, &config->channels);
        if (key == "signing") return ReadString(item, field, &config->signing);
        if (key == "secret" || key == "secrets") {
          if (mode == EndpointJsonMode::kPatch) {
            return FieldError(field, "use POST /v1/endpoints/{id}/secret/rotate");
          }
          (key == "secret" ? has_secret : has_secrets) = true;
          if (has_secret && has_secrets) {
            return FieldError("secrets", "cannot be combined with secret");
          }
          if (key == "secrets") return ReadStringList(item, field, &config->secrets);
          std::string secret;
          HOOKFAN_RETURN_IF_ERROR(ReadString(item, field, &secret));
          config->secrets = {std::move(secret)};
          return Status::Ok();
        }
        if (key == "rate_limit") return ReadRateLimit(item, config);
        if (key == "max_in_flight") {
          HOOKFAN_RETURN_IF_ERROR(ReadInt(item, field, 1, 10000, &number));
          config->max_in_flight = static_cast<int>(number);
          return Status::Ok();
        }
        if (key == "max_pending") {
          HOOKFAN_RETURN_IF_ERROR(ReadInt(item, field, 1, 100'000'000, &number));
          config->max_pending = static_cast<std::size_t>(number);
          return Status::Ok();
        }
        if (key == "disable_after_failures") {
          HOOKFAN_RETURN_IF_ERROR(ReadInt(item, field, 0, 1'000'000, &number));
          config->disable_after_failures = static_cast<int>(number);
          return Status::Ok();
        }
        if (key == "headers") return ReadStringPairs(item, field, &config->headers);
        if (key == "query") return ReadStringPairs(item, field, &config->query);
        if (key == "content_type") return ReadString(item, field, &config->content_type);
        if (key == "payload_mode") {
          std::string mode_name;
          HOOKFAN_RETURN_IF_ERROR(ReadString(item, field, &mode_name));
          if (mode_name == "event") {
            config->payload_mode = engine::PayloadMode::kEvent;
          } else if (mode_name == "notification") {
            config->payload_mode = engine::PayloadMode::kNotification;
          } else {
            return FieldError(field, "must be \"event\" or \"notification\"");
          }
          return Status::Ok();
        }
        if (key == "received_field") return ReadString(item, field, &config->received_field);
        if (key == "notification") return ReadNotification(item, &config->notification);
        return ReadRetry(item, &config->retry);
      });
  if (!members_read.ok()) return members_read;
  if (config->url.empty()) return FieldError("url", "missing");
  if (mode == EndpointJsonMode::kCreate) {
    if (config->id.empty()) config->id = GenerateEndpointId();
    if (config->signing == "standard" && config->secrets.empty()) {
      config->secrets = {engine::GenerateStandardSecret()};
      if (secret_generated != nullptr) *secret_generated = true;
    }
  }
  Status valid = profile.empty() ? Status::Ok() : engine::ValidateForProfile(profile, *config);
  if (valid.ok()) valid = engine::ValidateEndpointConfig(*config);
  if (!valid.ok()) return Status::InvalidArgument("endpoints." + valid.message());
  if (profile_out != nullptr && !profile.empty()) *profile_out = profile;
  return Status::Ok();
}

void WriteEndpointFields(JsonWriter& json, const EndpointConfig& config, bool with_secrets) {
  auto strings = [&](std::string_view key, const std::vector<std::string>& values) {
    json.Key(key).BeginArray();
    for (const std::string& v : values) json.String(v);
    json.EndArray();
  };
  auto pairs = [&](std::string_view key,
                   const std::vector<std::pair<std::string, std::string>>& values) {
    json.Key(key).BeginObject();
    for (const auto& [name, value] : values) json.Key(name).String(value);
    json.EndObject();
  };
  json.Key("id").String(config.id);
  json.Key("url").String(config.url);
  strings("event_types", config.event_types);
  strings("channels", config.channels);
  json.Key("signing").String(config.signing);
  if (with_secrets) strings("secrets", config.secrets);
  json.Key("rate_limit").BeginObject();
  json.Key("per_second").Double(config.rate_limit_per_second);
  json.Key("burst").Double(config.rate_limit_burst);
  json.EndObject();
  json.Key("max_in_flight").Int(config.max_in_flight);
  json.Key("max_pending").Uint(config.max_pending);
  json.Key("disable_after_failures").Int(config.disable_after_failures);
  pairs("headers", config.headers);
  pairs("query", config.query);
  json.Key("content_type").String(config.content_type);
  const bool notification = config.payload_mode == engine::PayloadMode::kNotification;
  json.Key("payload_mode").String(notification ? "notification" : "event");
  json.Key("received_field").String(config.received_field);
  if (notification) {
    json.Key("notification").BeginObject();
    json.Key("max_batch").Uint(config.notification.max_batch);
    json.Key("max_wait").Int(config.notification.max_wait_ms);
    json.Key("api_version").String(config.notification.api_version);
    json.Key("serial").Int(config.notification.serial);
    json.EndObject();
  }
  const engine::RetryPolicySpec& r = config.retry;
  json.Key("retry").BeginObject();
  if (!r.preset.empty()) json.Key("preset").String(r.preset);
  if (r.attempts) json.Key("attempts").Int(*r.attempts);
  if (r.initial_delay) json.Key("initial_delay").Int(*r.initial_delay);
  if (r.max_delay) json.Key("max_delay").Int(*r.max_delay);
  if (r.multiplier) json.Key("multiplier").Double(*r.multiplier);
  if (r.jitter) json.Key("jitter").Double(*r.jitter);
  if (r.delays) {
    json.Key("delays").BeginArray();
    for (DurationMs d : *r.delays) json.Int(d);
    json.EndArray();
  }
  json.EndObject();
}

}  // namespace hookfan::tools
