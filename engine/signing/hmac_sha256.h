#pragma once
// HmacSha256Key: an HMAC-SHA256 key (RFC 2104) kept as the two SHA-256 states reached after
// hashing the key's inner and outer pad blocks. Each MAC then starts from copies of those
// states: it hashes only the message plus one final block, and allocates nothing.
//
//   HmacSha256Key key(secret_bytes);             // once, at endpoint set-up
//   uint8_t mac[HmacSha256Key::kMacSize];
//   HmacSha256Key::Mac m = key.Begin();          // per message, on the stack
//   m.Update(event_id); m.Update("."); m.Update(body);
//   m.Final(mac);
//
// Why not EVP_MAC: an EVP_MAC_CTX keyed once still needs EVP_MAC_CTX_dup per message, and
// the dup allocates the provider's HMAC and digest contexts on the heap (about 4 mallocs);
// bench/engine/signer_bench.cc measures both (BM_HmacSha256_*). The SHA256_* functions used
// here are deprecated in OpenSSL 3 but present and run the same assembly (SHA-NI where the
// CPU has it); only hmac_sha256.cc calls them.
//
// Thread-safety: an HmacSha256Key is immutable after construction; any number of threads
// may call Begin()/Compute() on one key at once. A Mac is a plain value for one thread.
// Copying a key copies the states; the destructor wipes them (OPENSSL_cleanse).

#include <openssl/sha.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hookfan::engine {

class HmacSha256Key {
 public:
  static constexpr size_t kMacSize = 32;

  // Any length; keys longer than the 64-byte block are hashed first, as RFC 2104 says.
  explicit HmacSha256Key(std::string_view key);
  HmacSha256Key(const HmacSha256Key&) = default;
  HmacSha256Key& operator=(const HmacSha256Key&) = default;
  ~HmacSha256Key();

  // One MAC computation over a message given in pieces.
  class Mac {
   public:
    void Update(std::string_view data);
    // Writes kMacSize bytes. The Mac is spent afterwards.
    void Final(uint8_t* out);

   private:
    friend class HmacSha256Key;
    Mac(const SHA256_CTX& inner, const SHA256_CTX& outer) : inner_(inner), outer_(&outer) {}
    SHA256_CTX inner_;
    const SHA256_CTX* outer_;
  };

  // The returned Mac refers to this key: the key must outlive it.
  Mac Begin() const { return Mac(inner_, outer_); }
  void Compute(std::string_view message, uint8_t* out) const;

 private:
  SHA256_CTX inner_;  // after hashing key ^ 0x36 pad
  SHA256_CTX outer_;  // after hashing key ^ 0x5c pad
};

}  // namespace hookfan::engine
