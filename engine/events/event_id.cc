#include "engine/events/event_id.h"

#include <string>

namespace hookfan::engine {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string Describe(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 15];
}

Status ValidateName(std::string_view field, std::string_view value, std::size_t max_chars,
                    bool allow_dot) {
  if (value.empty()) return Status::InvalidArgument(std::string(field) + ": must not be empty");
  if (value.size() > max_chars) {
    return Status::InvalidArgument(std::string(field) + ": longer than " +
                                   std::to_string(max_chars) + " characters");
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (IsAlnum(c) || c == '_' || c == ':' || c == '-' || (allow_dot && c == '.')) continue;
    return Status::InvalidArgument(
        std::string(field) + ": " + Describe(c) + " at offset " + std::to_string(i) +
        " is not allowed (only letters, digits and " + (allow_dot ? "_ . : -" : "_ : -") + ")");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateEventId(std::string_view id) {
  return ValidateName("id", id, kMaxEventIdChars, /*allow_dot=*/false);
}

Status ValidateEventType(std::string_view type) {
  return ValidateName("type", type, kMaxEventTypeChars, /*allow_dot=*/true);
}

Status ValidateChannel(std::string_view channel) {
  return ValidateName("channel", channel, kMaxEventTypeChars, /*allow_dot=*/true);
}

}  // namespace hookfan::engine
