#pragma once
// One Redis stream entry as a hookfan event (docs/redis_source.md, "Entry format"):
//   type      required, the event type (engine/events/event_id.h's rule)
//   payload   required, JSON text, delivered byte for byte
//   id        optional, the webhook-id; the stream entry id ("1700000000000-0") otherwise
//   channels  optional, comma-separated channel names
// Other fields are ignored (producers may add their own metadata). A field given twice, a
// missing or malformed one, or a payload over the size limit makes the entry malformed: the
// source dead-letters it to `<stream>:dead` with the returned reason and acknowledges it.
//
//   StreamEntryParser parser(/*max_payload_bytes=*/1 << 20);
//   auto event = parser.Parse("1700000000000-0", fields);  // a std::shared_ptr<RedisEvent>
//   if (!event.ok()) DeadLetter(event.status().message());

#include <simdjson.h>

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "engine/events/event.h"
#include "net/base/status.h"

namespace hookfan::sources {

// An event that came from a stream entry: the engine sees the Event, the source finds the
// entry to acknowledge from it when the event is done.
struct RedisEvent : engine::Event {
  std::string entry_id;
};

struct EntryField {
  std::string_view name;
  std::string_view value;
};

class StreamEntryParser {
 public:
  explicit StreamEntryParser(std::size_t max_payload_bytes) : max_payload_bytes_(max_payload_bytes) {}
  StreamEntryParser(const StreamEntryParser&) = delete;
  StreamEntryParser& operator=(const StreamEntryParser&) = delete;

  // kInvalidArgument with the reason ("payload: missing", "type: ...") when malformed.
  StatusOr<std::shared_ptr<RedisEvent>> Parse(std::string_view entry_id,
                                               std::span<const EntryField> fields);

 private:
  std::size_t max_payload_bytes_;
  simdjson::dom::parser json_;  // validates payloads; reused, so its buffers are too
};

}  // namespace hookfan::sources
