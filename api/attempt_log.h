#pragma once
// The latest HTTP attempts per endpoint, for GET /v1/endpoints/{id}/attempts: what a user
// looks at first when a receiver fails ("status 0" alone says nothing). Fed by
// EngineConfig::on_attempt on the worker threads, read on serve's loop thread, so it locks.
// Bounded: `per_endpoint` records each (the oldest go first), in memory only.

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/hookfan.h"

namespace hookfan::tools {

struct AttemptEntry {
  std::int64_t unix_ms = 0;
  std::string event_id;
  int attempt = 0;
  int status = 0;  // 0: no HTTP response (see error)
  net::RequestError error = net::RequestError::kNone;
  std::string detail;  // the outcome's detail (refused address and rule, TLS reason), or ""
  std::int64_t duration_us = 0;
};

class AttemptLog {
 public:
  explicit AttemptLog(std::size_t per_endpoint = 100) : per_endpoint_(per_endpoint) {}

  // Any thread (the engine's on_attempt).
  void Record(const engine::AttemptRecord& record);
  // Newest first, at most `limit`.
  std::vector<AttemptEntry> Latest(const std::string& endpoint_id, std::size_t limit) const;
  // The newest attempt of `event_id` still kept for the endpoint (dead letters' last_error).
  std::optional<AttemptEntry> LatestOf(const std::string& endpoint_id,
                                       std::string_view event_id) const;
  // The endpoint was deleted or its id is taken anew: its history must not show up again.
  void Forget(const std::string& endpoint_id);

  std::size_t per_endpoint() const { return per_endpoint_; }

 private:
  const std::size_t per_endpoint_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::deque<AttemptEntry>> by_endpoint_;
};

}  // namespace hookfan::tools
