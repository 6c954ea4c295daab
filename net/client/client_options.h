#pragma once
// Settings of one HttpClient, shared by all its origin pools. Validate() before handing
// them to the client (the client checks them and aborts on a bad value, as a bug).
//
//   ClientOptions options;
//   options.max_connections_per_origin = 8;
//   options.address_policy = AddressPolicy::PublicOnly({*Cidr::Parse("10.1.0.0/16")});
//   HOOKFAN_RETURN_IF_ERROR(options.Validate());

#include <sys/socket.h>

#include <cstddef>
#include <functional>
#include <string>

#include "net/address/address_policy.h"
#include "net/base/clock.h"
#include "net/base/status.h"

namespace hookfan::net {

struct ClientOptions {
  // Connections open at once to one origin; more requests wait in the pool's FIFO queue.
  std::size_t max_connections_per_origin = 64;
  DurationMs connect_timeout = 5000;    // DNS + TCP connect of a new connection
  DurationMs response_timeout = 15000;  // request fully written -> first response byte
  DurationMs total_timeout = 30000;     // a connection takes it -> complete response (not queueing)
  DurationMs idle_timeout = 60000;      // an unused keep-alive connection is closed after this
  std::size_t max_response_header_bytes = 16384;
  std::size_t max_response_body_bytes = 1 << 20;  // read and discarded; more is an error
  std::string user_agent = "hookfan/0.1";

  // Outbound address guard (SSRF): checked on every resolved address (IP literals
  // included) right before connecting to it; a refused address is skipped, and a request
  // whose addresses are all refused ends with RequestError::kAddressRefused, its detail
  // naming the first refused address and the rule. The default allows everything (the
  // embedding API); `serve` and `run` use PublicOnly plus `[http] allow_cidrs`.
  AddressPolicy address_policy = AddressPolicy::AllowAll();

  // Names the first bad field, e.g. "total_timeout: must be positive".
  Status Validate() const;
};

}  // namespace hookfan::net
