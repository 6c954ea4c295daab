#include <benchmark/benchmark.h>

#include "engine/retry/retry_policy.h"

namespace hookfan::engine {
namespace {

// Arg: 1 = standard (jittered, draws from the Rng), 0 = cleverpush (a table lookup).
void BM_RetryPolicy_NextDelay(benchmark::State& state) {
  StatusOr<RetryPolicy> policy = RetryPolicy::Preset(state.range(0) ? "standard" : "cleverpush");
  HOOKFAN_CHECK(policy.ok());
  Rng rng(1);
  int attempts_made = 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(policy->NextDelay(attempts_made, rng));
    attempts_made = attempts_made % (policy->max_attempts() - 1) + 1;
  }
}
BENCHMARK(BM_RetryPolicy_NextDelay)->Arg(0)->Arg(1);

void BM_RetryPolicy_FromSpec(benchmark::State& state) {
  RetryPolicySpec spec;
  spec.attempts = static_cast<int>(state.range(0));
  spec.initial_delay = kSecondMs;
  spec.max_delay = kHourMs;
  spec.jitter = 0.1;
  for (auto _ : state) {
    StatusOr<RetryPolicy> policy = RetryPolicy::FromSpec(spec);
    benchmark::DoNotOptimize(policy.ok());
  }
}
BENCHMARK(BM_RetryPolicy_FromSpec)->Arg(8)->Arg(100);

}  // namespace
}  // namespace hookfan::engine
