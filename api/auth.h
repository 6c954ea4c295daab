#pragma once
// Bearer-token authentication of serve's HTTP API. Tokens are tenants:
//   - the admin token ([auth] admin_token or HOOKFAN_ADMIN_TOKEN) may do everything and owns
//     the config-file endpoints;
//   - each of [auth] tokens may publish events and manage only the endpoints it created.
// Only SHA-256 digests of the tokens are kept; a presented token is hashed and compared with
// each digest in constant time (CRYPTO_memcmp, no early exit), so timing says nothing about
// how much of a token was right. An endpoint's owner is the hex digest of its token, which
// is what the endpoint store persists: the token itself is never written anywhere.
//
//   auto auth = Authenticator::Create(config.auth);
//   Principal who = auth.Authenticate(request.FindHeader("authorization"));
//   if (!who.authenticated) -> 401 with WWW-Authenticate: Bearer

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hookfan::tools {

// The owner of what the admin token makes, and of the config-file endpoints. An empty
// string, so an engine without auth (everything admin) routes exactly as before.
inline constexpr std::string_view kAdminOwner = "";

struct Principal {
  bool authenticated = false;
  bool admin = false;
  std::string owner;  // kAdminOwner for the admin, "sha256:<hex>" for a tenant token
};

class Authenticator {
 public:
  // Without tokens (no [auth]) every request is the admin.
  Authenticator() = default;
  Authenticator(std::string_view admin_token, const std::vector<std::string>& tenant_tokens);

  bool enabled() const { return enabled_; }
  // `header` is the Authorization header's value, if any.
  Principal Authenticate(std::optional<std::string_view> header) const;

  // "sha256:<64 hex digits>" of a token: the owner a tenant's endpoints are stored under.
  static std::string OwnerOf(std::string_view token);

 private:
  using Digest = std::array<unsigned char, 32>;
  static Digest Hash(std::string_view token);

  bool enabled_ = false;
  Digest admin_{};
  std::vector<Digest> tenants_;
};

}  // namespace hookfan::tools
