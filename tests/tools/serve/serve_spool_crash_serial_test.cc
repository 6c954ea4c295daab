// serve killed with SIGKILL at random moments while events are posted and delivered, and
// restarted on the same spool each time: at the end every event that got a 202 reached every
// endpoint it matched at least once (duplicates are allowed, counted and reported). Once with
// a receiver that accepts everything, once with one that fails the first attempts of every
// delivery, so the kills also hit pending retries. The seed is printed; HOOKFAN_CRASH_SEED
// replays a run. Serial: it posts as fast as it can.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/loopback_guard.h"
#include "tests/tools/serve/spool_serve.h"
#include "tests/tools/temp_files.h"

namespace hookfan {
namespace {

using test::AcceptedIds;
using test::Http;
using test::RecordingReceiver;
using test::SpoolServe;
using test::WaitUntil;

constexpr int kKills = 6;
const char* const kPaths[] = {"/a", "/b", "/c"};

std::uint64_t Seed() {
  if (const char* env = std::getenv("HOOKFAN_CRASH_SEED")) return std::strtoull(env, nullptr, 10);
  return std::random_device{}();
}

std::string Config(const RecordingReceiver& receiver, const std::string& retry) {
  std::string config =
      std::string(testing::kAllowLoopbackToml) +
      "[engine]\nworkers = 1\nshutdown_grace = \"0s\"\n[spool]\ncommit_interval = \"2ms\"\n";
  for (const char* path : kPaths) {
    config += "[[endpoints]]\nid = \"" + std::string(path + 1) + "\"\nurl = \"" +
              receiver.Url(path) + "\"\nretry = " + retry + "\n";
  }
  return config;
}

struct CrashReport {
  std::size_t accepted = 0;
  std::size_t deliveries = 0;  // accepted x endpoints
  std::size_t duplicates = 0;  // successful deliveries beyond the first
  std::size_t attempts = 0;
};

// Posts batches of 1 to 3 events until `stop`, keeping the ids that got a 202.
void PostUntilStopped(int port, std::mt19937_64 rng, const std::atomic<bool>& stop,
                      std::set<std::string>* accepted) {
  while (!stop.load()) {
    const int events = 1 + static_cast<int>(rng() % 3);
    std::string body = "[";
    for (int i = 0; i < events; ++i) {
      body += std::string(i ? "," : "") + R"({"type":"order.paid","payload":{"n":)" +
              std::to_string(rng() % 1000) + "}}";
    }
    body += "]";
    for (const std::string& id : AcceptedIds(Http(port, "POST", "/v1/events", body))) {
      accepted->insert(id);
    }
  }
}

CrashReport RunWithKills(RecordingReceiver& receiver, const std::string& retry,
                         std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  SpoolServe serve(test::MakeTempDir(), Config(receiver, retry));
  std::set<std::string> accepted;
  for (int kill = 0; kill < kKills; ++kill) {
    std::atomic<bool> stop{false};
    std::thread poster(PostUntilStopped, serve.port(), std::mt19937_64(rng()), std::cref(stop),
                       &accepted);
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 400));
    serve.Kill();  // mid-post, mid-delivery, mid-commit: whatever is happening
    stop = true;
    poster.join();
    std::printf("kill %d: %zu events accepted so far\n", kill + 1, accepted.size());
    if (!serve.Start()) return {};
    const std::string log = serve.stderr_text();
    const std::size_t at = log.find("recovered ");
    std::printf("  restart: %s\n", log.substr(at, log.find('\n', at) - at).c_str());
  }
  CrashReport report;
  report.accepted = accepted.size();
  report.deliveries = accepted.size() * std::size(kPaths);
  const bool all = WaitUntil(
      [&] {
        const auto delivered = receiver.Delivered();
        for (const std::string& id : accepted) {
          for (const char* path : kPaths) {
            if (!delivered.contains({path, id})) return false;
          }
        }
        return true;
      },
      20000);
  const auto delivered = receiver.Delivered();
  for (const std::string& id : accepted) {
    for (const char* path : kPaths) {
      auto it = delivered.find({path, id});
      EXPECT_TRUE(it != delivered.end()) << "202'd event " << id << " never reached " << path;
      if (it != delivered.end()) report.duplicates += static_cast<std::size_t>(it->second - 1);
    }
  }
  for (const auto& [key, count] : receiver.Attempts()) report.attempts += count;
  EXPECT_TRUE(all);
  EXPECT_EQ(serve.Term(), 0) << serve.stderr_text();
  return report;
}

TEST(ServeSpoolCrashTest, EveryAcceptedEventIsDeliveredToEveryEndpointAcrossKills) {
  const std::uint64_t seed = Seed();
  std::printf("seed %llu (HOOKFAN_CRASH_SEED=%llu replays it)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  RecordingReceiver receiver;
  const CrashReport report =
      RunWithKills(receiver, "{ attempts = 10, initial_delay = \"20ms\", multiplier = 1.0 }", seed);
  std::printf("%d kills: %zu events accepted, %zu deliveries, %zu duplicates, %zu attempts\n",
              kKills, report.accepted, report.deliveries, report.duplicates, report.attempts);
  RecordProperty("duplicates", static_cast<int>(report.duplicates));
  EXPECT_GT(report.accepted, 0u);
}

TEST(ServeSpoolCrashTest, PendingRetriesSurviveKillsToo) {
  const std::uint64_t seed = Seed() + 1;
  std::printf("seed %llu (HOOKFAN_CRASH_SEED=%llu replays it)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed - 1));
  // The first two attempts of every delivery fail; retries come 100 ms apart, so kills land
  // on deliveries waiting on the wheel. Ten attempts in all: a delivery whose recorded
  // attempt count survived needs three, and none may be dead-lettered on the way.
  RecordingReceiver receiver(/*failures=*/2);
  const CrashReport report = RunWithKills(
      receiver, "{ attempts = 10, initial_delay = \"100ms\", multiplier = 1.0, jitter = 0.0 }",
      seed);
  std::printf("%d kills: %zu events accepted, %zu deliveries, %zu duplicates, %zu attempts\n",
              kKills, report.accepted, report.deliveries, report.duplicates, report.attempts);
  RecordProperty("duplicates", static_cast<int>(report.duplicates));
  EXPECT_GT(report.accepted, 0u);
  EXPECT_GE(report.attempts, 3 * report.deliveries);
}

}  // namespace
}  // namespace hookfan
