#pragma once
// Asynchronous host-name resolution for one libuv loop: c-ares on the loop (no thread-pool
// work, unlike uv_getaddrinfo), /etc/hosts honoured, answers cached for their record TTL
// clamped to [min_ttl, max_ttl], failures cached for negative_ttl.
//
//   auto resolver = Resolver::Create(loop, ResolverOptions{});
//   std::uint64_t ticket = (*resolver)->Resolve("example.com", [](const ResolveResult& r) {
//     if (r.error != ResolveError::kNone) ...; for (const IpAddress& a : r.addresses) ...
//   });
//   (*resolver)->Cancel(ticket);   // `done` will not be called
//
// Threads: loop thread only. `done` is called exactly once, on the loop thread, never from
// inside Resolve (a cached answer or a literal address is delivered on the next loop turn),
// unless the ticket was cancelled first. Destroying the resolver cancels every request.

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/address/ip_address.h"
#include "net/base/clock.h"
#include "net/base/status.h"

namespace hookfan::net {

enum class ResolveError : std::uint8_t {
  kNone = 0,
  kNotFound,       // NXDOMAIN or no A/AAAA records
  kTimeout,        // no answer from any server in time
  kServerFailure,  // SERVFAIL, REFUSED, a malformed answer
  kBadName,        // not a valid host name
  kOther,
};
std::string_view ResolveErrorName(ResolveError error);

struct ResolveResult {
  ResolveError error = ResolveError::kNone;
  std::string detail;                // for the endpoint's last error, e.g. "NXDOMAIN"
  std::vector<IpAddress> addresses;  // port 0; IPv6 and IPv4 interleaved, as RFC 8305 does
  bool from_cache = false;
};

struct ResolverOptions {
  DurationMs min_ttl = 1000;       // answers are kept at least this long
  DurationMs max_ttl = 300000;     // and at most this long
  DurationMs negative_ttl = 5000;  // a failure is remembered this long
  DurationMs timeout = 3000;       // per query try
  int tries = 2;
  std::size_t max_cache_entries = 10000;
  // Name servers ("127.0.0.1:5353"); empty: the system's (/etc/resolv.conf). Tests point
  // this at a resolver they run on loopback.
  std::vector<std::string> servers;
  Status Validate() const;
};

struct ResolverStats {
  std::uint64_t queries = 0;  // sent to a name server
  std::uint64_t cache_hits = 0;
  std::uint64_t negative_hits = 0;
  std::uint64_t failures = 0;
};

class Resolver {
 public:
  using Callback = std::function<void(const ResolveResult&)>;
  static StatusOr<std::unique_ptr<Resolver>> Create(uv_loop_t* loop, ResolverOptions options);
  virtual ~Resolver() = default;

  // `host` is a name or a literal address (no brackets). Returns a ticket for Cancel.
  virtual std::uint64_t Resolve(std::string_view host, Callback done) = 0;
  virtual void Cancel(std::uint64_t ticket) = 0;
  virtual ResolverStats stats() const = 0;
};

}  // namespace hookfan::net
