#include "engine/signing/webhook_secret.h"

#include <gtest/gtest.h>

#include <set>

#include "net/base/base64.h"

namespace hookfan::engine {
namespace {

std::string Message(const StatusOr<std::string>& result) { return result.status().message(); }

TEST(WebhookSecretTest, DecodesTheSpecificationSecret) {
  // The Standard Webhooks test secret (libraries/*/ tests in standard-webhooks/standard-webhooks):
  // 24 bytes, the spec's minimum.
  StatusOr<std::string> key = DecodeStandardSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(key->size(), 24u);
  EXPECT_EQ(static_cast<unsigned char>((*key)[0]), 0x31);
  EXPECT_EQ(static_cast<unsigned char>((*key)[23]), 0xb0);
}

TEST(WebhookSecretTest, RefusesAMissingOrWrongPrefix) {
  EXPECT_EQ(Message(DecodeStandardSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")),
            "secret: must start with \"whsec_\"");
  EXPECT_EQ(Message(DecodeStandardSecret("WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")),
            "secret: must start with \"whsec_\"");
  EXPECT_EQ(Message(DecodeStandardSecret("whsk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")),
            "secret: must start with \"whsec_\"");
  EXPECT_EQ(Message(DecodeStandardSecret("")), "secret: must start with \"whsec_\"");
  EXPECT_EQ(DecodeStandardSecret("").status().code(), StatusCode::kInvalidArgument);
}

TEST(WebhookSecretTest, RefusesTextThatIsNotBase64) {
  EXPECT_EQ(Message(DecodeStandardSecret("whsec_MfKQ9r8GKYqrTwjU*D8ILPZIo2LaLaSw")),
            "secret: not base64 after \"whsec_\": unexpected '*' at offset 16");
  EXPECT_EQ(Message(DecodeStandardSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n")),
            "secret: not base64 after \"whsec_\": unexpected whitespace (0x0a) at offset 32");
  EXPECT_EQ(Message(DecodeStandardSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw=")),
            "secret: not base64 after \"whsec_\": wrong padding (1 '=' after 32 characters)");
}

TEST(WebhookSecretTest, RefusesKeysOutside24To64Bytes) {
  // 16 bytes.
  EXPECT_EQ(Message(DecodeStandardSecret("whsec_" + Base64Encode(std::string(16, 'k')))),
            "secret: too short: the key is 16 bytes after base64 decoding; Standard Webhooks "
            "requires 24 to 64 bytes");
  EXPECT_EQ(Message(DecodeStandardSecret("whsec_")),
            "secret: too short: the key is 0 bytes after base64 decoding; Standard Webhooks "
            "requires 24 to 64 bytes");
  EXPECT_EQ(Message(DecodeStandardSecret("whsec_" + Base64Encode(std::string(23, 'k')))),
            "secret: too short: the key is 23 bytes after base64 decoding; Standard Webhooks "
            "requires 24 to 64 bytes");
  EXPECT_EQ(Message(DecodeStandardSecret("whsec_" + Base64Encode(std::string(65, 'k')))),
            "secret: too long: the key is 65 bytes after base64 decoding; Standard Webhooks "
            "requires 24 to 64 bytes");
  EXPECT_TRUE(DecodeStandardSecret("whsec_" + Base64Encode(std::string(24, 'k'))).ok());
  EXPECT_TRUE(DecodeStandardSecret("whsec_" + Base64Encode(std::string(64, 'k'))).ok());
}

TEST(WebhookSecretTest, NamesTheFieldItIsGiven) {
  EXPECT_EQ(Message(DecodeStandardSecret("nope", "secrets[1]")),
            "secrets[1]: must start with \"whsec_\"");
}

TEST(WebhookSecretTest, GeneratedSecretsAreWellFormedAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string secret = GenerateStandardSecret();
    ASSERT_EQ(secret.size(), 6 + 44u);
    StatusOr<std::string> key = DecodeStandardSecret(secret);
    ASSERT_TRUE(key.ok()) << secret << ": " << key.status().message();
    EXPECT_EQ(key->size(), kGeneratedStandardKeyBytes);
    seen.insert(secret);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(WebhookSecretTest, KeyTextMustBeNonEmptyAndHeaderSafe) {
  EXPECT_TRUE(CheckKeyText("super-secret-key", "key").ok());
  EXPECT_TRUE(CheckKeyText("Bearer abc.def", "key").ok());
  EXPECT_EQ(CheckKeyText("", "key").message(), "key: must not be empty");
  EXPECT_EQ(CheckKeyText("abc\r\nX-Evil: 1", "key").message(),
            "key: must not contain CR, LF, NUL or other control characters (found byte 0x0d at "
            "offset 3)");
  EXPECT_EQ(CheckKeyText("abc\n", "key").message(),
            "key: must not contain CR, LF, NUL or other control characters (found byte 0x0a at "
            "offset 3)");
  EXPECT_EQ(CheckKeyText(std::string("ab\0c", 4), "key").message(),
            "key: must not contain CR, LF, NUL or other control characters (found byte 0x00 at "
            "offset 2)");
  EXPECT_EQ(CheckKeyText("a\x7f", "key").message(),
            "key: must not contain CR, LF, NUL or other control characters (found byte 0x7f at "
            "offset 1)");
  EXPECT_EQ(CheckKeyText(" abc", "key").message(), "key: must not start or end with whitespace");
  EXPECT_EQ(CheckKeyText("abc ", "key").message(), "key: must not start or end with whitespace");
}

}  // namespace
}  // namespace hookfan::engine
