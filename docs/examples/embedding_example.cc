// Embeds hookfan's engine: publishes three events to the receiver URL given as argv[1],
// waits for their three final outcomes, drains, prints them, and exits 0 when all three were
// delivered. Build: link against hookfan_engine (see docs/embedding.md).
//
//   embedding_example http://127.0.0.1:9000/hooks
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "engine/hookfan.h"
#include "engine/signing/webhook_secret.h"

namespace {

using hookfan::engine::DeliveryOutcome;
using hookfan::engine::DrainReport;
using hookfan::engine::EndpointConfig;
using hookfan::engine::Engine;
using hookfan::engine::EngineConfig;
using hookfan::engine::EventPtr;

// Outcomes arrive on worker threads; the main thread waits for them here.
struct Results {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> lines;
  int delivered = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s http://host:port/path\n", argv[0]);
    return 2;
  }
  Results results;
  EngineConfig config;
  config.workers = 1;
  // Runs on a worker thread: keep it short, copy what you need (the references in
  // `outcome` are valid only during the call), never call back into the engine.
  config.on_outcome = [&results](const DeliveryOutcome& outcome) {
    std::lock_guard<std::mutex> lock(results.mutex);
    results.lines.push_back(outcome.event.id + " -> " + outcome.endpoint_id + ": " +
                            std::string(outcome.reason) + " after " +
                            std::to_string(outcome.attempts) + " attempt(s)");
    if (outcome.kind == DeliveryOutcome::Kind::kDelivered) ++results.delivered;
    results.changed.notify_all();
  };
  auto engine = Engine::Start(std::move(config));
  if (!engine.ok()) {
    std::fprintf(stderr, "engine: %s\n", engine.status().ToString().c_str());
    return 1;
  }

  EndpointConfig endpoint;
  endpoint.id = "orders";
  endpoint.url = argv[1];
  endpoint.event_types = {"order.*"};
  // The receiver verifies webhook-signature with this secret: hand it over out of band.
  endpoint.secrets = {hookfan::engine::GenerateStandardSecret()};
  endpoint.retry.delays = std::vector<hookfan::DurationMs>{100, 1000};  // 3 attempts at most
  if (hookfan::Status added = (*engine)->AddEndpoint(endpoint); !added.ok()) {
    std::fprintf(stderr, "endpoint: %s\n", added.ToString().c_str());
    return 1;
  }

  for (int i = 1; i <= 3; ++i) {
    EventPtr event =
        hookfan::engine::MakeEvent("order.paid", "{\"order\":" + std::to_string(i) + "}");
    if (hookfan::Status published = (*engine)->Publish(event); !published.ok()) {
      std::fprintf(stderr, "publish: %s\n", published.ToString().c_str());
      return 1;
    }
  }

  {
    std::unique_lock<std::mutex> lock(results.mutex);
    results.changed.wait_for(lock, std::chrono::seconds(30),
                             [&results] { return results.lines.size() == 3; });
  }
  DrainReport report = (*engine)->DrainAndStop(/*grace_ms=*/1000);

  std::lock_guard<std::mutex> lock(results.mutex);
  for (const std::string& line : results.lines) std::printf("%s\n", line.c_str());
  std::printf("delivered %d of 3; %llu still pending at shutdown\n", results.delivered,
              static_cast<unsigned long long>(report.still_pending));
  return results.delivered == 3 ? 0 : 1;
}
