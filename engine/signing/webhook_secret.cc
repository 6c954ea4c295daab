#include "engine/signing/webhook_secret.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstdio>

#include "net/base/base64.h"
#include "net/base/check.h"

namespace hookfan::engine {
namespace {

Status Invalid(std::string_view field, std::string_view message) {
  std::string text(field);
  text += ": ";
  text += message;
  return Status::InvalidArgument(std::move(text));
}

}  // namespace

StatusOr<std::string> DecodeStandardSecret(std::string_view secret, std::string_view field) {
  if (!secret.starts_with(kStandardSecretPrefix)) {
    return Invalid(field, "must start with \"whsec_\"");
  }
  StatusOr<std::string> key = Base64Decode(secret.substr(kStandardSecretPrefix.size()));
  if (!key.ok()) {
    // Offsets in the decoder's message count from the first character after the prefix.
    std::string message = key.status().message();
    constexpr std::string_view kDecoderPrefix = "not base64";
    if (message.starts_with(kDecoderPrefix)) message.erase(0, kDecoderPrefix.size());
    return Invalid(field, "not base64 after \"whsec_\"" + message);
  }
  if (key->size() < kMinStandardKeyBytes || key->size() > kMaxStandardKeyBytes) {
    const size_t size = key->size();
    OPENSSL_cleanse(key->data(), key->size());
    return Invalid(field, std::string(size < kMinStandardKeyBytes ? "too short" : "too long") +
                              ": the key is " + std::to_string(size) +
                              " bytes after base64 decoding; Standard Webhooks requires 24 to "
                              "64 bytes");
  }
  return key;
}

std::string GenerateStandardSecret() {
  unsigned char bytes[kGeneratedStandardKeyBytes];
  HOOKFAN_CHECK(RAND_bytes(bytes, sizeof bytes) == 1);
  std::string secret(kStandardSecretPrefix);
  secret += Base64Encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
  OPENSSL_cleanse(bytes, sizeof bytes);
  return secret;
}

Status CheckKeyText(std::string_view key, std::string_view field) {
  if (key.empty()) return Invalid(field, "must not be empty");
  for (size_t i = 0; i < key.size(); ++i) {
    const auto c = static_cast<unsigned char>(key[i]);
    if (c < 0x20 || c == 0x7F) {
      char found[64];
      std::snprintf(found, sizeof found, " (found byte 0x%02x at offset %zu)", c, i);
      return Invalid(
          field, std::string("must not contain CR, LF, NUL or other control characters") + found);
    }
  }
  if (key.front() == ' ' || key.back() == ' ') {
    return Invalid(field, "must not start or end with whitespace");
  }
  return Status::Ok();
}

}  // namespace hookfan::engine
