#include "tools/standard_webhooks_verify.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <string>

namespace hookfan::tools {

namespace {

constexpr std::string_view kPrefix = "whsec_";
constexpr std::string_view kVersion = "v1,";
constexpr size_t kSha256Bytes = 32;
constexpr size_t kSignatureChars = 44;  // base64 of 32 bytes

}  // namespace

bool DecodeBase64(std::string_view text, std::string* out) {
  if (text.empty() || text.size() % 4 != 0) return false;
  // EVP_DecodeBlock is lenient (blanks, '=' inside); a secret must be exactly base64.
  const size_t padding = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
  for (size_t i = 0; i < text.size() - padding; ++i) {
    const char c = text[i];
    const bool base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (!base64) return false;
  }
  out->resize(text.size() / 4 * 3);
  int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out->data()),
                               reinterpret_cast<const unsigned char*>(text.data()),
                               static_cast<int>(text.size()));
  if (length < 0) return false;
  // EVP_DecodeBlock counts the bytes that '=' padding stands for; they are not key bytes.
  out->resize(static_cast<size_t>(length) - padding);
  return true;
}

void StandardWebhooksVerifier::MacContextFree::operator()(EVP_MAC_CTX* context) const {
  EVP_MAC_CTX_free(context);
}

StandardWebhooksVerifier::StandardWebhooksVerifier(EVP_MAC_CTX* context) : context_(context) {}

StandardWebhooksVerifier::~StandardWebhooksVerifier() = default;

StatusOr<StandardWebhooksVerifier> StandardWebhooksVerifier::FromSecret(std::string_view secret) {
  if (!secret.starts_with(kPrefix)) {
    return Status::InvalidArgument("secret: must start with \"whsec_\"");
  }
  std::string key;
  if (!DecodeBase64(secret.substr(kPrefix.size()), &key) || key.empty()) {
    return Status::InvalidArgument("secret: the part after \"whsec_\" is not valid base64");
  }
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) return Status::Internal("secret: OpenSSL has no HMAC");
  EVP_MAC_CTX* context = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);  // the context keeps its own reference
  if (context == nullptr) return Status::Internal("secret: cannot create an HMAC context");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(context, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                   params) != 1) {
    EVP_MAC_CTX_free(context);
    return Status::Internal("secret: cannot key HMAC-SHA256");
  }
  OPENSSL_cleanse(key.data(), key.size());
  return StandardWebhooksVerifier(context);
}

bool StandardWebhooksVerifier::Verify(std::string_view id, std::string_view timestamp,
                                      std::string_view body,
                                      std::string_view signature_header) const {
  if (id.empty() || timestamp.empty() || signature_header.empty()) return false;
  EVP_MAC_CTX* context = context_.get();
  // A null key re-initialises with the key given at creation: no allocation per request.
  if (EVP_MAC_init(context, nullptr, 0, nullptr) != 1) return false;
  auto update = [context](std::string_view part) {
    return EVP_MAC_update(context, reinterpret_cast<const unsigned char*>(part.data()),
                          part.size()) == 1;
  };
  if (!update(id) || !update(".") || !update(timestamp) || !update(".") || !update(body)) {
    return false;
  }
  std::array<unsigned char, kSha256Bytes> mac{};
  size_t mac_length = 0;
  if (EVP_MAC_final(context, mac.data(), &mac_length, mac.size()) != 1) return false;
  std::array<char, kSignatureChars + 1> expected{};
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(expected.data()), mac.data(),
                  static_cast<int>(mac_length));

  while (!signature_header.empty()) {
    size_t space = signature_header.find(' ');
    std::string_view entry = signature_header.substr(0, space);
    signature_header.remove_prefix(space == std::string_view::npos ? signature_header.size()
                                                                   : space + 1);
    if (!entry.starts_with(kVersion)) continue;
    entry.remove_prefix(kVersion.size());
    if (entry.size() == kSignatureChars &&
        CRYPTO_memcmp(entry.data(), expected.data(), kSignatureChars) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace hookfan::tools
