#include "engine/endpoints/profiles.h"

#include <array>
#include <string>

#include "net/base/clock.h"

namespace hookfan::engine {
namespace {

// Names chosen by hookfan: Ionic's document describes the three occasions but names none.
constexpr std::array<std::string_view, 3> kIonicEvents = {"registered", "updated", "token_invalid"};
// The "type" values of CleverPush's example payloads.
constexpr std::array<std::string_view, 7> kCleverPushEvents = {
    "optIn", "optOut", "delivery", "click", "updateTopics", "topicAdded", "attributeUpdate"};
// Passworks' event table, in its order.
constexpr std::array<std::string_view, 6> kPassworksEvents = {
    "created", "downloaded", "installed", "fetched", "redeemed", "uninstalled"};

constexpr std::array<Profile, 5> kProfiles = {{
    {"ionic", "Ionic Push", kIonicEvents},
    {"pryv", "Pryv.io", {}},
    {"novu", "Novu Push Webhook", {}},
    {"cleverpush", "CleverPush", kCleverPushEvents},
    {"passworks", "Passworks", kPassworksEvents},
}};

constexpr std::size_t kMaxNotificationBatch = 10000;
constexpr DurationMs kMaxNotificationWaitMs = kHourMs;

std::string JoinNames(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::string KnownProfileNames() {
  std::string out;
  for (const Profile& profile : kProfiles) {
    if (!out.empty()) out += ", ";
    out += profile.name;
  }
  return out;
}

std::string Article(std::string_view noun) {
  return std::string_view("AEIOU").find(noun.front()) == std::string_view::npos ? "a" : "an";
}

Status UnknownProfile(std::string_view name) {
  return Status::InvalidArgument("profile: unknown profile '" + std::string(name) +
                                 "' (known: " + KnownProfileNames() + ")");
}

// The one key of the novu and api-key schemes, checked here so the message says what the key
// is for; its text is checked by the Signer.
Status CheckOneKey(const Profile& profile, const EndpointConfig& config, std::string_view what) {
  if (config.secrets.empty() || config.secrets[0].empty()) {
    return Status::InvalidArgument("secret: the " + std::string(profile.name) + " profile needs " +
                                   std::string(what) + " as the endpoint's secret");
  }
  if (config.secrets.size() > 1) {
    return Status::InvalidArgument("secrets: the " + std::string(profile.name) +
                                   " profile takes exactly one key (got " +
                                   std::to_string(config.secrets.size()) + ")");
  }
  return Status::Ok();
}

Status CheckFixedEventTypes(const Profile& profile, const EndpointConfig& config) {
  for (std::size_t i = 0; i < config.event_types.size(); ++i) {
    const std::string& filter = config.event_types[i];
    if (filter == "*") continue;
    bool known = false;
    for (std::string_view name : profile.event_types) known = known || filter == name;
    if (!known) {
      return Status::InvalidArgument("event_types[" + std::to_string(i) + "]: '" + filter +
                                     "' is not " + Article(profile.system) + " " +
                                     std::string(profile.system) +
                                     " event (known: " + JoinNames(profile.event_types) + ")");
    }
  }
  return Status::Ok();
}

Status CheckNotification(const EndpointConfig::Notification& notification) {
  if (notification.max_batch < 1 || notification.max_batch > kMaxNotificationBatch) {
    return Status::InvalidArgument("notification.max_batch: must be between 1 and " +
                                   std::to_string(kMaxNotificationBatch) + ", got " +
                                   std::to_string(notification.max_batch));
  }
  if (notification.max_wait_ms < 0 || notification.max_wait_ms > kMaxNotificationWaitMs) {
    return Status::InvalidArgument("notification.max_wait_ms: must be between 0 and " +
                                   std::to_string(kMaxNotificationWaitMs) + " (1h), got " +
                                   std::to_string(notification.max_wait_ms));
  }
  if (notification.api_version.empty()) {
    return Status::InvalidArgument("notification.api_version: must not be empty");
  }
  for (char c : notification.api_version) {
    // It is written into a JSON string: keep it to printable ASCII without quoting issues.
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
      return Status::InvalidArgument(
          "notification.api_version: printable ASCII without '\"' or '\\' only");
    }
  }
  if (notification.serial < 0) {
    return Status::InvalidArgument("notification.serial: must not be negative, got " +
                                   std::to_string(notification.serial));
  }
  return Status::Ok();
}

}  // namespace

std::span<const Profile> Profiles() { return kProfiles; }

const Profile* FindProfile(std::string_view name) {
  for (const Profile& profile : kProfiles) {
    if (profile.name == name) return &profile;
  }
  return nullptr;
}

Status ApplyProfile(std::string_view name, EndpointConfig* config) {
  const Profile* profile = FindProfile(name);
  if (profile == nullptr) return UnknownProfile(name);
  // Every field a profile touches is written, so applying one never inherits another's.
  config->signing = "none";
  config->retry = RetryPolicySpec{};
  config->retry.preset = "standard";
  config->content_type = "application/json";
  config->payload_mode = PayloadMode::kEvent;
  config->notification = EndpointConfig::Notification{};
  config->received_field.clear();
  config->rate_limit_per_second = 0;
  config->rate_limit_burst = 1;
  config->disable_after_failures = 0;
  if (name == "ionic") {
    config->retry.preset = "ionic";
    config->received_field = "received";
  } else if (name == "pryv") {
    config->payload_mode = PayloadMode::kNotification;
    config->rate_limit_per_second = 0.2;
    config->disable_after_failures = 5;
  } else if (name == "novu") {
    config->signing = "novu";
  } else if (name == "cleverpush") {
    config->retry.preset = "cleverpush";
  } else if (name == "passworks") {
    config->signing = "api-key";
    config->content_type = "application/json; charset=utf-8";
  }
  return Status::Ok();
}

Status ValidateForProfile(std::string_view name, const EndpointConfig& config) {
  const Profile* profile = FindProfile(name);
  if (profile == nullptr) return UnknownProfile(name);
  if (name == "novu" && config.signing == "novu") {
    HOOKFAN_RETURN_IF_ERROR(CheckOneKey(*profile, config, "the Push Webhook's HMAC key"));
  }
  if (name == "passworks" && config.signing == "api-key") {
    HOOKFAN_RETURN_IF_ERROR(CheckOneKey(*profile, config, "the organisation's API key"));
  }
  if (!profile->event_types.empty()) {
    HOOKFAN_RETURN_IF_ERROR(CheckFixedEventTypes(*profile, config));
  }
  if (name == "pryv" && config.payload_mode == PayloadMode::kNotification) {
    HOOKFAN_RETURN_IF_ERROR(CheckNotification(config.notification));
  }
  return Status::Ok();
}

}  // namespace hookfan::engine
