#pragma once
// What an endpoint subscribes to, as written in config or an API call (SubscriptionSpec),
// and its validated, normalized form (Subscription) that the Router indexes.
//
//   SubscriptionSpec spec{.endpoint_id = "orders",
//                         .event_types = {"pass.created", "invoice.*"},
//                         .channels = {"tenant-42"}};
//   StatusOr<Subscription> sub = ParseSubscription(spec);
//   if (!sub.ok()) return sub.status();   // e.g. `event_types[1]: "pa*ss": ...`
//
// Event type filters:
//  - exact:     "pass.created" matches only the type "pass.created".
//  - wildcard:  "pass.*" matches every type that starts with "pass." followed by at least
//               one more character: "pass.created", "pass.x.y". It does NOT match "pass"
//               itself, nor "passes.x". "pass.x.*" is a deeper wildcard. '*' is allowed only
//               as the whole last segment.
//  - all:       "*", or an empty event_types list, matches every type.
//  A filter is one or more '.'-separated segments of [A-Za-z0-9_:-], at most
//  kMaxEventTypeLength characters.
//
// Channels (Svix semantics): an endpoint with channels receives an event only if the event
// carries at least one of them; an endpoint without channels receives events whatever their
// channels (including none). A channel is 1-128 characters of [A-Za-z0-9_.:-].
//
// Normalization (ParseSubscription): duplicate filters and channels are dropped; "*"
// anywhere makes the endpoint match all types; a filter already covered by a wildcard of the
// same endpoint ("pass.created" next to "pass.*") is dropped. The result lists filters and
// channels sorted, so equal subscriptions compare equal.
//
// Errors name the field: `endpoint_id: ...`, `event_types[2]: ...`, `channels[0]: ...`.
// Pure functions, no shared state: any thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/base/status.h"

namespace hookfan::engine {

inline constexpr std::size_t kMaxEndpointIdLength = 128;
inline constexpr std::size_t kMaxChannelLength = 128;
inline constexpr std::size_t kMaxEventTypeLength = 256;
// Per endpoint. The router indexes each (filter, channel) pair, so these two bound the
// index entries one endpoint can create (256 * 32).
inline constexpr std::size_t kMaxEventTypesPerEndpoint = 256;
inline constexpr std::size_t kMaxChannelsPerEndpoint = 32;

struct SubscriptionSpec {
  std::string endpoint_id;               // 1-128 chars of [A-Za-z0-9_.:-]
  std::vector<std::string> event_types;  // empty or {"*"} = all types
  std::vector<std::string> channels;     // empty = any channel (or none)
};

enum class TypeFilterKind : std::uint8_t {
  kExact,   // key is the whole type
  kPrefix,  // "key.*": key is the part before ".*"
  kAll,     // "*": key is empty
};

struct TypeFilter {
  TypeFilterKind kind = TypeFilterKind::kAll;
  std::string key;

  // The filter as written: "pass.created", "pass.*", "*".
  std::string ToString() const;

  friend bool operator==(const TypeFilter&, const TypeFilter&) = default;
  friend auto operator<=>(const TypeFilter&, const TypeFilter&) = default;
};

struct Subscription {
  std::vector<TypeFilter> types;      // never empty; {kAll} alone when matching all
  std::vector<std::string> channels;  // sorted, unique; empty = any channel

  friend bool operator==(const Subscription&, const Subscription&) = default;
};

// Each returns an error naming `field` (e.g. "endpoint_id", "event_types[3]").
Status ValidateEndpointId(std::string_view id, std::string_view field = "endpoint_id");
Status ValidateChannel(std::string_view channel, std::string_view field = "channel");
StatusOr<TypeFilter> ParseTypeFilter(std::string_view filter,
                                     std::string_view field = "event_type");

// Validates every field of `spec` (the endpoint id included) and normalizes it.
StatusOr<Subscription> ParseSubscription(const SubscriptionSpec& spec);

}  // namespace hookfan::engine
