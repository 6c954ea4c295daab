#pragma once
// An endpoint URL split into what the HTTP client needs: scheme, host, port, and the
// request target (path + query). Parsing is strict on purpose: webhook URLs come from
// customers, and whatever we accept here ends up in a request line and a Host header.
//
//   StatusOr<Url> url = Url::Parse("http://[::1]:8080/hooks?x=1#frag");
//   if (!url.ok()) return url.status();   // e.g. "url: unsupported scheme 'ftp' ..."
//   url->host            == "::1"         (brackets removed)
//   url->port            == 8080
//   url->path_and_query  == "/hooks?x=1"  (the fragment is never sent)
//   url->HostHeader()    == "[::1]:8080"
//
// Accepted: http:// and https:// (scheme case-insensitive), a DNS name (lower-cased), a
// dotted IPv4 literal or a bracketed IPv6 literal, an optional port 1..65535.
// Refused with a message naming the problem: other schemes, user info (user@host), empty
// host, bad port, spaces, control and non-ASCII bytes anywhere, backslashes.

#include <cstdint>
#include <string>
#include <string_view>

#include "net/base/status.h"

namespace hookfan::net {

enum class Scheme : std::uint8_t { kHttp, kHttps };

enum class HostKind : std::uint8_t {
  kName,  // resolved through DNS
  kIpv4,  // dotted literal, connects without DNS
  kIpv6,  // bracketed literal in the URL, stored without brackets
};

struct Url {
  Scheme scheme = Scheme::kHttp;
  HostKind host_kind = HostKind::kName;
  std::string host;            // lower case; IPv6 without brackets
  std::uint16_t port = 80;     // explicit or the scheme's default
  std::string path_and_query;  // never empty: "/" at least; no fragment

  static constexpr std::size_t kMaxLength = 8192;

  static StatusOr<Url> Parse(std::string_view text);

  std::string_view SchemeName() const { return scheme == Scheme::kHttps ? "https" : "http"; }
  std::uint16_t DefaultPort() const { return scheme == Scheme::kHttps ? 443 : 80; }
  // Value of the Host request header: the port only when it is not the default.
  std::string HostHeader() const;
  // "scheme://host:port" with the port always present: requests to equal origins may
  // share connections.
  std::string Origin() const;
};

}  // namespace hookfan::net
