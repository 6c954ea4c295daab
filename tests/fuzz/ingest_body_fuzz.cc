// Fuzzes IngestParser::ParseBody with the bytes of an HTTP ingest body, as any client may
// send them. Beyond "no crash, no leak, no undefined behaviour", every answer is checked
// against the DOM reading in tests/fuzz/ingest_reference.h: malformed or rule-breaking
// bodies are refused, well-formed ones accepted with exactly their submitted fields and
// payload bytes.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/events/ingest_parser.h"
#include "tests/fuzz/ingest_reference.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // One parser for the whole run, as an ingest thread keeps one: state left behind by an
  // earlier input must never change the answer to a later one.
  static hookfan::engine::IngestParser parser(hookfan::fuzz::kFuzzIngestLimits);
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  hookfan::fuzz::CheckIngestAnswer(body, parser.ParseBody(body), hookfan::fuzz::IngestShape::kBody);
  return 0;
}
