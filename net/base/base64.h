#pragma once
// Base64 with the standard alphabet of RFC 4648 section 4 ("A-Z a-z 0-9 + /", '=' padding),
// as used by Standard Webhooks secrets (`whsec_<base64>`) and signatures (`v1,<base64>`).
//
//   char text[Base64EncodedSize(32)];
//   Base64Encode(mac, text);                          // no allocation
//   StatusOr<std::string> key = Base64Decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
//
// Decoding is strict, so that a mistyped or truncated secret is refused rather than
// silently turned into a different key:
//  - only the standard alphabet; no whitespace, no line breaks, no URL-safe '-' or '_';
//  - padding is optional, but when present it must be exactly what the length calls for;
//  - the unused low bits of the last character must be zero (canonical encoding), and a
//    lone final character (6 bits, less than one byte) is refused.
// Errors say what is wrong and where ("unexpected ' ' at offset 8"); callers put the field
// name in front with Status::WithContext.
//
// Pure functions, no shared state: safe from any thread.

#include <cstddef>
#include <string>
#include <string_view>

#include "net/base/status.h"

namespace hookfan {

// Characters Base64Encode writes for `size` input bytes (always padded).
constexpr size_t Base64EncodedSize(size_t size) { return (size + 2) / 3 * 4; }

// Writes exactly Base64EncodedSize(in.size()) characters to `out`; no terminator.
void Base64Encode(std::string_view in, char* out);
std::string Base64Encode(std::string_view in);

StatusOr<std::string> Base64Decode(std::string_view in);

}  // namespace hookfan
