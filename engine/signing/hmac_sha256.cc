// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP_Digest*, whose
// contexts cannot be copied without a heap allocation; see hmac_sha256.h for the measured
// reason to keep them. The suppression is confined to this file.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "engine/signing/hmac_sha256.h"

#include <openssl/crypto.h>

#include <cstring>

#include "net/base/check.h"

namespace hookfan::engine {
namespace {
constexpr size_t kBlockSize = 64;
}  // namespace

HmacSha256Key::HmacSha256Key(std::string_view key) {
  uint8_t block[kBlockSize] = {};
  if (key.size() > kBlockSize) {
    SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), block);
  } else if (!key.empty()) {
    std::memcpy(block, key.data(), key.size());
  }
  uint8_t pad[kBlockSize];
  for (size_t i = 0; i < kBlockSize; ++i) pad[i] = block[i] ^ 0x36;
  HOOKFAN_CHECK(SHA256_Init(&inner_) == 1);
  HOOKFAN_CHECK(SHA256_Update(&inner_, pad, kBlockSize) == 1);
  for (size_t i = 0; i < kBlockSize; ++i) pad[i] = block[i] ^ 0x5c;
  HOOKFAN_CHECK(SHA256_Init(&outer_) == 1);
  HOOKFAN_CHECK(SHA256_Update(&outer_, pad, kBlockSize) == 1);
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
}

HmacSha256Key::~HmacSha256Key() {
  OPENSSL_cleanse(&inner_, sizeof inner_);
  OPENSSL_cleanse(&outer_, sizeof outer_);
}

void HmacSha256Key::Mac::Update(std::string_view data) {
  SHA256_Update(&inner_, data.data(), data.size());
}

void HmacSha256Key::Mac::Final(uint8_t* out) {
  uint8_t inner_digest[SHA256_DIGEST_LENGTH];
  SHA256_Final(inner_digest, &inner_);
  SHA256_CTX outer = *outer_;
  SHA256_Update(&outer, inner_digest, sizeof inner_digest);
  SHA256_Final(out, &outer);
}

void HmacSha256Key::Compute(std::string_view message, uint8_t* out) const {
  Mac mac = Begin();
  mac.Update(message);
  mac.Final(out);
}

}  // namespace hookfan::engine
