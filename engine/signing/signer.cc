#include "engine/signing/signer.h"

#include <openssl/crypto.h>

#include <charconv>
#include <cstring>

#include "net/base/base64.h"
#include "net/base/check.h"

namespace hookfan::engine {
namespace {

constexpr std::string_view kIdName = "webhook-id: ";
constexpr std::string_view kTimestampName = "webhook-timestamp: ";
constexpr std::string_view kSignatureName = "webhook-signature: ";
constexpr std::string_view kNovuName = "x-novu-signature: ";
constexpr std::string_view kAuthorizationName = "Authorization: ";
constexpr std::string_view kCrLf = "\r\n";
constexpr std::string_view kV1 = "v1,";
constexpr size_t kSignatureChars = Base64EncodedSize(HmacSha256Key::kMacSize);  // 44
constexpr size_t kMaxInt64Chars = 20;                                           // "-9223..."

char* Put(char* out, std::string_view text) {
  if (text.empty()) return out;  // memcpy from a null data() is undefined even for 0 bytes
  std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

// The v1 signature, base64 only (no "v1,"), of "<id>.<timestamp>.<body>".
void StandardSignature(const HmacSha256Key& key, std::string_view id, std::string_view timestamp,
                       std::string_view body, char* out) {
  // One Update for "<id>.<timestamp>." when it fits: fewer partial-block copies.
  char prefix[kMaxEventIdBytes + kMaxInt64Chars + 2];
  HmacSha256Key::Mac mac = key.Begin();
  if (id.size() + timestamp.size() + 2 <= sizeof prefix) {
    char* p = Put(prefix, id);
    *p++ = '.';
    p = Put(p, timestamp);
    *p++ = '.';
    mac.Update(std::string_view(prefix, static_cast<size_t>(p - prefix)));
  } else {
    mac.Update(id);
    mac.Update(".");
    mac.Update(timestamp);
    mac.Update(".");
  }
  mac.Update(body);
  uint8_t digest[HmacSha256Key::kMacSize];
  mac.Final(digest);
  Base64Encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest), out);
}

char* PutLowerHex(char* out, const uint8_t* bytes, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < size; ++i) {
    *out++ = kHex[bytes[i] >> 4];
    *out++ = kHex[bytes[i] & 15];
  }
  return out;
}

// Echoes a user-supplied name in an error without letting control bytes into logs.
std::string Printable(std::string_view text) {
  std::string out(text.substr(0, 64));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
  }
  if (text.size() > 64) out += "...";
  return out;
}

}  // namespace

StatusOr<SigningScheme> ParseSigningScheme(std::string_view name) {
  if (name == "standard") return SigningScheme::kStandard;
  if (name == "novu") return SigningScheme::kNovu;
  if (name == "api-key") return SigningScheme::kApiKey;
  if (name == "none") return SigningScheme::kNone;
  return Status::InvalidArgument("signing: unknown scheme '" + Printable(name) +
                                 "' (known: standard, novu, api-key, none)");
}

std::string_view SigningSchemeName(SigningScheme scheme) {
  switch (scheme) {
    case SigningScheme::kStandard:
      return "standard";
    case SigningScheme::kNovu:
      return "novu";
    case SigningScheme::kApiKey:
      return "api-key";
    case SigningScheme::kNone:
      return "none";
  }
  return "unknown";
}

StatusOr<Signer> Signer::Create(SigningScheme scheme, std::vector<std::string> secrets_or_key) {
  // The caller's copies of the secrets were moved in; wipe them however we leave.
  struct Wipe {
    std::vector<std::string>& texts;
    ~Wipe() {
      for (std::string& t : texts) OPENSSL_cleanse(t.data(), t.size());
    }
  } wipe{secrets_or_key};

  const size_t count = secrets_or_key.size();
  const std::string scheme_name(SigningSchemeName(scheme));
  switch (scheme) {
    case SigningScheme::kStandard: {
      if (count == 0) return Status::InvalidArgument("secret: required for scheme 'standard'");
      if (count > kMaxStandardSecrets) {
        return Status::InvalidArgument("secrets: at most " + std::to_string(kMaxStandardSecrets) +
                                       " at once during rotation (got " + std::to_string(count) +
                                       ")");
      }
      std::vector<HmacSha256Key> keys;
      keys.reserve(count);
      for (size_t i = 0; i < count; ++i) {
        const std::string field = count == 1 ? "secret" : "secrets[" + std::to_string(i) + "]";
        StatusOr<std::string> key = DecodeStandardSecret(secrets_or_key[i], field);
        if (!key.ok()) return key.status();
        keys.emplace_back(*key);
        OPENSSL_cleanse(key->data(), key->size());
      }
      return Signer(scheme, std::move(keys), {});
    }
    case SigningScheme::kNovu:
    case SigningScheme::kApiKey: {
      if (count != 1) {
        return Status::InvalidArgument("key: scheme '" + scheme_name +
                                       "' takes exactly one key (got " + std::to_string(count) +
                                       ")");
      }
      HOOKFAN_RETURN_IF_ERROR(CheckKeyText(secrets_or_key[0], "key"));
      if (scheme == SigningScheme::kNovu) {
        return Signer(scheme, {HmacSha256Key(secrets_or_key[0])}, {});
      }
      return Signer(scheme, {}, secrets_or_key[0]);
    }
    case SigningScheme::kNone:
      if (count != 0) {
        return Status::InvalidArgument("signing: scheme 'none' takes no secret or key (got " +
                                       std::to_string(count) + ")");
      }
      return Signer(scheme, {}, {});
  }
  return Status::InvalidArgument("signing: unknown scheme");
}

Signer::~Signer() { OPENSSL_cleanse(api_key_.data(), api_key_.size()); }

size_t Signer::MaxHeaderBytes(size_t event_id_size) const {
  switch (scheme_) {
    case SigningScheme::kStandard:
      return kIdName.size() + event_id_size + kCrLf.size() + kTimestampName.size() +
             kMaxInt64Chars + kCrLf.size() + kSignatureName.size() +
             keys_.size() * (kV1.size() + kSignatureChars + 1) + kCrLf.size();
    case SigningScheme::kNovu:
      return kNovuName.size() + 2 * HmacSha256Key::kMacSize + kCrLf.size();
    case SigningScheme::kApiKey:
      return kAuthorizationName.size() + api_key_.size() + kCrLf.size();
    case SigningScheme::kNone:
      return 0;
  }
  return 0;
}

char* Signer::WriteHeaders(std::string_view event_id, int64_t timestamp_unix_s,
                           std::string_view body, char* out) const {
  switch (scheme_) {
    case SigningScheme::kStandard: {
      HOOKFAN_DCHECK(ValidateEventId(event_id).ok());
      char ts[kMaxInt64Chars];
      const std::to_chars_result r = std::to_chars(ts, ts + sizeof ts, timestamp_unix_s);
      const std::string_view timestamp(ts, static_cast<size_t>(r.ptr - ts));
      out = Put(out, kIdName);
      out = Put(out, event_id);
      out = Put(out, kCrLf);
      out = Put(out, kTimestampName);
      out = Put(out, timestamp);
      out = Put(out, kCrLf);
      out = Put(out, kSignatureName);
      for (size_t i = 0; i < keys_.size(); ++i) {
        if (i > 0) *out++ = ' ';
        out = Put(out, kV1);
        StandardSignature(keys_[i], event_id, timestamp, body, out);
        out += kSignatureChars;
      }
      return Put(out, kCrLf);
    }
    case SigningScheme::kNovu: {
      uint8_t digest[HmacSha256Key::kMacSize];
      keys_[0].Compute(body, digest);
      out = Put(out, kNovuName);
      out = PutLowerHex(out, digest, sizeof digest);
      return Put(out, kCrLf);
    }
    case SigningScheme::kApiKey:
      out = Put(out, kAuthorizationName);
      out = Put(out, api_key_);
      return Put(out, kCrLf);
    case SigningScheme::kNone:
      return out;
  }
  return out;
}

void Signer::AppendHeaders(std::string_view event_id, int64_t timestamp_unix_s,
                           std::string_view body, std::string& out) const {
  const size_t old_size = out.size();
  out.resize(old_size + MaxHeaderBytes(event_id.size()));
  const char* end = WriteHeaders(event_id, timestamp_unix_s, body, out.data() + old_size);
  out.resize(static_cast<size_t>(end - out.data()));
}

bool Signer::VerifyStandard(std::string_view event_id, std::string_view timestamp,
                            std::string_view body, std::string_view signature_header) const {
  if (scheme_ != SigningScheme::kStandard) return false;
  // Expected signatures, one per secret, on the stack.
  HOOKFAN_DCHECK(keys_.size() <= kMaxStandardSecrets);
  char expected[kMaxStandardSecrets][kSignatureChars];
  for (size_t k = 0; k < keys_.size(); ++k) {
    StandardSignature(keys_[k], event_id, timestamp, body, expected[k]);
  }
  bool matched = false;
  while (!signature_header.empty()) {
    const size_t space = signature_header.find(' ');
    const std::string_view entry = signature_header.substr(0, space);
    signature_header.remove_prefix(space == std::string_view::npos ? signature_header.size()
                                                                   : space + 1);
    if (!entry.starts_with(kV1) || entry.size() != kV1.size() + kSignatureChars) continue;
    const char* candidate = entry.data() + kV1.size();
    for (size_t k = 0; k < keys_.size(); ++k) {
      matched |= CRYPTO_memcmp(candidate, expected[k], kSignatureChars) == 0;
    }
  }
  return matched;
}

StatusOr<bool> VerifyStandardSignature(std::string_view secret, std::string_view event_id,
                                       std::string_view timestamp, std::string_view body,
                                       std::string_view signature_header) {
  StatusOr<Signer> signer = Signer::Create(SigningScheme::kStandard, {std::string(secret)});
  if (!signer.ok()) return signer.status();
  return signer->VerifyStandard(event_id, timestamp, body, signature_header);
}

}  // namespace hookfan::engine
