#include "tests/support/outcome_log.h"

#include <chrono>

namespace hookfan::testing {

void OutcomeLog::Add(const engine::DeliveryOutcome& outcome) {
  std::lock_guard<std::mutex> lock(mutex_);
  records_.push_back(Record{outcome.kind, outcome.endpoint_id, outcome.event.id, outcome.attempts,
                            outcome.last_status, std::string(outcome.reason)});
  changed_.notify_all();
}

std::function<void(const engine::DeliveryOutcome&)> OutcomeLog::Callback() {
  return [this](const engine::DeliveryOutcome& outcome) { Add(outcome); };
}

bool OutcomeLog::WaitFor(std::size_t n, DurationMs timeout_ms) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                           [&] { return records_.size() >= n; });
}

std::vector<OutcomeLog::Record> OutcomeLog::records() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return records_;
}

}  // namespace hookfan::testing
