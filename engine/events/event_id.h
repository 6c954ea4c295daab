#pragma once
// The one rule for event ids and types, enforced wherever an event enters the engine
// (HTTP and NDJSON ingest, Engine::Publish and its batch and recovery forms, the Redis
// source), so that no source can let through an id that would break a later stage.
//
// id:   1..128 characters of letters, digits and _ : -
//       Not '.': it separates id, timestamp and body in the Standard Webhooks signed
//       content. No control characters, so no CR/LF can reach the `webhook-id` header.
// type: 1..128 characters of letters, digits and _ . : -  ('.' separates type segments
//       for routing: "order.paid" matches "order.*"). Channels follow the same rule.

#include <cstddef>
#include <string_view>

#include "net/base/status.h"

namespace hookfan::engine {

inline constexpr std::size_t kMaxEventIdChars = 128;
inline constexpr std::size_t kMaxEventTypeChars = 128;

// kInvalidArgument naming the field ("id: ..." / "type: ...") and the offending character.
Status ValidateEventId(std::string_view id);
Status ValidateEventType(std::string_view type);
Status ValidateChannel(std::string_view channel);

}  // namespace hookfan::engine
