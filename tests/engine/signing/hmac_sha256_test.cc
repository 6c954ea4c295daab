#include "engine/signing/hmac_sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace hookfan::engine {
namespace {

std::string Hex(const uint8_t* bytes, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 15]);
  }
  return out;
}

std::string MacHex(std::string_view key, std::string_view message) {
  uint8_t mac[HmacSha256Key::kMacSize];
  HmacSha256Key(key).Compute(message, mac);
  return Hex(mac, sizeof mac);
}

// RFC 4231, section 4 (HMAC-SHA-256 results of test cases 1, 2, 6 and 7).
TEST(HmacSha256Test, MatchesRfc4231Vectors) {
  EXPECT_EQ(MacHex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(MacHex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Keys longer than the 64-byte block are hashed first.
  EXPECT_EQ(
      MacHex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(MacHex(std::string(131, '\xaa'),
                   "This is a test using a larger than block-size key and a larger than "
                   "block-size data. The key needs to be hashed before being used by the HMAC "
                   "algorithm."),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(HmacSha256Test, EmptyKeyAndMessageMatchOpensslDgst) {
  // printf '' | openssl dgst -sha256 -hmac ''
  EXPECT_EQ(MacHex("", ""), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacSha256Test, PiecewiseUpdatesEqualOneShot) {
  const HmacSha256Key key("Jefe");
  uint8_t one_shot[HmacSha256Key::kMacSize];
  key.Compute("what do ya want for nothing?", one_shot);
  uint8_t pieces[HmacSha256Key::kMacSize];
  HmacSha256Key::Mac mac = key.Begin();
  mac.Update("what do ");
  mac.Update("");
  mac.Update("ya want for nothing?");
  mac.Final(pieces);
  EXPECT_EQ(Hex(pieces, sizeof pieces), Hex(one_shot, sizeof one_shot));
}

TEST(HmacSha256Test, KeyIsReusableAndCopiesAgree) {
  const HmacSha256Key key("Jefe");
  const HmacSha256Key copy = key;
  uint8_t a[HmacSha256Key::kMacSize];
  uint8_t b[HmacSha256Key::kMacSize];
  key.Compute("first", a);
  key.Compute("what do ya want for nothing?", a);
  copy.Compute("what do ya want for nothing?", b);
  EXPECT_EQ(Hex(a, sizeof a), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(Hex(b, sizeof b), Hex(a, sizeof a));
}

}  // namespace
}  // namespace hookfan::engine
