#pragma once
// Shared by the commands that run the engine (serve, run, demo): starting it from a
// ServeConfig, and reading host:port flags.

#include <memory>
#include <string>
#include <string_view>

#include "engine/hookfan.h"
#include "net/base/status.h"
#include "tools/common/serve_config.h"

namespace hookfan::tools {

struct HostPort {
  std::string host;  // numeric: 127.0.0.1, ::1 (written [::1]:port)
  int port = 0;
};

// "127.0.0.1:8080", "[::1]:0", ":8080" (means 127.0.0.1). Errors name `field`.
StatusOr<HostPort> ParseHostPort(std::string_view text, std::string_view field);

// ParseHostPort, then a host name (`localhost`, a name from /etc/hosts or DNS) is looked up
// once, here at start, and replaced by its first IPv4 address (else its first IPv6 one), so
// that `host` is numeric as HttpServer needs. A name that does not resolve is an error
// naming `field` and the name.
StatusOr<HostPort> ResolveHostPort(std::string_view text, std::string_view field);

// Tells the operator, once, on stderr, the secret generated for each endpoint that had none
// (ServeConfig::generated_secrets): the receiver needs it to verify signatures, and a new
// one is drawn at every start unless it is written into the config.
void AnnounceGeneratedSecrets(const ServeConfig& config, std::string_view command);

// Starts the engine and adds every endpoint; an endpoint's error names it.
StatusOr<std::unique_ptr<engine::Engine>> StartEngineWithEndpoints(const ServeConfig& config);

// Peak resident set size of this process, in bytes (from getrusage).
std::uint64_t PeakRssBytes();

}  // namespace hookfan::tools
