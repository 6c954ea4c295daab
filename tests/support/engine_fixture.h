#pragma once
// Shared by the engine's integration tests: an outcome collector, an engine started with
// test-friendly timeouts, and an endpoint config with fast retries.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/hookfan.h"
#include "engine/signing/webhook_secret.h"
#include "net/base/check.h"
#include "tests/support/loopback_guard.h"

namespace hookfan::testing {

using engine::DeliveryOutcome;
using engine::EndpointConfig;
using engine::Engine;
using engine::EngineConfig;
using engine::GenerateStandardSecret;

// Collects final outcomes from the workers' threads.
class Outcomes {
 public:
  void Add(const DeliveryOutcome& outcome) {
    std::lock_guard<std::mutex> lock(mutex_);
    records_.push_back(Record{outcome.kind, outcome.endpoint_id, outcome.event.id, outcome.attempts,
                              outcome.last_status, std::string(outcome.reason)});
    changed_.notify_all();
  }
  bool WaitFor(std::size_t n, DurationMs timeout_ms = 10000) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                             [&] { return records_.size() >= n; });
  }
  struct Record {
    DeliveryOutcome::Kind kind;
    std::string endpoint_id;
    std::string event_id;
    int attempts;
    int last_status;
    std::string reason;
  };
  std::vector<Record> records() {
    std::lock_guard<std::mutex> lock(mutex_);
    return records_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Record> records_;
};

inline std::unique_ptr<Engine> StartEngine(Outcomes* outcomes, int workers = 2,
                                           std::size_t max_pending = 1'000'000) {
  EngineConfig config;
  config.workers = workers;
  config.seed = 42;
  config.max_pending_deliveries = max_pending;
  config.http.connect_timeout = 2000;
  config.http.response_timeout = 5000;
  config.http.total_timeout = 10000;
  config.http.address_policy = LoopbackAllowedPolicy();  // the guard on, as in serve
  config.on_outcome = [outcomes](const DeliveryOutcome& o) { outcomes->Add(o); };
  auto engine = Engine::Start(std::move(config));
  HOOKFAN_CHECK(engine.ok());
  return std::move(*engine);
}

inline EndpointConfig EndpointFor(std::string id, std::string url,
                                  std::vector<std::string> types = {}) {
  EndpointConfig config;
  config.id = std::move(id);
  config.url = std::move(url);
  config.event_types = std::move(types);
  config.secrets = {GenerateStandardSecret()};
  config.retry.delays = std::vector<DurationMs>{10, 10, 10, 10};  // fast, 5 attempts
  return config;
}

}  // namespace hookfan::testing
