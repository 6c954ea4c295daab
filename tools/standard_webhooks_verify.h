#pragma once
// StandardWebhooksVerifier: checks Standard Webhooks signatures as a receiver does, for the
// `hookfan sink` command: `webhook-signature` holds space-separated "v1,<base64 HMAC-SHA256
// of "id.timestamp.body">" entries (several during key rotation); one match is enough.
//
//   StatusOr<StandardWebhooksVerifier> verifier = StandardWebhooksVerifier::FromSecret(text);
//   if (!verifier.ok()) return verifier.status();   // "secret: must start with "whsec_""
//   bool good = verifier->Verify(id, timestamp, body, signature_header);
//
// Tools-local on purpose: the engine's signer (engine/signer) is the sending side; this file
// only verifies, so the sink does not depend on the engine's internals. The timestamp is
// covered by the signature but not checked for freshness: a load-test receiver must accept
// replays and retries of old deliveries.
//
// Holds one OpenSSL MAC context that is re-keyed per call: not thread-safe, move-only.

#include <memory>
#include <string>
#include <string_view>

#include "net/base/status.h"

typedef struct evp_mac_ctx_st EVP_MAC_CTX;

namespace hookfan::tools {

class StandardWebhooksVerifier {
 public:
  // `secret` is "whsec_" followed by the base64 key.
  static StatusOr<StandardWebhooksVerifier> FromSecret(std::string_view secret);

  StandardWebhooksVerifier(StandardWebhooksVerifier&&) noexcept = default;
  StandardWebhooksVerifier& operator=(StandardWebhooksVerifier&&) noexcept = default;
  StandardWebhooksVerifier(const StandardWebhooksVerifier&) = delete;
  StandardWebhooksVerifier& operator=(const StandardWebhooksVerifier&) = delete;
  ~StandardWebhooksVerifier();

  // True when one "v1,..." entry of `signature_header` is the signature of id.timestamp.body.
  // Empty id, timestamp or header never verify.
  bool Verify(std::string_view id, std::string_view timestamp, std::string_view body,
              std::string_view signature_header) const;

 private:
  struct MacContextFree {
    void operator()(EVP_MAC_CTX* context) const;
  };
  explicit StandardWebhooksVerifier(EVP_MAC_CTX* context);

  // Keyed once; the key lives only inside the context.
  std::unique_ptr<EVP_MAC_CTX, MacContextFree> context_;
};

// Decodes standard base64 with padding into *out; false when `text` is not that.
bool DecodeBase64(std::string_view text, std::string* out);

}  // namespace hookfan::tools
