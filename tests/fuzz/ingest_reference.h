#pragma once
// The fuzz oracle for engine/events/ingest_parser.h: an independent, slow reading of the same
// contract with simdjson's DOM API only, and a checker that aborts when IngestParser's
// answer disagrees with it. Shared by ingest_body_fuzz.cc and ndjson_line_fuzz.cc.
//
//   IngestVerdict verdict = CheckIngestAnswer(input, events_or_status, IngestShape::kBody);
//
// What the reference cannot see is the raw size of a payload (the DOM forgets spacing), so
// it only knows a lower bound, the minified size: an event whose minified payload is over
// the limit must be refused with kResourceExhausted, and one under it may still be.

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "engine/events/event.h"
#include "engine/events/ingest_parser.h"
#include "net/base/check.h"
#include "net/base/status.h"

namespace hookfan::fuzz {

// Small limits, so that the 413 paths are reached by small inputs.
inline constexpr engine::IngestLimits kFuzzIngestLimits{.max_payload_bytes = 512,
                                                        .max_batch_events = 4};

enum class IngestShape { kBody, kLine };

namespace internal {

// Types and channels: [A-Za-z0-9_.:-]{1,128}; ids the same without '.'.
inline bool IsName(std::string_view text, bool allow_dot = true) {
  if (text.empty() || text.size() > 128) return false;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || (allow_dot && c == '.') || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

inline bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

struct ReferenceEvent {
  bool has_id = false;
  std::string id, type;
  std::vector<std::string> channels;
  std::string minified_payload;
};

// Reads one event the way the contract describes it; false when any rule other than the
// payload size limit is broken. A repeated field breaks a rule.
inline bool ReadReferenceEvent(simdjson::dom::element element, ReferenceEvent* out) {
  simdjson::dom::object object;
  if (element.get_object().get(object)) return false;
  bool has_type = false, has_payload = false, has_channels = false;
  for (auto [key, value] : object) {
    if ((key == "id" && out->has_id) || (key == "type" && has_type) ||
        (key == "channels" && has_channels) || (key == "payload" && has_payload)) {
      return false;
    }
    if (key == "id" || key == "type") {
      std::string_view text;
      if (value.get_string().get(text) || !IsName(text, /*allow_dot=*/key != "id")) return false;
      (key == "id" ? out->id : out->type) = std::string(text);
      (key == "id" ? out->has_id : has_type) = true;
    } else if (key == "channels") {
      simdjson::dom::array array;
      if (value.get_array().get(array)) return false;
      has_channels = true;
      for (simdjson::dom::element channel : array) {
        std::string_view text;
        if (channel.get_string().get(text) || !IsName(text)) return false;
        out->channels.emplace_back(text);
      }
    } else if (key == "payload") {
      out->minified_payload = simdjson::minify(value);
      has_payload = true;
    } else {
      return false;
    }
  }
  return has_type && has_payload;
}

inline bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// Every error names where it is: the body, the event, or one event of a batch.
inline bool NamesItsField(std::string_view message) {
  return StartsWith(message, "body: ") || StartsWith(message, "event: ") ||
         StartsWith(message, "event.") || StartsWith(message, "events: ") ||
         StartsWith(message, "events[");
}

inline void CheckAcceptedEvent(std::string_view input, const engine::Event& event,
                               const ReferenceEvent& expected) {
  HOOKFAN_CHECK(event.type == expected.type);
  HOOKFAN_CHECK(event.channels == expected.channels);
  HOOKFAN_CHECK(IsName(event.id, /*allow_dot=*/false));  // given, or generated ("msg_" + ULID)
  if (expected.has_id) HOOKFAN_CHECK(event.id == expected.id);
  for (const std::string& channel : event.channels) HOOKFAN_CHECK(IsName(channel));

  // The payload is the submitted bytes of one JSON value: a piece of the input, trimmed,
  // within the limit, and the same value the reference read.
  const std::string& payload = event.payload;
  HOOKFAN_CHECK(!payload.empty() && payload.size() <= kFuzzIngestLimits.max_payload_bytes);
  HOOKFAN_CHECK(!IsJsonSpace(payload.front()) && !IsJsonSpace(payload.back()));
  HOOKFAN_CHECK(input.find(payload) != std::string_view::npos);
  simdjson::dom::parser parser;
  simdjson::dom::element value;
  HOOKFAN_CHECK(parser.parse(payload).get(value) == simdjson::SUCCESS);
  HOOKFAN_CHECK(simdjson::minify(value) == expected.minified_payload);
}

}  // namespace internal

// Aborts (a crash for libFuzzer) when `answer`, IngestParser's reply to `input`, breaks the
// contract. For kLine, `answer` holds the one event of ParseLine, and its errors must carry
// the "line 7: " prefix the fuzz targets ask for.
inline void CheckIngestAnswer(std::string_view input,
                              const StatusOr<std::vector<engine::EventPtr>>& answer,
                              IngestShape shape) {
  using internal::ReferenceEvent;
  if (!answer.ok()) {
    const Status& status = answer.status();
    HOOKFAN_CHECK(status.code() == StatusCode::kInvalidArgument ||
                  status.code() == StatusCode::kResourceExhausted);
    HOOKFAN_CHECK(engine::HttpStatusForIngestError(status) ==
                  (status.code() == StatusCode::kResourceExhausted ? 413 : 400));
    std::string_view message = status.message();
    if (shape == IngestShape::kLine) {
      HOOKFAN_CHECK(internal::StartsWith(message, "line 7: "));
      message.remove_prefix(8);
      HOOKFAN_CHECK(internal::StartsWith(message, "malformed JSON") ||
                    internal::StartsWith(message, "event"));
    } else {
      HOOKFAN_CHECK(internal::NamesItsField(message));
    }
  }

  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(input.data(), input.size()).get(root)) {
    HOOKFAN_CHECK(!answer.ok());  // malformed JSON is never accepted
    HOOKFAN_CHECK(answer.status().code() == StatusCode::kInvalidArgument);
    return;
  }

  std::vector<simdjson::dom::element> elements;
  simdjson::dom::array array;
  if (shape == IngestShape::kBody && root.get_array().get(array) == simdjson::SUCCESS) {
    if (array.size() > kFuzzIngestLimits.max_batch_events) {
      HOOKFAN_CHECK(!answer.ok() && answer.status().code() == StatusCode::kResourceExhausted);
      return;
    }
    for (simdjson::dom::element element : array) elements.push_back(element);
    if (elements.empty()) {
      HOOKFAN_CHECK(!answer.ok() && answer.status().code() == StatusCode::kInvalidArgument);
      return;
    }
  } else {
    elements.push_back(root);
  }

  std::vector<ReferenceEvent> expected(elements.size());
  bool payloads_over_limit = false;
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (!internal::ReadReferenceEvent(elements[i], &expected[i])) {
      HOOKFAN_CHECK(!answer.ok());  // a broken rule is never accepted
      return;
    }
    payloads_over_limit |=
        expected[i].minified_payload.size() > kFuzzIngestLimits.max_payload_bytes;
  }
  // A well-formed submission is refused only for size, and surely if even its minified
  // payload is too big.
  if (payloads_over_limit || !answer.ok()) {
    HOOKFAN_CHECK(!answer.ok() && answer.status().code() == StatusCode::kResourceExhausted);
    HOOKFAN_CHECK(answer.status().message().find("payload") != std::string_view::npos);
    return;
  }
  HOOKFAN_CHECK(answer->size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    HOOKFAN_CHECK((*answer)[i] != nullptr);
    internal::CheckAcceptedEvent(input, *(*answer)[i], expected[i]);
  }
}

}  // namespace hookfan::fuzz
