// Signing cost per delivery attempt, and the HMAC strategies considered for it.
//
// BM_Signer_*: the whole header block (webhook-id/-timestamp/-signature lines, or the Novu
// line) appended to a reused std::string, as the HTTP client will do per attempt.
// BM_HmacSha256_*: one HMAC-SHA256 over `Arg` bytes with a key prepared in advance:
//   PrecomputedPads - engine/signing/hmac_sha256.h: copy two SHA256_CTX states, no allocation
//   (used); EvpMacDup       - EVP_MAC_CTX keyed once, EVP_MAC_CTX_dup + free per message;
//   EvpMacReinit    - one mutable EVP_MAC_CTX, EVP_MAC_init(ctx, NULL key) per message;
//   EvpQMac         - EVP_Q_mac one-shot, what code without any key set-up costs.

#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <string>

#include "engine/signing/hmac_sha256.h"
#include "engine/signing/signer.h"
#include "net/base/check.h"

namespace hookfan::engine {
namespace {

constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kEventId = "msg_01HZX3KJ8M2Q7R5T9V4W6Y8ZAB";
constexpr int64_t kTimestamp = 1714000000;

std::string Payload(size_t size) {
  std::string body = R"({"type":"pass.created","data":{"pass":")";
  while (body.size() + 3 < size) body.push_back(static_cast<char>('a' + body.size() % 26));
  body += "\"}}";
  body.resize(size);
  return body;
}

void SignLoop(benchmark::State& state, const Signer& signer, const std::string& body) {
  std::string head;
  head.reserve(512);
  int64_t ts = kTimestamp;
  for (auto _ : state) {
    head.clear();
    signer.AppendHeaders(kEventId, ts++, body, head);
    benchmark::DoNotOptimize(head.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(body.size()));
}

Signer Make(SigningScheme scheme, std::vector<std::string> keys) {
  StatusOr<Signer> signer = Signer::Create(scheme, std::move(keys));
  HOOKFAN_CHECK(signer.ok());
  return std::move(signer).value();
}

void BM_Signer_Standard1KiB(benchmark::State& state) {
  SignLoop(state, Make(SigningScheme::kStandard, {std::string(kSecret)}), Payload(1024));
}
BENCHMARK(BM_Signer_Standard1KiB);

// Rotation: two signatures, so about twice the hashing.
void BM_Signer_StandardRotation1KiB(benchmark::State& state) {
  SignLoop(state, Make(SigningScheme::kStandard, {GenerateStandardSecret(), std::string(kSecret)}),
           Payload(1024));
}
BENCHMARK(BM_Signer_StandardRotation1KiB);

void BM_Signer_Novu1KiB(benchmark::State& state) {
  SignLoop(state, Make(SigningScheme::kNovu, {"super-secret-key"}), Payload(1024));
}
BENCHMARK(BM_Signer_Novu1KiB);

void BM_Signer_Standard(benchmark::State& state) {
  SignLoop(state, Make(SigningScheme::kStandard, {std::string(kSecret)}),
           Payload(static_cast<size_t>(state.range(0))));
}
BENCHMARK(BM_Signer_Standard)->Arg(64)->Arg(1024)->Arg(16 * 1024)->Arg(256 * 1024);

void BM_Signer_VerifyStandard1KiB(benchmark::State& state) {
  const Signer signer = Make(SigningScheme::kStandard, {std::string(kSecret)});
  const std::string body = Payload(1024);
  std::string head;
  signer.AppendHeaders(kEventId, kTimestamp, body, head);
  constexpr std::string_view kName = "webhook-signature: ";
  const size_t at = head.find(kName) + kName.size();
  const std::string header = head.substr(at, head.find("\r\n", at) - at);
  const std::string timestamp = std::to_string(kTimestamp);
  for (auto _ : state) {
    bool ok = signer.VerifyStandard(kEventId, timestamp, body, header);
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_Signer_VerifyStandard1KiB);

void BM_HmacSha256_PrecomputedPads(benchmark::State& state) {
  const HmacSha256Key key(std::string(24, 'k'));
  const std::string body = Payload(static_cast<size_t>(state.range(0)));
  uint8_t mac[HmacSha256Key::kMacSize];
  for (auto _ : state) {
    key.Compute(body, mac);
    benchmark::DoNotOptimize(mac);
  }
}
BENCHMARK(BM_HmacSha256_PrecomputedPads)->Arg(64)->Arg(1024);

// An HMAC EVP_MAC_CTX with its key set, as an endpoint would keep it.
EVP_MAC_CTX* NewKeyedEvpMac(EVP_MAC* mac, const std::string& key) {
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  HOOKFAN_CHECK(ctx != nullptr);
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_END};
  HOOKFAN_CHECK(EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                             params) == 1);
  return ctx;
}

void BM_HmacSha256_EvpMacDup(benchmark::State& state) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* keyed = NewKeyedEvpMac(mac, std::string(24, 'k'));
  const std::string body = Payload(static_cast<size_t>(state.range(0)));
  unsigned char out[32];
  size_t out_size = 0;
  for (auto _ : state) {
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(keyed);
    EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(body.data()), body.size());
    EVP_MAC_final(ctx, out, &out_size, sizeof out);
    EVP_MAC_CTX_free(ctx);
    benchmark::DoNotOptimize(out);
  }
  EVP_MAC_CTX_free(keyed);
  EVP_MAC_free(mac);
}
BENCHMARK(BM_HmacSha256_EvpMacDup)->Arg(64)->Arg(1024);

void BM_HmacSha256_EvpMacReinit(benchmark::State& state) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = NewKeyedEvpMac(mac, std::string(24, 'k'));
  const std::string body = Payload(static_cast<size_t>(state.range(0)));
  unsigned char out[32];
  size_t out_size = 0;
  for (auto _ : state) {
    EVP_MAC_init(ctx, nullptr, 0, nullptr);  // restart with the key already set
    EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(body.data()), body.size());
    EVP_MAC_final(ctx, out, &out_size, sizeof out);
    benchmark::DoNotOptimize(out);
  }
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
}
BENCHMARK(BM_HmacSha256_EvpMacReinit)->Arg(64)->Arg(1024);

void BM_HmacSha256_EvpQMac(benchmark::State& state) {
  const std::string key(24, 'k');
  const std::string body = Payload(static_cast<size_t>(state.range(0)));
  unsigned char out[32];
  size_t out_size = 0;
  char digest[] = "SHA256";
  for (auto _ : state) {
    EVP_Q_mac(nullptr, "HMAC", nullptr, digest, nullptr, key.data(), key.size(),
              reinterpret_cast<const unsigned char*>(body.data()), body.size(), out, sizeof out,
              &out_size);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_HmacSha256_EvpQMac)->Arg(64)->Arg(1024);

}  // namespace
}  // namespace hookfan::engine
