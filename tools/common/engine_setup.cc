#include "tools/common/engine_setup.h"

#include <sys/resource.h>

#include <charconv>

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
