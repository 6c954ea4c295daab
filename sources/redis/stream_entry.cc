#include "sources/redis/stream_entry.h"

#include "engine/events/event_id.h"
#include "net/base/clock.h"

namespace hookfan::sources {

StatusOr<std::shared_ptr<RedisEvent>> StreamEntryParser::Parse(
    std::string_view entry_id, std::span<const EntryField> fields) {
  const EntryField* type = nullptr;
  const EntryField* payload = nullptr;
  const EntryField* id = nullptr;
  const EntryField* channels = nullptr;
  for (const EntryField& field : fields) {
    const EntryField** slot = field.name == "type"       ? &type
                              : field.name == "payload"  ? &payload
                              : field.name == "id"       ? &id
                              : field.name == "channels" ? &channels
                                                         : nullptr;
    if (slot == nullptr) continue;
    if (*slot != nullptr) {
      return Status::InvalidArgument(std::string(field.name) + ": given twice");
    }
    *slot = &field;
  }
  if (type == nullptr) return Status::InvalidArgument("type: missing");
  if (payload == nullptr) return Status::InvalidArgument("payload: missing");
  HOOKFAN_RETURN_IF_ERROR(engine::ValidateEventType(type->value));
  if (payload->value.size() > max_payload_bytes_) {
    return Status::InvalidArgument("payload: " + std::to_string(payload->value.size()) +
                                   " bytes exceed max_payload_bytes (" +
                                   std::to_string(max_payload_bytes_) + ")");
  }
  // The exact bytes are sent, so they must already be one JSON value: a receiver would
  // otherwise get a body its parser refuses, on every retry.
  simdjson::dom::element root;
  if (auto error = json_.parse(payload->value.data(), payload->value.size()).get(root)) {
    return Status::InvalidArgument(std::string("payload: not valid JSON (") +
                                   simdjson::error_message(error) + ")");
  }
  auto event = std::make_shared<RedisEvent>();
  event->entry_id = std::string(entry_id);
  if (id != nullptr) {
    HOOKFAN_RETURN_IF_ERROR(engine::ValidateEventId(id->value));
    event->id = std::string(id->value);
  } else {
    Status valid = engine::ValidateEventId(entry_id);
    if (!valid.ok()) return valid.WithContext("entry id as webhook-id");
    event->id = std::string(entry_id);
  }
  event->type = std::string(type->value);
  if (channels != nullptr) {
    std::string_view rest = channels->value;
    while (true) {
      const std::size_t comma = rest.find(',');
      std::string_view channel = rest.substr(0, comma);
      Status valid = engine::ValidateChannel(channel);
      if (!valid.ok()) return Status::InvalidArgument("channels: " + valid.message());
      event->channels.emplace_back(channel);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  event->payload = std::string(payload->value);
  event->received_unix_ms = WallNowMs();
  return event;
}

}  // namespace hookfan::sources
