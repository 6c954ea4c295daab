#include "tools/standard_webhooks_verify.h"

#include <gtest/gtest.h>

#include <string>

namespace hookfan::tools {
namespace {

// The example of the Standard Webhooks specification (github.com/standard-webhooks).
constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr char kId[] = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr char kTimestamp[] = "1614265330";
constexpr char kBody[] = R"({"test": 2432232314})";
constexpr char kSignature[] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST(StandardWebhooksVerifierTest, AcceptsTheSpecificationExample) {
  StatusOr<StandardWebhooksVerifier> verifier = StandardWebhooksVerifier::FromSecret(kSecret);
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  EXPECT_TRUE(verifier->Verify(kId, kTimestamp, kBody, kSignature));
  // Reusable: the context is re-keyed on every call.
  EXPECT_TRUE(verifier->Verify(kId, kTimestamp, kBody, kSignature));
}

TEST(StandardWebhooksVerifierTest, AnyOfSeveralSignaturesMayMatch) {
  StatusOr<StandardWebhooksVerifier> verifier = StandardWebhooksVerifier::FromSecret(kSecret);
  ASSERT_TRUE(verifier.ok());
  EXPECT_TRUE(verifier->Verify(kId, kTimestamp, kBody,
                               std::string("v1,bm90IHRoaXMgb25l v2,xyz ") + kSignature));
}

TEST(StandardWebhooksVerifierTest, RefusesAnyChange) {
  StatusOr<StandardWebhooksVerifier> verifier = StandardWebhooksVerifier::FromSecret(kSecret);
  ASSERT_TRUE(verifier.ok());
  EXPECT_FALSE(verifier->Verify("msg_other", kTimestamp, kBody, kSignature));
  EXPECT_FALSE(verifier->Verify(kId, "1614265331", kBody, kSignature));
  EXPECT_FALSE(verifier->Verify(kId, kTimestamp, R"({"test": 2432232315})", kSignature));
  EXPECT_FALSE(verifier->Verify(kId, kTimestamp, kBody, std::string(kSignature).substr(3)));
  EXPECT_FALSE(verifier->Verify(kId, kTimestamp, kBody, ""));
  EXPECT_FALSE(verifier->Verify("", kTimestamp, kBody, kSignature));
}

TEST(StandardWebhooksVerifierTest, BadSecretsNameTheField) {
  EXPECT_EQ(
      StandardWebhooksVerifier::FromSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").status().message(),
      "secret: must start with \"whsec_\"");
  for (const char* bad : {"whsec_", "whsec_abc", "whsec_!!!!", "whsec_ab=c"}) {
    EXPECT_EQ(StandardWebhooksVerifier::FromSecret(bad).status().message(),
              "secret: the part after \"whsec_\" is not valid base64")
        << bad;
  }
}

TEST(StandardWebhooksVerifierTest, DecodesPaddedBase64) {
  std::string out;
  ASSERT_TRUE(DecodeBase64("aGk=", &out));
  EXPECT_EQ(out, "hi");
  ASSERT_TRUE(DecodeBase64("aA==", &out));
  EXPECT_EQ(out, "h");
  ASSERT_TRUE(DecodeBase64("aGV5", &out));
  EXPECT_EQ(out, "hey");
  EXPECT_FALSE(DecodeBase64("aGk", &out));
}

}  // namespace
}  // namespace hookfan::tools
