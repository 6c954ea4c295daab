#pragma once
// OutcomeLog: collects an engine's final delivery outcomes (EngineConfig::on_outcome runs on
// worker threads) so that a test thread can wait for them and inspect them.
//
//   OutcomeLog log;
//   config.on_outcome = log.Callback();
//   ASSERT_TRUE(log.WaitFor(3, 10000));
//   EXPECT_EQ(log.records()[0].attempts, 1);

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "engine/hookfan.h"

namespace hookfan::testing {

class OutcomeLog {
 public:
  struct Record {
    engine::DeliveryOutcome::Kind kind;
    std::string endpoint_id;
    std::string event_id;
    int attempts;
    int last_status;
    std::string reason;
  };

  OutcomeLog() = default;
  OutcomeLog(const OutcomeLog&) = delete;
  OutcomeLog& operator=(const OutcomeLog&) = delete;

  // Thread-safe; the log must outlive the engine that calls it.
  void Add(const engine::DeliveryOutcome& outcome);
  std::function<void(const engine::DeliveryOutcome&)> Callback();
  // Waits until at least `n` outcomes arrived; false on timeout.
  bool WaitFor(std::size_t n, DurationMs timeout_ms = 10000);
  std::vector<Record> records() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Record> records_;
};

}  // namespace hookfan::testing
