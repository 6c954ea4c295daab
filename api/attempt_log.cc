#include "api/attempt_log.h"

namespace hookfan::tools {

void AttemptLog::Record(const engine::AttemptRecord& record) {
  AttemptEntry entry{.unix_ms = record.unix_ms,
                     .event_id = record.event.id,
                     .attempt = record.attempt,
                     .status = record.status,
                     .error = record.error,
                     .detail = std::string(record.detail),
                     .duration_us = record.duration_us};
  std::lock_guard<std::mutex> lock(mutex_);
  std::deque<AttemptEntry>& entries = by_endpoint_[record.endpoint_id];
  if (entries.size() >= per_endpoint_) entries.pop_front();
  entries.push_back(std::move(entry));
}

std::vector<AttemptEntry> AttemptLog::Latest(const std::string& endpoint_id,
                                             std::size_t limit) const {
  std::vector<AttemptEntry> out;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_endpoint_.find(endpoint_id);
  if (it == by_endpoint_.end()) return out;
  for (auto entry = it->second.rbegin(); entry != it->second.rend() && out.size() < limit;
       ++entry) {
    out.push_back(*entry);
  }
  return out;
}

std::optional<AttemptEntry> AttemptLog::LatestOf(const std::string& endpoint_id,
                                                 std::string_view event_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_endpoint_.find(endpoint_id);
  if (it == by_endpoint_.end()) return std::nullopt;
  for (auto entry = it->second.rbegin(); entry != it->second.rend(); ++entry) {
    if (entry->event_id == event_id) return *entry;
  }
  return std::nullopt;
}

void AttemptLog::Forget(const std::string& endpoint_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  by_endpoint_.erase(endpoint_id);
}

}  // namespace hookfan::tools
