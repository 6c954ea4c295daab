#include "engine/events/ingest_parser.h"

#include <simdjson.h>

#include <string>

#include "engine/events/event_id.h"
#include "engine/events/json_raw.h"

namespace hookfan::engine {

namespace od = simdjson::ondemand;

struct IngestParser::Parsers {
  // The DOM parser validates the whole document (on-demand parsing skips what it does not
  // read, so it alone would let malformed payload bytes through); the on-demand parser then
  // hands out each payload's exact bytes.
  simdjson::dom::parser validator;
  od::parser reader;
};

IngestParser::IngestParser(IngestLimits limits)
    : limits_(limits), parsers_(std::make_unique<Parsers>()) {}
IngestParser::~IngestParser() = default;

namespace {

// The known fields of an event object, one bit each (0: unknown).
unsigned FieldBit(std::string_view key) {
  if (key == "id") return 1;
  if (key == "type") return 2;
  if (key == "channels") return 4;
  if (key == "payload") return 8;
  return 0;
}

Status ParseEventObject(od::value value, const IngestLimits& limits, const std::string& where,
                        EventPtr* out) {
  od::object object;
  if (value.get_object().get(object)) {
    return Status::InvalidArgument(where + ": must be a JSON object");
  }
  std::string id, type, payload;
  std::vector<std::string> channels;
  bool has_type = false, has_payload = false;
  unsigned seen = 0;  // one bit per known field: each may appear once
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return Status::InvalidArgument(where + ": bad field name");
    std::string name = where + "." + std::string(key);
    const unsigned bit = FieldBit(key);
    if (bit != 0 && (seen & bit) != 0) {
      // A repeated field would silently drop the first value: a typo must never lose data.
      return Status::InvalidArgument(name + ": given twice (each field may appear once)");
    }
    seen |= bit;
    if (key == "id" || key == "type") {
      std::string_view text;
      if (field.value().get_string().get(text)) {
        return Status::InvalidArgument(name + ": must be a string");
      }
      Status valid = key == "id" ? ValidateEventId(text) : ValidateEventType(text);
      if (!valid.ok()) return Status::InvalidArgument(where + "." + valid.message());
      (key == "id" ? id : type) = std::string(text);
      has_type |= key == "type";
    } else if (key == "channels") {
      od::array array;
      if (field.value().get_array().get(array)) {
        return Status::InvalidArgument(name + ": must be an array of strings");
      }
      for (auto element : array) {
        std::string_view channel;
        if (element.get_string().get(channel)) {
          return Status::InvalidArgument(name + ": must be an array of strings");
        }
        Status valid = ValidateChannel(channel);
        if (!valid.ok()) return Status::InvalidArgument(name + ": " + valid.message());
        channels.emplace_back(channel);
      }
    } else if (key == "payload") {
      std::string_view raw;
      if (RawJsonValue(field.value(), &raw)) return Status::InvalidArgument(name + ": malformed");
      if (raw.size() > limits.max_payload_bytes) {
        return Status::ResourceExhausted(name + ": " + std::to_string(raw.size()) +
                                         " bytes, over the limit of " +
                                         std::to_string(limits.max_payload_bytes));
      }
      payload = std::string(raw);
      has_payload = true;
    } else {
      return Status::InvalidArgument(name + ": unknown field (known: id, type, channels, payload)");
    }
  }
  if (!has_type) return Status::InvalidArgument(where + ".type: missing");
  if (!has_payload) return Status::InvalidArgument(where + ".payload: missing");
  *out = MakeEvent(std::move(type), std::move(payload), std::move(id), std::move(channels));
  return Status::Ok();
}

}  // namespace

StatusOr<std::vector<EventPtr>> IngestParser::ParseBody(std::string_view body) {
  simdjson::padded_string padded(body);
  simdjson::dom::element root;
  if (auto error = parsers_->validator.parse(padded).get(root)) {
    return Status::InvalidArgument(std::string("body: malformed JSON (") +
                                   simdjson::error_message(error) + ")");
  }
  const bool is_batch = root.is_array();
  if (!is_batch && !root.is_object()) {
    return Status::InvalidArgument("body: must be an event object or an array of event objects");
  }
  if (is_batch && root.get_array().size() > limits_.max_batch_events) {
    return Status::ResourceExhausted("events: " + std::to_string(root.get_array().size()) +
                                     " events, over the batch limit of " +
                                     std::to_string(limits_.max_batch_events));
  }
  if (is_batch && root.get_array().size() == 0) {
    return Status::InvalidArgument("events: empty array");
  }

  od::document doc;
  if (parsers_->reader.iterate(padded).get(doc)) {
    return Status::InvalidArgument("body: malformed JSON");
  }
  std::vector<EventPtr> events;
  if (!is_batch) {
    od::value value;
    if (doc.get_value().get(value)) return Status::InvalidArgument("body: malformed JSON");
    EventPtr event;
    HOOKFAN_RETURN_IF_ERROR(ParseEventObject(value, limits_, "event", &event));
    events.push_back(std::move(event));
    return events;
  }
  od::array array;
  if (doc.get_array().get(array)) return Status::InvalidArgument("body: malformed JSON");
  std::size_t index = 0;
  for (auto element : array) {
    od::value value;
    if (element.get(value)) return Status::InvalidArgument("body: malformed JSON");
    EventPtr event;
    HOOKFAN_RETURN_IF_ERROR(
        ParseEventObject(value, limits_, "events[" + std::to_string(index) + "]", &event));
    events.push_back(std::move(event));
    ++index;
  }
  return events;
}

StatusOr<EventPtr> IngestParser::ParseLine(std::string_view line, std::size_t line_number) {
  const std::string prefix = "line " + std::to_string(line_number);
  simdjson::padded_string padded(line);
  simdjson::dom::element root;
  if (auto error = parsers_->validator.parse(padded).get(root)) {
    return Status::InvalidArgument(prefix + ": malformed JSON (" + simdjson::error_message(error) +
                                   ")");
  }
  od::document doc;
  od::value value;
  if (parsers_->reader.iterate(padded).get(doc) || doc.get_value().get(value)) {
    return Status::InvalidArgument(prefix + ": malformed JSON");
  }
  EventPtr event;
  Status status = ParseEventObject(value, limits_, "event", &event);
  if (!status.ok()) return status.WithContext(prefix);
  return event;
}

int HttpStatusForIngestError(const Status& status) {
  return status.code() == StatusCode::kResourceExhausted ? 413 : 400;
}

}  // namespace hookfan::engine
