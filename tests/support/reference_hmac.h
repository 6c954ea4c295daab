#pragma once
// Reference signatures computed OUTSIDE hookfan, by the tools a receiver written elsewhere
// would trust: `openssl dgst` and Python's hmac/hashlib/base64 modules, run as child
// processes. Tests compare hookfan's signature headers with these, so a bug shared by
// hookfan's signer and its own verifier cannot hide.
//
//   StatusOr<std::string> hex = ReferenceHmacSha256Hex("novu-key", request.body);
//   EXPECT_EQ(request.Header("x-novu-signature"), *hex);
//
// Each call writes its inputs to a fresh temporary directory (removed afterwards) and runs
// one command through popen; errors say which command failed. Any thread.

#include <string>
#include <string_view>

#include "net/base/status.h"

namespace hookfan::testing {

// Lowercase hex HMAC-SHA256 of `body` keyed with the bytes of `key`, by
// `openssl dgst -sha256 -mac HMAC -macopt hexkey:<key as hex>`.
StatusOr<std::string> ReferenceHmacSha256Hex(std::string_view key, std::string_view body);

// The Standard Webhooks signature "v1,<base64>" of "<id>.<timestamp>.<body>" under a
// `whsec_` secret, by Python (base64-decodes the secret, hmac.new(..., hashlib.sha256)).
StatusOr<std::string> ReferenceStandardSignature(std::string_view secret, std::string_view id,
                                                 std::string_view timestamp, std::string_view body);

}  // namespace hookfan::testing
