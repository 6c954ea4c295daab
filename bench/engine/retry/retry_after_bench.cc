#include <benchmark/benchmark.h>

#include "engine/retry/retry_after.h"

namespace hookfan::engine {
namespace {

constexpr std::int64_t kWallNow = 1735689600000;  // 2025-01-01

// Arg selects the form: 0 delta-seconds, 1 IMF-fixdate, 2 RFC 850, 3 asctime, 4 garbage.
void BM_RetryAfter_Parse(benchmark::State& state) {
  static constexpr std::string_view kValues[] = {
      "120", "Wed, 01 Jan 2025 00:05:00 GMT", "Wednesday, 01-Jan-25 00:05:00 GMT",
      "Wed Jan  1 00:05:00 2025", "Wed, 01 Jan 2025 00:05:00 UTC"};
  const std::string_view value = kValues[state.range(0)];
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseRetryAfter(value, kWallNow));
  }
}
BENCHMARK(BM_RetryAfter_Parse)->DenseRange(0, 4);

}  // namespace
}  // namespace hookfan::engine
