#include "engine/events/received_stamp.h"

#include <simdjson.h>

#include <cstdio>
#include <ctime>

#include "engine/events/json_raw.h"
#include "net/base/json_writer.h"

namespace hookfan::engine {

std::string FormatReceivedTime(std::int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[96];  // room for any int the compiler imagines
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03d000", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(unix_ms % 1000));
  return text;
}

EventPtr WithReceivedField(const EventPtr& event, std::string_view field) {
  std::string body;
  if (field.empty() || !StampReceivedField(event->payload, field, event->received_unix_ms, &body)) {
    return event;
  }
  // Every other field as published (a host's spool sequence too): one copy per event.
  auto stamped = std::make_shared<Event>(*event);
  stamped->payload = std::move(body);
  return stamped;
}

bool StampReceivedField(std::string_view payload, std::string_view field, std::int64_t unix_ms,
                        std::string* out) {
  // The DOM parser validates everything (ingest did already, but embedding callers may hand
  // us anything); the on-demand parser then hands out each member's exact bytes.
  thread_local simdjson::dom::parser validator;
  thread_local simdjson::ondemand::parser reader;
  simdjson::padded_string padded(payload);
  simdjson::dom::element root;
  if (validator.parse(padded).get(root) != simdjson::SUCCESS || !root.is_object()) return false;
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (reader.iterate(padded).get(doc) || doc.get_object().get(object)) return false;

  std::string body = "{";
  JsonWriter::AppendEscaped(field, &body);
  body += ':';
  JsonWriter::AppendEscaped(FormatReceivedTime(unix_ms), &body);
  for (auto member : object) {
    std::string_view key, value;
    if (member.unescaped_key().get(key)) return false;
    if (key == field) continue;
    // Keys are written again from their unescaped text (simdjson 3.0 gives no raw key
    // view): the same string, though an escape such as \u00e9 may come out as the UTF-8.
    std::string key_text(key);
    if (RawJsonValue(member.value(), &value)) return false;
    body += ',';
    JsonWriter::AppendEscaped(key_text, &body);
    body += ':';
    body += value;
  }
  body += '}';
  *out = std::move(body);
  return true;
}

}  // namespace hookfan::engine
