#pragma once
// Signer: the authentication headers of one endpoint, written per delivery attempt straight
// into the HTTP/1.1 request head. One Signer per endpoint, built when the endpoint is set up.
//
//   StatusOr<Signer> signer = Signer::Create(SigningScheme::kStandard, {endpoint.secret});
//   if (!signer.ok()) return signer.status();   // "secret: must start with \"whsec_\""
//   std::string head = "POST /hook HTTP/1.1\r\nHost: example.com\r\n";
//   signer->AppendHeaders(event.id, now_unix_s, event.payload, head);
//   // head += "Content-Length: ...\r\n\r\n";
//
// Schemes (docs: SPEC.md "Signing and headers"):
//  - standard (default): Standard Webhooks 1.0.0.
//      webhook-id: <event id>
//      webhook-timestamp: <unix seconds of this attempt>
//      webhook-signature: v1,<base64 HMAC-SHA256("<id>.<timestamp>.<body>")>
//    keyed with the base64-decoded bytes of each `whsec_` secret. With several secrets
//    (rotation) the header lists one `v1,` signature per secret, space separated, in the
//    order given; receivers accept the message when any one matches.
//  - novu: `x-novu-signature: <lowercase hex HMAC-SHA256(body)>`, keyed with the bytes of the
//    key string exactly as given (not decoded), which is what Novu's webhook providers do:
//    `crypto.createHmac('sha256', hmacSecretKey).update(body).digest('hex')` (novuhq/novu,
//    packages/providers/src/lib/email/email-webhook/). Novu spells the header
//    `X-Novu-Signature`; header names are case-insensitive.
//  - api-key: `Authorization: <key>` verbatim (Passworks).
//  - none: no header.
//
// Allocation: AppendHeaders grows `out` only when its capacity is short, so a string reused
// across attempts stops allocating after the first; WriteHeaders never allocates.
// Thread-safety: a Signer is immutable after Create. AppendHeaders, WriteHeaders and
// VerifyStandard keep their working state on the caller's stack, so they may run on several
// threads at once on the same Signer (in hookfan one endpoint belongs to one worker anyway).
// Moving a Signer while another thread uses it is a race, as for any object.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/events/event_id.h"
#include "engine/signing/hmac_sha256.h"
#include "engine/signing/webhook_secret.h"
#include "net/base/status.h"

namespace hookfan::engine {

enum class SigningScheme : uint8_t { kStandard, kNovu, kApiKey, kNone };

// "standard", "novu", "api-key", "none" (exact, lowercase). Anything else:
// `signing: unknown scheme 'x' (known: standard, novu, api-key, none)`.
StatusOr<SigningScheme> ParseSigningScheme(std::string_view name);
std::string_view SigningSchemeName(SigningScheme scheme);

// Event ids follow the one rule of engine/events/event_id.h (no '.', which separates id,
// timestamp and body in the signed content; no control characters): every source checks it
// when it accepts an event, and AppendHeaders assumes it (checked in debug builds).
inline constexpr size_t kMaxEventIdBytes = kMaxEventIdChars;

class Signer {
 public:
  // Rotation keeps old secrets for a while; more than a handful is a configuration error.
  static constexpr size_t kMaxStandardSecrets = 8;

  // `secrets_or_key`: standard: 1..8 `whsec_` secrets, newest first (fields "secret", or
  // "secrets[i]" when several); novu and api-key: exactly one key (field "key", checked by
  // CheckKeyText); none: nothing.
  static StatusOr<Signer> Create(SigningScheme scheme, std::vector<std::string> secrets_or_key);

  Signer(Signer&&) = default;
  Signer& operator=(Signer&&) = default;
  Signer(const Signer&) = delete;  // holds key material: one copy, owned by its endpoint
  Signer& operator=(const Signer&) = delete;
  ~Signer();

  SigningScheme scheme() const { return scheme_; }
  size_t secret_count() const { return keys_.size(); }

  // The most bytes WriteHeaders/AppendHeaders add for an event id of that size.
  size_t MaxHeaderBytes(size_t event_id_size) const;

  // Appends this attempt's header lines ("Name: value\r\n" each, none for kNone) to `out`.
  // `event_id` must pass ValidateEventId; `body` is the exact bytes that will be sent.
  void AppendHeaders(std::string_view event_id, int64_t timestamp_unix_s, std::string_view body,
                     std::string& out) const;
  // Same lines written at `out`, which has room for MaxHeaderBytes(event_id.size()) bytes.
  // Returns one past the last byte written.
  char* WriteHeaders(std::string_view event_id, int64_t timestamp_unix_s, std::string_view body,
                     char* out) const;

  // Receiver side, for kStandard signers: true when any `v1,` entry of `signature_header`
  // (space separated; other versions such as v1a are skipped) is the signature of
  // "<event_id>.<timestamp>.<body>" under any of this signer's secrets. `timestamp` is the
  // webhook-timestamp header text, signed as is. Comparisons are constant-time
  // (CRYPTO_memcmp). Checking the timestamp against the clock is the caller's job.
  // Always false for other schemes.
  bool VerifyStandard(std::string_view event_id, std::string_view timestamp, std::string_view body,
                      std::string_view signature_header) const;

 private:
  Signer(SigningScheme scheme, std::vector<HmacSha256Key> keys, std::string api_key)
      : scheme_(scheme), keys_(std::move(keys)), api_key_(std::move(api_key)) {}

  SigningScheme scheme_;
  std::vector<HmacSha256Key> keys_;  // standard: one per secret, in order; novu: one
  std::string api_key_;              // api-key only
};

// One-off verification with a `whsec_` secret text (parses the secret each call; a receiver
// checking many requests should build a Signer once and call VerifyStandard). Errors only for
// a bad secret; a wrong signature is `false`.
StatusOr<bool> VerifyStandardSignature(std::string_view secret, std::string_view event_id,
                                       std::string_view timestamp, std::string_view body,
                                       std::string_view signature_header);

}  // namespace hookfan::engine
