#include "api/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace hookfan::tools {
namespace {

std::string Hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return out;
}

}  // namespace

Authenticator::Authenticator(std::string_view admin_token,
                             const std::vector<std::string>& tenant_tokens)
    : enabled_(true), admin_(Hash(admin_token)) {
  for (const std::string& token : tenant_tokens) tenants_.push_back(Hash(token));
}

Authenticator::Digest Authenticator::Hash(std::string_view token) {
  Digest digest{};
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest.data());
  return digest;
}

std::string Authenticator::OwnerOf(std::string_view token) {
  const Digest digest = Hash(token);
  return "sha256:" + Hex(digest.data(), digest.size());
}

Principal Authenticator::Authenticate(std::optional<std::string_view> header) const {
  Principal who;
  if (!enabled_) {
    who.authenticated = who.admin = true;
    who.owner = std::string(kAdminOwner);
    return who;
  }
  if (!header) return who;
  std::string_view value = *header;
  // The scheme is case-insensitive (RFC 9110 11.1); one or more blanks follow it.
  if (value.size() < 7 || (value.substr(0, 6) != "Bearer" && value.substr(0, 6) != "bearer") ||
      (value[6] != ' ' && value[6] != '\t')) {
    return who;
  }
  value.remove_prefix(7);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  if (value.empty()) return who;
  const Digest presented = Hash(value);
  // Every digest is compared, whatever matched, so the time taken does not say which.
  bool is_admin = CRYPTO_memcmp(presented.data(), admin_.data(), presented.size()) == 0;
  bool is_tenant = false;
  for (const Digest& tenant : tenants_) {
    is_tenant |= CRYPTO_memcmp(presented.data(), tenant.data(), presented.size()) == 0;
  }
  if (is_admin) {
    who.authenticated = who.admin = true;
    who.owner = std::string(kAdminOwner);
  } else if (is_tenant) {
    who.authenticated = true;
    who.owner = "sha256:" + Hex(presented.data(), presented.size());
  }
  return who;
}

}  // namespace hookfan::tools
