#pragma once
// Ionic's `received`: the time hookfan accepted an event, written into the JSON object
// payload so a receiver can keep the newest data. The value depends only on the event, so
// every retry carries the same one.
//
//   std::string body;
//   if (StampReceivedField(event.payload, "received", event.received_unix_ms, &body)) Send(body);
//   else Send(event.payload);   // not a JSON object: sent unchanged

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/events/event.h"

namespace hookfan::engine {

// "2015-03-18T17:21:42.571000": UTC, microseconds (from milliseconds), no zone suffix, as
// Ionic writes it.
std::string FormatReceivedTime(std::int64_t unix_ms);

// Writes `payload` with a top-level `field` set to FormatReceivedTime(unix_ms) into *out:
// inserted first, and any top-level `field` already there dropped (so there is exactly one).
// Every other member's value keeps its exact bytes (keys are re-escaped). False (and *out
// untouched) when the payload is not a well-formed JSON object.
bool StampReceivedField(std::string_view payload, std::string_view field, std::int64_t unix_ms,
                        std::string* out);

// The event as an endpoint with this received_field gets it: a copy whose payload carries
// the stamp (made once per event and field by the engine at publish, shared by every
// delivery and retry), or `event` itself when `field` is empty or the payload is not a JSON
// object. The same event always stamps to the same bytes.
EventPtr WithReceivedField(const EventPtr& event, std::string_view field);

}  // namespace hookfan::engine
