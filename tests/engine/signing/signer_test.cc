#include "engine/signing/signer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>

#include "net/base/base64.h"

namespace hookfan::engine {
namespace {

// The Standard Webhooks reference vector, from the specification's own libraries
// (standard-webhooks/standard-webhooks: libraries/go/webhook_test.go TestWebhookSign,
// libraries/javascript/src/webhook.test.ts "sign function works"). Note the message id:
// msg_p5jXN8AQM9LWM0D4loKWxJek.
constexpr std::string_view kSpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kSpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr int64_t kSpecTimestamp = 1614265330;
constexpr std::string_view kSpecPayload = R"({"test": 2432232314})";
constexpr std::string_view kSpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
// A well-formed signature of something else, used by the same libraries' tests.
constexpr std::string_view kOtherSignature = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";

Signer MustCreate(SigningScheme scheme, std::vector<std::string> secrets) {
  StatusOr<Signer> signer = Signer::Create(scheme, std::move(secrets));
  EXPECT_TRUE(signer.ok()) << signer.status().message();
  return std::move(signer).value();
}

std::string Headers(const Signer& signer, std::string_view id, int64_t ts, std::string_view body) {
  std::string out;
  signer.AppendHeaders(id, ts, body, out);
  return out;
}

std::string CreateError(SigningScheme scheme, std::vector<std::string> secrets) {
  StatusOr<Signer> signer = Signer::Create(scheme, std::move(secrets));
  EXPECT_FALSE(signer.ok());
  if (signer.ok()) return "";
  EXPECT_EQ(signer.status().code(), StatusCode::kInvalidArgument);
  return signer.status().message();
}

// Runs the openssl command-line tool on `body` (through a temporary file) and returns the
// lowercase hex MAC it prints: an implementation independent of ours.
std::string OpensslHmacHex(std::string_view key_option, std::string_view body) {
  char path[] = "/tmp/hookfan_signer_test_XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, body.data(), body.size()), static_cast<ssize_t>(body.size()));
  close(fd);
  const std::string command = "openssl dgst -sha256 " + std::string(key_option) + " -r " + path;
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  std::string output;
  char buffer[256];
  while (pipe != nullptr && fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  if (pipe != nullptr) {
    EXPECT_EQ(pclose(pipe), 0) << command;
  }
  unlink(path);
  return output.substr(0, output.find(' '));  // "-r": "<hex> *<file>"
}

std::string HexToBytes(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// The decoded key of a `whsec_` secret in hex, for `openssl dgst -macopt hexkey:`.
std::string HexKey(std::string_view secret) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string key = *DecodeStandardSecret(secret);
  std::string hex;
  for (unsigned char c : key) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex;
}

std::string PseudoRandomBody(size_t size) {
  std::string body;
  uint32_t x = 2463534242u;
  for (size_t i = 0; i < size; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    body.push_back(static_cast<char>(x));
  }
  return body;
}

TEST(SignerTest, StandardMatchesTheSpecificationVector) {
  const Signer signer = MustCreate(SigningScheme::kStandard, {std::string(kSpecSecret)});
  EXPECT_EQ(Headers(signer, kSpecId, kSpecTimestamp, kSpecPayload),
            "webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek\r\n"
            "webhook-timestamp: 1614265330\r\n"
            "webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\r\n");
}

TEST(SignerTest, VerifyAcceptsTheSpecificationVector) {
  StatusOr<bool> ok =
      VerifyStandardSignature(kSpecSecret, kSpecId, "1614265330", kSpecPayload, kSpecSignature);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_TRUE(*ok);
}

TEST(SignerTest, VerifyRejectsAnyChangeToIdTimestampBodyOrSignature) {
  const Signer signer = MustCreate(SigningScheme::kStandard, {std::string(kSpecSecret)});
  EXPECT_TRUE(signer.VerifyStandard(kSpecId, "1614265330", kSpecPayload, kSpecSignature));
  EXPECT_FALSE(signer.VerifyStandard("msg_p5jXN8AQM9LWM0D4loKWxJeK", "1614265330", kSpecPayload,
                                     kSpecSignature));
  EXPECT_FALSE(signer.VerifyStandard(kSpecId, "1614265331", kSpecPayload, kSpecSignature));
  EXPECT_FALSE(
      signer.VerifyStandard(kSpecId, "1614265330", R"({"test": 2432232315})", kSpecSignature));
  EXPECT_FALSE(signer.VerifyStandard(kSpecId, "1614265330", kSpecPayload, kOtherSignature));
  // Malformed entries, as in the reference libraries' tests.
  EXPECT_FALSE(
      signer.VerifyStandard(kSpecId, "1614265330", kSpecPayload, "v1,dawfeoifkpqwoekfpqoekf"));
  EXPECT_FALSE(
      signer.VerifyStandard(kSpecId, "1614265330", kSpecPayload, kSpecSignature.substr(0, 8)));
  EXPECT_FALSE(signer.VerifyStandard(kSpecId, "1614265330", kSpecPayload, "v1,"));
  EXPECT_FALSE(signer.VerifyStandard(kSpecId, "1614265330", kSpecPayload, ""));
  // Same bytes under another version tag do not count as v1.
  EXPECT_FALSE(signer.VerifyStandard(kSpecId, "1614265330", kSpecPayload,
                                     "v2," + std::string(kSpecSignature.substr(3))));
  // A different secret.
  StatusOr<bool> other = VerifyStandardSignature(GenerateStandardSecret(), kSpecId, "1614265330",
                                                 kSpecPayload, kSpecSignature);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(*other);
}

TEST(SignerTest, VerifyAcceptsWhenAnyOfSeveralSignaturesMatches) {
  // The multi-signature header of the reference libraries' "multi sig payload is valid".
  const std::string header = std::string(kOtherSignature) + " v2," +
                             std::string(kOtherSignature.substr(3)) + " " +
                             std::string(kSpecSignature) + " " + std::string(kOtherSignature);
  StatusOr<bool> ok =
      VerifyStandardSignature(kSpecSecret, kSpecId, "1614265330", kSpecPayload, header);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(*ok);
  // Extra spaces and asymmetric (v1a) entries are skipped, not fatal.
  ok = VerifyStandardSignature(kSpecSecret, kSpecId, "1614265330", kSpecPayload,
                               "  v1a,abc  " + std::string(kSpecSignature) + " ");
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(*ok);
}

TEST(SignerTest, VerifyReportsABadSecretAsAnError) {
  StatusOr<bool> ok =
      VerifyStandardSignature("not-a-secret", kSpecId, "1614265330", kSpecPayload, kSpecSignature);
  ASSERT_FALSE(ok.ok());
  EXPECT_EQ(ok.status().message(), "secret: must start with \"whsec_\"");
}

TEST(SignerTest, RotationSendsOneSignaturePerSecretAndEachVerifies) {
  const std::string new_secret = GenerateStandardSecret();
  const std::string old_secret(kSpecSecret);
  const Signer both = MustCreate(SigningScheme::kStandard, {new_secret, old_secret});
  EXPECT_EQ(both.secret_count(), 2u);
  const std::string headers = Headers(both, kSpecId, kSpecTimestamp, kSpecPayload);

  const std::string new_only = Headers(MustCreate(SigningScheme::kStandard, {new_secret}), kSpecId,
                                       kSpecTimestamp, kSpecPayload);
  constexpr std::string_view kName = "webhook-signature: ";
  const size_t at = new_only.find(kName) + kName.size();
  const std::string new_signature = new_only.substr(at, new_only.find("\r\n", at) - at);
  ASSERT_EQ(new_signature.size(), 47u);
  EXPECT_NE(new_signature, kSpecSignature);

  const size_t value_at = headers.find(kName) + kName.size();
  const std::string value = headers.substr(value_at, headers.find("\r\n", value_at) - value_at);
  EXPECT_EQ(value, new_signature + " " + std::string(kSpecSignature));

  for (const std::string& secret : {new_secret, old_secret}) {
    StatusOr<bool> ok = VerifyStandardSignature(secret, kSpecId, "1614265330", kSpecPayload, value);
    ASSERT_TRUE(ok.ok());
    EXPECT_TRUE(*ok) << secret;
  }
  StatusOr<bool> stranger =
      VerifyStandardSignature(GenerateStandardSecret(), kSpecId, "1614265330", kSpecPayload, value);
  ASSERT_TRUE(stranger.ok());
  EXPECT_FALSE(*stranger);
  // A receiver that knows both secrets accepts a header signed with either one alone.
  EXPECT_TRUE(both.VerifyStandard(kSpecId, "1614265330", kSpecPayload, kSpecSignature));
  EXPECT_TRUE(both.VerifyStandard(kSpecId, "1614265330", kSpecPayload, new_signature));
}

TEST(SignerTest, StandardAgreesWithOpensslForBodiesAroundBlockBoundaries) {
  const std::string secret = GenerateStandardSecret();
  const std::string hex_key = HexKey(secret);
  const Signer signer = MustCreate(SigningScheme::kStandard, {secret});
  for (size_t size : {0, 1, 55, 56, 63, 64, 65, 1024, 100000}) {
    const std::string body = PseudoRandomBody(size);
    const std::string id = "msg_" + std::to_string(size);
    const int64_t ts = 1700000000 + static_cast<int64_t>(size);
    const std::string content = id + "." + std::to_string(ts) + "." + body;
    const std::string mac =
        HexToBytes(OpensslHmacHex("-mac HMAC -macopt hexkey:" + hex_key, content));
    ASSERT_EQ(mac.size(), 32u) << size;
    EXPECT_EQ(Headers(signer, id, ts, body),
              "webhook-id: " + id + "\r\nwebhook-timestamp: " + std::to_string(ts) +
                  "\r\nwebhook-signature: v1," + Base64Encode(mac) + "\r\n")
        << size;
  }
}

TEST(SignerTest, VerifyHandlesIdsLongerThanTheSignerAccepts) {
  // A receiver sees whatever ids senders use; the signed content is still "<id>.<ts>.<body>".
  const std::string secret = GenerateStandardSecret();
  const std::string hex_key = HexKey(secret);
  const std::string id(1000, 'i');
  const std::string mac =
      HexToBytes(OpensslHmacHex("-mac HMAC -macopt hexkey:" + hex_key, id + ".1700000000.{}"));
  const Signer signer = MustCreate(SigningScheme::kStandard, {secret});
  EXPECT_TRUE(signer.VerifyStandard(id, "1700000000", "{}", "v1," + Base64Encode(mac)));
  EXPECT_FALSE(signer.VerifyStandard(id, "1700000001", "{}", "v1," + Base64Encode(mac)));
}

TEST(SignerTest, NovuMatchesNovusPublishedVectors) {
  // novuhq/novu packages/providers/src/lib/email/email-webhook/email-webhook.provider.spec.ts:
  // the body axios posts and the X-Novu-Signature it carries, key 'super-secret-key'.
  const Signer signer = MustCreate(SigningScheme::kNovu, {"super-secret-key"});
  EXPECT_EQ(
      Headers(signer, "msg_1", 1,
              R"({"to":["johndoe@example.com"],"from":"janedoe@example.com",)"
              R"("subject":"test","html":"<h1>test</h1>","text":"test"})"),
      "x-novu-signature: d1e94cd19eeceec2e0717e36f7edacaa93612b311bde8756ee35b89d4a994767\r\n");
  EXPECT_EQ(
      Headers(signer, "msg_1", 1,
              R"({"to":["johndoe@example.com"],"from":"janedoe@example.com",)"
              R"("subject":"test _passthrough","html":"<h1>test</h1>","text":"test"})"),
      "x-novu-signature: b0bfe55e55cfc925891858e6a7a77d1da5e3917321ae4f440e1e81843b2f5fa7\r\n");
}

TEST(SignerTest, NovuAgreesWithOpensslDgstHmac) {
  // Precomputed: printf '%s' '{"event":"pass.created"}' | openssl dgst -sha256 -hmac hookfan-key
  const Signer signer = MustCreate(SigningScheme::kNovu, {"hookfan-key"});
  EXPECT_EQ(Headers(signer, "msg_1", 1, R"({"event":"pass.created"})"),
            "x-novu-signature: "
            "0f83ed49b5ad8901ff7fd993477aecd3278f37431fd330934a9f6053161c9017\r\n");
  // And computed now by the openssl tool, over several sizes; the key is used as raw bytes,
  // including keys longer than the 64-byte HMAC block.
  const std::string long_key(100, 'k');
  const Signer long_signer = MustCreate(SigningScheme::kNovu, {long_key});
  for (size_t size : {0, 1, 64, 1024, 70000}) {
    const std::string body = PseudoRandomBody(size);
    EXPECT_EQ(Headers(signer, "msg_1", 1, body),
              "x-novu-signature: " + OpensslHmacHex("-hmac hookfan-key", body) + "\r\n")
        << size;
    EXPECT_EQ(Headers(long_signer, "msg_1", 1, body),
              "x-novu-signature: " + OpensslHmacHex("-hmac " + long_key, body) + "\r\n")
        << size;
  }
}

TEST(SignerTest, ApiKeyAndNoneWriteTheirHeaders) {
  const Signer api = MustCreate(SigningScheme::kApiKey, {"Bearer pk_live_123"});
  EXPECT_EQ(Headers(api, "msg_1", 5, "{}"), "Authorization: Bearer pk_live_123\r\n");
  const Signer none = MustCreate(SigningScheme::kNone, {});
  EXPECT_EQ(Headers(none, "msg_1", 5, "{}"), "");
  EXPECT_EQ(none.MaxHeaderBytes(5), 0u);
  EXPECT_FALSE(api.VerifyStandard("msg_1", "5", "{}", kSpecSignature));
}

TEST(SignerTest, AppendHeadersAppendsAndReusesCapacity) {
  const Signer signer = MustCreate(SigningScheme::kStandard, {std::string(kSpecSecret)});
  std::string head = "POST /hook HTTP/1.1\r\n";
  signer.AppendHeaders(kSpecId, kSpecTimestamp, kSpecPayload, head);
  EXPECT_EQ(head,
            "POST /hook HTTP/1.1\r\n"
            "webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek\r\n"
            "webhook-timestamp: 1614265330\r\n"
            "webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\r\n");
  const char* storage = head.data();
  const size_t capacity = head.capacity();
  for (int i = 0; i < 10; ++i) {
    head.resize(21);
    signer.AppendHeaders(kSpecId, kSpecTimestamp + i, kSpecPayload, head);
  }
  EXPECT_EQ(head.data(), storage);
  EXPECT_EQ(head.capacity(), capacity);
}

TEST(SignerTest, WriteHeadersStaysWithinMaxHeaderBytes) {
  const Signer signer =
      MustCreate(SigningScheme::kStandard, {GenerateStandardSecret(), GenerateStandardSecret()});
  const std::string id(kMaxEventIdBytes, 'i');
  for (int64_t ts : {std::numeric_limits<int64_t>::min(), int64_t{0}, kSpecTimestamp,
                     std::numeric_limits<int64_t>::max()}) {
    const size_t max = signer.MaxHeaderBytes(id.size());
    std::string buffer(max + 8, '#');
    char* end = signer.WriteHeaders(id, ts, "{}", buffer.data());
    const size_t written = static_cast<size_t>(end - buffer.data());
    EXPECT_LE(written, max);
    EXPECT_EQ(buffer.substr(max), "########");
    EXPECT_NE(buffer.find("webhook-timestamp: " + std::to_string(ts) + "\r\n"), std::string::npos);
  }
}

TEST(SignerTest, OutputIsHeaderLinesReadyToSplice) {
  for (SigningScheme scheme :
       {SigningScheme::kStandard, SigningScheme::kNovu, SigningScheme::kApiKey}) {
    std::vector<std::string> keys = {scheme == SigningScheme::kStandard ? GenerateStandardSecret()
                                                                        : "k3y"};
    const std::string out =
        Headers(MustCreate(scheme, std::move(keys)), kSpecId, kSpecTimestamp, "a\r\nb\0c");
    ASSERT_FALSE(out.empty());
    ASSERT_TRUE(out.ends_with("\r\n"));
    size_t start = 0;
    while (start < out.size()) {
      const size_t end = out.find("\r\n", start);
      ASSERT_NE(end, std::string::npos);
      const std::string line = out.substr(start, end - start);
      EXPECT_EQ(line.find_first_of(std::string("\r\n\0", 3)), std::string::npos) << line;
      EXPECT_NE(line.find(": "), std::string::npos) << line;
      start = end + 2;
    }
  }
}

TEST(SignerTest, CreateRefusesBadSecretsNamingTheField) {
  EXPECT_EQ(CreateError(SigningScheme::kStandard, {"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}),
            "secret: must start with \"whsec_\"");
  EXPECT_EQ(CreateError(SigningScheme::kStandard, {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La!aSw"}),
            "secret: not base64 after \"whsec_\": unexpected '!' at offset 28");
  EXPECT_EQ(CreateError(SigningScheme::kStandard, {"whsec_c2hvcnQ="}),
            "secret: too short: the key is 5 bytes after base64 decoding; Standard Webhooks "
            "requires 24 to 64 bytes");
  EXPECT_EQ(CreateError(SigningScheme::kStandard, {}), "secret: required for scheme 'standard'");
  EXPECT_EQ(CreateError(SigningScheme::kStandard, {std::string(kSpecSecret), "whsec_"}),
            "secrets[1]: too short: the key is 0 bytes after base64 decoding; Standard Webhooks "
            "requires 24 to 64 bytes");
  EXPECT_EQ(
      CreateError(SigningScheme::kStandard, std::vector<std::string>(9, std::string(kSpecSecret))),
      "secrets: at most 8 at once during rotation (got 9)");
}

TEST(SignerTest, CreateRefusesBadKeysNamingTheField) {
  EXPECT_EQ(CreateError(SigningScheme::kApiKey, {""}), "key: must not be empty");
  EXPECT_EQ(CreateError(SigningScheme::kApiKey, {"abc\r\nX-Injected: 1"}),
            "key: must not contain CR, LF, NUL or other control characters (found byte 0x0d at "
            "offset 3)");
  EXPECT_EQ(CreateError(SigningScheme::kApiKey, {std::string("ab\0", 3)}),
            "key: must not contain CR, LF, NUL or other control characters (found byte 0x00 at "
            "offset 2)");
  EXPECT_EQ(CreateError(SigningScheme::kNovu, {"key\n"}),
            "key: must not contain CR, LF, NUL or other control characters (found byte 0x0a at "
            "offset 3)");
  EXPECT_EQ(CreateError(SigningScheme::kNovu, {""}), "key: must not be empty");
  EXPECT_EQ(CreateError(SigningScheme::kNovu, {}),
            "key: scheme 'novu' takes exactly one key (got 0)");
  EXPECT_EQ(CreateError(SigningScheme::kApiKey, {"a", "b"}),
            "key: scheme 'api-key' takes exactly one key (got 2)");
  EXPECT_EQ(CreateError(SigningScheme::kNone, {"a"}),
            "signing: scheme 'none' takes no secret or key (got 1)");
}

TEST(SignerTest, ParsesSchemeNames) {
  for (SigningScheme scheme : {SigningScheme::kStandard, SigningScheme::kNovu,
                               SigningScheme::kApiKey, SigningScheme::kNone}) {
    StatusOr<SigningScheme> parsed = ParseSigningScheme(SigningSchemeName(scheme));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, scheme);
  }
  EXPECT_EQ(*ParseSigningScheme("api-key"), SigningScheme::kApiKey);
  EXPECT_EQ(ParseSigningScheme("x").status().message(),
            "signing: unknown scheme 'x' (known: standard, novu, api-key, none)");
  EXPECT_EQ(ParseSigningScheme("Standard").status().message(),
            "signing: unknown scheme 'Standard' (known: standard, novu, api-key, none)");
  EXPECT_EQ(ParseSigningScheme("").status().message(),
            "signing: unknown scheme '' (known: standard, novu, api-key, none)");
  EXPECT_EQ(ParseSigningScheme("a\nb").status().message(),
            "signing: unknown scheme 'a?b' (known: standard, novu, api-key, none)");
}

TEST(SignerTest, EventIdsAreCheckedForHeaderAndSignatureSafety) {
  EXPECT_TRUE(ValidateEventId(kSpecId).ok());
  EXPECT_EQ(ValidateEventId("").message(), "id: must not be empty");
  EXPECT_EQ(ValidateEventId("msg_1\r\nX-Evil: 1").message(),
            "id: byte 0x0d at offset 5 is not allowed (only letters, digits and _ : -)");
  EXPECT_EQ(ValidateEventId("msg.1").message(),
            "id: '.' at offset 3 is not allowed (only letters, digits and _ : -)");
  EXPECT_EQ(ValidateEventId(std::string(kMaxEventIdChars + 1, 'a')).message(),
            "id: longer than 128 characters");
  EXPECT_TRUE(ValidateEventId(std::string(kMaxEventIdChars, 'a')).ok());
  EXPECT_TRUE(ValidateEventType("order.paid").ok());
}

}  // namespace
}  // namespace hookfan::engine
