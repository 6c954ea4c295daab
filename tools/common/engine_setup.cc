#include "tools/common/engine_setup.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <charconv>
#include <cstdio>

namespace hookfan::tools {

StatusOr<HostPort> ParseHostPort(std::string_view text, std::string_view field) {
  const std::string name(field);
  HostPort out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Status::InvalidArgument(name + ": '" + std::string(text) + "' is not [ipv6]:port");
    }
    out.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return Status::InvalidArgument(name + ": '" + std::string(text) + "' is not host:port");
    }
    out.host = colon == 0 ? "127.0.0.1" : std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  int port = -1;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() || port < 0 ||
      port > 65535) {
    return Status::InvalidArgument(name + ": port must be a number from 0 to 65535");
  }
  out.port = port;
  return out;
}

StatusOr<HostPort> ResolveHostPort(std::string_view text, std::string_view field) {
  StatusOr<HostPort> parsed = ParseHostPort(text, field);
  if (!parsed.ok()) return parsed;
  HostPort out = *parsed;
  in6_addr numeric{};
  if (inet_pton(AF_INET, out.host.c_str(), &numeric) == 1 ||
      inet_pton(AF_INET6, out.host.c_str(), &numeric) == 1) {
    return out;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(out.host.c_str(), nullptr, &hints, &found);
  if (rc != 0) {
    return Status::InvalidArgument(std::string(field) + ": cannot resolve '" + out.host + "' (" +
                                   gai_strerror(rc) + ")");
  }
  const addrinfo* chosen = found;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    if (a->ai_family == AF_INET) {
      chosen = a;
      break;
    }
  }
  char text_address[INET6_ADDRSTRLEN] = {};
  const void* address =
      chosen->ai_family == AF_INET
          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(chosen->ai_addr)->sin_addr)
          : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(chosen->ai_addr)->sin6_addr);
  inet_ntop(chosen->ai_family, address, text_address, sizeof(text_address));
  freeaddrinfo(found);
  out.host = text_address;
  return out;
}

void AnnounceGeneratedSecrets(const ServeConfig& config, std::string_view command) {
  for (std::size_t index : config.generated_secrets) {
    const engine::EndpointConfig& endpoint = config.endpoints.at(index);
    std::fprintf(stderr,
                 "%.*s: endpoints[%zu] '%s' has no secret; generated %s (shown once: configure "
                 "the receiver with it, and write secret = \"...\" into the endpoint to keep it "
                 "across restarts)\n",
                 static_cast<int>(command.size()), command.data(), index, endpoint.id.c_str(),
                 endpoint.secrets.at(0).c_str());
  }
  std::fflush(stderr);
}

StatusOr<std::unique_ptr<engine::Engine>> StartEngineWithEndpoints(const ServeConfig& config) {
  auto engine = engine::Engine::Start(config.engine);
  if (!engine.ok()) return engine.status().WithContext("engine");
  for (std::size_t i = 0; i < config.endpoints.size(); ++i) {
    Status added = (*engine)->AddEndpoint(config.endpoints[i]);
    if (!added.ok()) {
      (*engine)->DrainAndStop(0);
      return added.WithContext("endpoints[" + std::to_string(i) + "] '" + config.endpoints[i].id +
                               "'");
    }
  }
  return engine;
}

std::uint64_t PeakRssBytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

}  // namespace hookfan::tools
