#pragma once
// Parses events submitted from outside (HTTP ingest bodies, NDJSON lines) into Events.
//
//   IngestParser parser(limits);                       // one per ingest thread
//   StatusOr<std::vector<EventPtr>> events = parser.ParseBody(body);
//   if (!events.ok()) Reply(HttpStatusFor(events.status()), events.status().message());
//
// Accepted shapes: one event object, or an array of them:
//   {"id": "evt_1"?, "type": "pass.created", "channels": ["a"]?, "payload": <any JSON>}
// The payload is kept byte for byte as submitted (it is what `event` payload mode POSTs).
// A field given twice is refused (`event.type: given twice ...`), so that a duplicate never
// silently drops the first value.
// Batches are all or nothing: one bad event rejects the whole body, and the error names
// it, e.g. `events[3].type: missing`. Limits give kResourceExhausted (HTTP 413), every
// other problem kInvalidArgument (HTTP 400). Not thread-safe: keep one per thread.

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/events/event.h"
#include "engine/events/event_id.h"  // the rule every event id and type follows
#include "net/base/status.h"

namespace hookfan::engine {

struct IngestLimits {
  std::size_t max_payload_bytes = 256 * 1024;  // per event
  std::size_t max_batch_events = 1000;         // per request body
};

class IngestParser {
 public:
  explicit IngestParser(IngestLimits limits);
  ~IngestParser();
  IngestParser(const IngestParser&) = delete;
  IngestParser& operator=(const IngestParser&) = delete;

  // A whole ingest body: one event object or an array of them.
  StatusOr<std::vector<EventPtr>> ParseBody(std::string_view body);
  // One NDJSON line holding one event object; errors are prefixed with "line N: ".
  StatusOr<EventPtr> ParseLine(std::string_view line, std::size_t line_number);

  const IngestLimits& limits() const { return limits_; }

 private:
  struct Parsers;  // simdjson state, kept out of this header
  IngestLimits limits_;
  std::unique_ptr<Parsers> parsers_;
};

// The HTTP status an ingest error maps to: 413 for limits, 400 otherwise.
int HttpStatusForIngestError(const Status& status);

}  // namespace hookfan::engine
