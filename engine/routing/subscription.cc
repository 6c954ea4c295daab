#include "engine/routing/subscription.h"

#include <algorithm>
#include <cstdio>

namespace hookfan::engine {
namespace {

bool IsSegmentChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == ':' || c == '-';
}

bool IsNameChar(char c) { return IsSegmentChar(c) || c == '.'; }

// Bad input is echoed back in errors, so keep it to one short printable line.
std::string Quote(std::string_view text) {
  constexpr std::size_t kMaxShown = 64;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > kMaxShown) out += "...";
  out += '"';
  return out;
}

std::string CharAt(std::string_view text, std::size_t i) {
  return Quote(text.substr(i, 1)) + " at position " + std::to_string(i);
}

Status Invalid(std::string_view field, std::string message) {
  std::string full(field);
  full += ": ";
  full += message;
  return Status::InvalidArgument(std::move(full));
}

std::string IndexedField(std::string_view name, std::size_t i) {
  return std::string(name) + "[" + std::to_string(i) + "]";
}

// Shared by endpoint ids and channels: both are 1-128 chars of [A-Za-z0-9_.:-].
Status ValidateName(std::string_view name, std::string_view field, std::size_t max_length) {
  if (name.empty()) return Invalid(field, "must not be empty");
  if (name.size() > max_length) {
    return Invalid(field, Quote(name) + " is " + std::to_string(name.size()) +
                              " characters long, at most " + std::to_string(max_length) +
                              " allowed");
  }
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i])) {
      return Invalid(field, Quote(name) + ": character " + CharAt(name, i) +
                                " is not allowed (allowed: A-Z a-z 0-9 _ . : -)");
    }
  }
  return Status::Ok();
}

// Filters of one endpoint that a wildcard of the same endpoint already covers add nothing
// but index entries and duplicate hits; drop them.
bool CoveredByWildcard(const TypeFilter& filter, const std::vector<TypeFilter>& all) {
  for (const TypeFilter& wildcard : all) {
    if (wildcard.kind != TypeFilterKind::kPrefix) continue;
    const std::string& key = filter.key;
    if (key.size() > wildcard.key.size() &&
        key.compare(0, wildcard.key.size(), wildcard.key) == 0 && key[wildcard.key.size()] == '.') {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string TypeFilter::ToString() const {
  switch (kind) {
    case TypeFilterKind::kExact:
      return key;
    case TypeFilterKind::kPrefix:
      return key + ".*";
    case TypeFilterKind::kAll:
      return "*";
  }
  return key;
}

Status ValidateEndpointId(std::string_view id, std::string_view field) {
  return ValidateName(id, field, kMaxEndpointIdLength);
}

Status ValidateChannel(std::string_view channel, std::string_view field) {
  return ValidateName(channel, field, kMaxChannelLength);
}

StatusOr<TypeFilter> ParseTypeFilter(std::string_view filter, std::string_view field) {
  if (filter.empty()) return Invalid(field, "must not be empty (use \"*\" for all types)");
  if (filter.size() > kMaxEventTypeLength) {
    return Invalid(field, Quote(filter) + " is " + std::to_string(filter.size()) +
                              " characters long, at most " + std::to_string(kMaxEventTypeLength) +
                              " allowed");
  }
  if (filter == "*") return TypeFilter{TypeFilterKind::kAll, {}};

  TypeFilter out{TypeFilterKind::kExact, std::string(filter)};
  std::string_view body = filter;
  if (filter.size() >= 2 && filter.substr(filter.size() - 2) == ".*") {
    out.kind = TypeFilterKind::kPrefix;
    body = filter.substr(0, filter.size() - 2);
    out.key = std::string(body);
  }
  std::size_t segment_start = 0;
  for (std::size_t i = 0; i <= body.size(); ++i) {
    if (i == body.size() || body[i] == '.') {
      if (i == segment_start) {
        return Invalid(field, Quote(filter) +
                                  ": empty segment (segments are separated by a single '.', "
                                  "with none at either end)");
      }
      segment_start = i + 1;
    } else if (body[i] == '*') {
      return Invalid(field, Quote(filter) +
                                ": '*' must be the whole last segment, as in \"pass.*\", or the "
                                "whole filter \"*\"");
    } else if (!IsSegmentChar(body[i])) {
      return Invalid(field, Quote(filter) + ": character " + CharAt(filter, i) +
                                " is not allowed (allowed: A-Z a-z 0-9 _ : -, and '.' between "
                                "segments)");
    }
  }
  return out;
}

StatusOr<Subscription> ParseSubscription(const SubscriptionSpec& spec) {
  HOOKFAN_RETURN_IF_ERROR(ValidateEndpointId(spec.endpoint_id));
  if (spec.event_types.size() > kMaxEventTypesPerEndpoint) {
    return Invalid("event_types", std::to_string(spec.event_types.size()) + " filters, at most " +
                                      std::to_string(kMaxEventTypesPerEndpoint) + " allowed");
  }
  if (spec.channels.size() > kMaxChannelsPerEndpoint) {
    return Invalid("channels", std::to_string(spec.channels.size()) + " channels, at most " +
                                   std::to_string(kMaxChannelsPerEndpoint) + " allowed");
  }

  Subscription sub;
  bool all = spec.event_types.empty();
  for (std::size_t i = 0; i < spec.event_types.size(); ++i) {
    StatusOr<TypeFilter> filter =
        ParseTypeFilter(spec.event_types[i], IndexedField("event_types", i));
    if (!filter.ok()) return filter.status();
    if (filter->kind == TypeFilterKind::kAll) all = true;
    sub.types.push_back(std::move(*filter));
  }
  if (all) {
    sub.types.assign(1, TypeFilter{TypeFilterKind::kAll, {}});
  } else {
    std::sort(sub.types.begin(), sub.types.end());
    sub.types.erase(std::unique(sub.types.begin(), sub.types.end()), sub.types.end());
    std::vector<TypeFilter> kept;
    for (TypeFilter& filter : sub.types) {
      if (!CoveredByWildcard(filter, sub.types)) kept.push_back(filter);
    }
    sub.types = std::move(kept);
  }

  for (std::size_t i = 0; i < spec.channels.size(); ++i) {
    HOOKFAN_RETURN_IF_ERROR(ValidateChannel(spec.channels[i], IndexedField("channels", i)));
    sub.channels.push_back(spec.channels[i]);
  }
  std::sort(sub.channels.begin(), sub.channels.end());
  sub.channels.erase(std::unique(sub.channels.begin(), sub.channels.end()), sub.channels.end());
  return sub;
}

}  // namespace hookfan::engine
