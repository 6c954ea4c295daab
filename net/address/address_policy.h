#pragma once
// The outbound address guard (SSRF): judges every address the client is about to connect
// to, after resolution, so there is no gap between checking a name and connecting to it.
//
//   auto policy = AddressPolicy::PublicOnly({*Cidr::Parse("127.0.0.0/8")});
//   AddressVerdict v = policy.Check(address);   // v.allowed, v.rule ("loopback 127.0.0.0/8")
//
// PublicOnly refuses loopback, RFC 1918, link-local (169.254.169.254 included), CGNAT,
// 0/8, 192.0.0/24, 198.18/15, 240/4, multicast, broadcast, ::, ::1, fc00::/7, fe80::/10,
// and judges IPv4 embedded in IPv6 (IPv4-mapped, NAT64 64:ff9b::/96, 6to4 2002::/16) by the
// embedded IPv4 address. Allow-listed ranges pass before any refusal. Immutable: safe to
// share between threads.

#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/address/ip_address.h"
#include "net/base/status.h"

namespace hookfan::net {

// An address range, "10.0.0.0/8" or "fd00::/8". A bare address is a /32 or /128.
struct Cidr {
  IpAddress base;  // host bits cleared
  int prefix_length = 0;

  // Errors name the problem: "'10.0.0.0/33': prefix length must be 0..32".
  static StatusOr<Cidr> Parse(std::string_view text);
  bool Contains(const IpAddress& address) const;
  std::string ToString() const;
};

struct AddressVerdict {
  bool allowed = true;
  // Why: the rule that matched, e.g. "loopback 127.0.0.0/8" or "allow_cidrs 127.0.0.0/8";
  // empty when nothing matched (a public address). Points at static or policy-owned text.
  std::string_view rule;
};

class AddressPolicy {
 public:
  // Every address allowed (the embedding API's default; the guard is opt-in there).
  static AddressPolicy AllowAll();
  // Public addresses only, plus the allow-listed ranges (serve's default).
  static AddressPolicy PublicOnly(std::vector<Cidr> allow);

  AddressVerdict Check(const IpAddress& address) const;
  AddressVerdict Check(const sockaddr& address) const;
  bool allows_all() const { return allow_all_; }

 private:
  bool allow_all_ = true;
  std::vector<Cidr> allow_;
  std::vector<std::string> allow_rules_;  // "allow_cidrs <cidr>", the text verdicts point at
};

// The text of a refusal, for RequestOutcome::detail and the endpoint's last error:
// "127.0.0.1 refused by loopback 127.0.0.0/8".
std::string DescribeRefusal(const IpAddress& address, const AddressVerdict& verdict);

}  // namespace hookfan::net
