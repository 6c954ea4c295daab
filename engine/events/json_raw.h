#pragma once
// The exact bytes of a JSON value inside a document, as simdjson's on-demand parser sees
// them: for passing payloads on byte for byte (ingest) and for rewriting one field of an
// object while keeping every other byte (received_stamp).

#include <simdjson.h>

#include <string_view>

namespace hookfan::engine {

// `*out` views the value's bytes inside the parsed buffer, without trailing whitespace.
simdjson::error_code RawJsonValue(simdjson::ondemand::value value, std::string_view* out);

}  // namespace hookfan::engine
