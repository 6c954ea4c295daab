#pragma once
// `[source.redis]` of serve's config (docs/configuration.md, docs/redis_source.md).

#include <cstddef>
#include <functional>
#include <string>

#include "net/base/clock.h"

namespace hookfan::sources {

struct RedisSourceOptions {
  std::string url = "redis://127.0.0.1:6379/0";
  std::string stream = "hookfan:events";
  std::string group = "hookfan";
  std::string consumer;           // empty: "<host name>-<pid>"
  std::size_t batch = 1000;       // XREADGROUP COUNT
  DurationMs block_ms = 1000;     // XREADGROUP BLOCK while the stream is idle
  // Entries published and not yet acknowledged, at most: reading stops at the bound (with
  // the engine's own pending bound, the back-pressure towards Redis).
  std::size_t max_entries_in_memory = 50'000;
  std::size_t max_payload_bytes = 1 << 20;  // larger entries are dead-lettered
  std::size_t max_pending_deliveries = 0;   // the engine's bound (0: only Publish's answer)
  // Takeover: entries idle this long in another consumer's pending list (its owner stopped
  // refreshing them: it died) are claimed (XAUTOCLAIM) and delivered here. Longer than an
  // attempt's total timeout plus a margin (serve: [http] total_timeout + 30 s). 0: 60 s.
  DurationMs claim_idle_ms = 0;
  int max_claims = 5;  // an entry claimed more often than this is dead-lettered instead
  std::size_t dead_max_entries = 1'000'000;  // `<stream>:dead` is trimmed (MAXLEN ~) to this
  // Connection state changes and errors, one line each (serve's log); empty: stderr.
  // Called on the source's thread.
  std::function<void(bool is_error, const std::string& line)> log;
};

// "<host name>-<pid>": unique per process, so two instances never share a consumer.
std::string DefaultConsumerName();

}  // namespace hookfan::sources
