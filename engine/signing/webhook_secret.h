#pragma once
// Endpoint signing secrets and keys as an operator writes them, checked before use.
//
//   std::string secret = GenerateStandardSecret();      // "whsec_" + 44 base64 chars
//   StatusOr<std::string> key = DecodeStandardSecret(secret);   // 32 raw key bytes
//   Status ok = CheckKeyText(api_key, "key");           // before it goes into a header
//
// Standard Webhooks (spec/standard-webhooks.md, "Signature scheme"): a symmetric secret is
// random, "at least 24 bytes (192 bits, 512 maximum)" - i.e. 24 to 64 bytes once decoded -
// and is serialized as base64 behind the prefix `whsec_`. The HMAC key is the decoded bytes,
// not the text. We require the prefix (the reference libraries also accept bare base64) so
// that a Novu-style raw key pasted into the wrong scheme is refused instead of being
// silently base64-decoded into some other key.
//
// Every error names the field it was given: `secret: must start with "whsec_"`.
// Pure functions, no shared state: safe from any thread.

#include <cstddef>
#include <string>
#include <string_view>

#include "net/base/status.h"

namespace hookfan::engine {

inline constexpr std::string_view kStandardSecretPrefix = "whsec_";
inline constexpr size_t kMinStandardKeyBytes = 24;
inline constexpr size_t kMaxStandardKeyBytes = 64;
// What GenerateStandardSecret draws: 256 bits, the HMAC-SHA256 output size.
inline constexpr size_t kGeneratedStandardKeyBytes = 32;

// `whsec_<base64>` to the raw HMAC key. Refuses: a missing prefix, text after it that is not
// strict base64 (net/base/base64.h: no whitespace, correct padding), and decoded keys outside
// 24..64 bytes. `field` starts each message ("secret", "secrets[1]").
StatusOr<std::string> DecodeStandardSecret(std::string_view secret,
                                           std::string_view field = "secret");

// A new secret for a new endpoint: "whsec_" + base64 of 32 bytes from RAND_bytes.
// Aborts if OpenSSL's random generator fails (it cannot be seeded: nothing safe to do).
std::string GenerateStandardSecret();

// Checks key text used verbatim (an `Authorization` value, a Novu HMAC key): not empty, no
// control characters (CR, LF and NUL would split or cut the header; the others are paste
// accidents), no leading or trailing whitespace (HTTP strips it, so the receiver would see a
// different key).
Status CheckKeyText(std::string_view key, std::string_view field);

}  // namespace hookfan::engine
