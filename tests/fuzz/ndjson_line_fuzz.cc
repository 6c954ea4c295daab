// Fuzzes IngestParser::ParseLine with one NDJSON line, as a client streams them. Checked
// like ingest_body_fuzz.cc against the DOM reading of tests/fuzz/ingest_reference.h, and
// against ParseBody: a line holding an object is judged exactly as a body holding it,
// errors differing only by the "line N: " prefix.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/events/ingest_parser.h"
#include "net/base/check.h"
#include "tests/fuzz/ingest_reference.h"

namespace {

using hookfan::engine::EventPtr;

hookfan::StatusOr<std::vector<EventPtr>> AsBatch(hookfan::StatusOr<EventPtr> line) {
  if (!line.ok()) return line.status();
  return std::vector<EventPtr>{*std::move(line)};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static hookfan::engine::IngestParser parser(hookfan::fuzz::kFuzzIngestLimits);
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const hookfan::StatusOr<std::vector<EventPtr>> answer = AsBatch(parser.ParseLine(line, 7));
  hookfan::fuzz::CheckIngestAnswer(line, answer, hookfan::fuzz::IngestShape::kLine);

  // Only bodies holding one object are comparable: arrays and scalars are batches or
  // errors for ParseBody but always "must be a JSON object" for ParseLine.
  simdjson::dom::parser dom;
  simdjson::dom::element root;
  if (dom.parse(line.data(), line.size()).get(root) || !root.is_object()) return 0;
  const hookfan::StatusOr<std::vector<EventPtr>> body = parser.ParseBody(line);
  HOOKFAN_CHECK(body.ok() == answer.ok());
  if (!answer.ok()) {
    HOOKFAN_CHECK(answer.status().code() == body.status().code());
    HOOKFAN_CHECK(answer.status().message() == "line 7: " + body.status().message());
  } else {
    HOOKFAN_CHECK((*body)[0]->payload == (*answer)[0]->payload);
  }
  return 0;
}
