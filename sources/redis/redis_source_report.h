#pragma once
// The Redis source's state as serve shows it: a JSON object for /healthz and Prometheus
// text for /metrics (docs/redis_source.md, "Monitoring").

#include <string>

#include "sources/redis/redis_source.h"

namespace hookfan::sources {

// {"kind":"redis","stream":"...","group":"...","connected":true,"lag":0,...}
std::string RedisSourceHealthJson(const RedisSourceStats& stats, const RedisSourceOptions& options);
std::string RedisSourcePrometheus(const RedisSourceStats& stats);

}  // namespace hookfan::sources
