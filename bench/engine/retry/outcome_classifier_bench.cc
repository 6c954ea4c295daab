#include <benchmark/benchmark.h>

#include "engine/retry/outcome_classifier.h"

namespace hookfan::engine {
namespace {

// Arg selects the outcome: 0 http 200, 1 http 500 (jittered policy delay), 2 http 429 with
// an IMF-fixdate Retry-After, 3 connect refused.
void BM_OutcomeClassifier_Classify(benchmark::State& state) {
  StatusOr<RetryPolicy> policy = RetryPolicy::Preset("standard");
  HOOKFAN_CHECK(policy.ok());
  net::RequestOutcome outcome;
  switch (state.range(0)) {
    case 0:
      outcome.status = 200;
      break;
    case 1:
      outcome.status = 500;
      break;
    case 2:
      outcome.status = 429;
      outcome.set_retry_after("Wed, 01 Jan 2025 00:05:00 GMT");
      break;
    default:
      outcome.error = net::RequestError::kConnectRefused;
      break;
  }
  Rng rng(1);
  TimeMs now = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ClassifyOutcome(outcome, *policy, 3, 1735689600000, ++now, rng));
  }
}
BENCHMARK(BM_OutcomeClassifier_Classify)->DenseRange(0, 3);

}  // namespace
}  // namespace hookfan::engine
