// Router::Match cost. The claim under test: matching costs O(segments + matches), not
// O(endpoints), so ns per match stays small with 100,000 endpoints, and ns per matched
// endpoint stays flat as the fan-out grows from 1 to 10,000.
//
//   build/release/bench/router_bench --benchmark_filter=BM_Router_Match

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "engine/routing/router.h"
#include "net/base/check.h"

namespace hookfan::engine {
namespace {

// Appends rather than `"ep" + std::to_string(i)`, on which GCC 12 reports a false
// -Wrestrict.
std::string Numbered(std::string_view prefix, int i) {
  std::string out(prefix);
  out += std::to_string(i);
  return out;
}

bool Smoke() { return std::getenv("HOOKFAN_BENCH_SMOKE") != nullptr; }
int EndpointCount() { return Smoke() ? 10'000 : 100'000; }

void MustAdd(Router& router, SubscriptionSpec spec) {
  HOOKFAN_CHECK(router.AddEndpoint(spec).ok());
}

// Routers are costly to build, and Google Benchmark calls each function several times.
template <typename Build>
const Router& Cached(std::tuple<int, int, int> key, Build build) {
  static std::map<std::tuple<int, int, int>, std::unique_ptr<Router>> cache;
  auto& slot = cache[key];
  if (!slot) {
    slot = std::make_unique<Router>();
    build(*slot);
  }
  return *slot;
}

// A mixed population: mostly distinct exact types, 1,000 wildcards over 200 prefixes
// ("team<k>.*", 5 per prefix), 4 catch-all endpoints. With `channel_every` > 0, every
// channel_every-th exact endpoint also filters on a tenant channel. "team7.evt7.created"
// matches 1 exact + 5 wildcard + 4 all = 10 endpoints.
const Router& MixedRouter(int endpoints, int channel_every) {
  return Cached({0, endpoints, channel_every}, [&](Router& router) {
    const int exact = endpoints - 1'000 - 4;
    for (int i = 0; i < exact; ++i) {
      SubscriptionSpec spec{
          .endpoint_id = Numbered("exact", i),
          .event_types = {Numbered("team", i % 1000) + ".evt" + std::to_string(i) + ".created"},
          .channels = {}};
      if (channel_every > 0 && i % channel_every == 1) {
        spec.channels = {Numbered("tenant", i % 50)};
      }
      MustAdd(router, std::move(spec));
    }
    for (int i = 0; i < 1'000; ++i) {
      MustAdd(router, {.endpoint_id = Numbered("wild", i),
                       .event_types = {Numbered("team", i % 200) + ".*"},
                       .channels = {}});
    }
    for (int i = 0; i < 4; ++i) {
      MustAdd(router, {.endpoint_id = Numbered("all", i), .event_types = {"*"}, .channels = {}});
    }
  });
}

void BM_Router_Match(benchmark::State& state) {
  const Router& router = MixedRouter(static_cast<int>(state.range(0)), 0);
  const EventPtr event = MakeEvent("team7.evt7.created", "{}", "evt_1");
  std::vector<EndpointIndex> out;
  for (auto _ : state) {
    router.Match(*event, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["endpoints"] = static_cast<double>(router.size());
  state.counters["matched"] = static_cast<double>(out.size());
}
BENCHMARK(BM_Router_Match)->Arg(EndpointCount());

// Same population, one exact endpoint in two carrying a channel; the event carries two
// channels, so every bucket with channel subscribers costs two more lookups.
void BM_Router_MatchWithChannels(benchmark::State& state) {
  const Router& router = MixedRouter(static_cast<int>(state.range(0)), 2);
  const EventPtr event = MakeEvent("team7.evt7.created", "{}", "evt_1", {"tenant7", "tenant-none"});
  std::vector<EndpointIndex> out;
  for (auto _ : state) {
    router.Match(*event, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["endpoints"] = static_cast<double>(router.size());
  state.counters["matched"] = static_cast<double>(out.size());
}
BENCHMARK(BM_Router_MatchWithChannels)->Arg(EndpointCount());

// `fan_out` endpoints (spread evenly over the index space) subscribe to "fan.out"; all
// others to distinct types. Reports ns per matched endpoint.
void BM_Router_MatchFanOut(benchmark::State& state) {
  const int endpoints = EndpointCount();
  const int fan_out = std::min(static_cast<int>(state.range(0)), endpoints);
  const Router& router = Cached({1, endpoints, fan_out}, [&](Router& r) {
    const int stride = endpoints / fan_out;
    for (int i = 0; i < endpoints; ++i) {
      const bool fan = i % stride == 0 && i / stride < fan_out;
      MustAdd(r, {.endpoint_id = Numbered("ep", i),
                  .event_types = {fan ? std::string("fan.out") : Numbered("other", i)},
                  .channels = {}});
    }
  });
  const EventPtr event = MakeEvent("fan.out", "{}", "evt_1");
  std::vector<EndpointIndex> out;
  for (auto _ : state) {
    router.Match(*event, &out);
    benchmark::DoNotOptimize(out.data());
  }
  HOOKFAN_CHECK(static_cast<int>(out.size()) == fan_out);
  state.SetItemsProcessed(state.iterations() * fan_out);
  // Seconds per matched endpoint; printed with an SI prefix, e.g. "1.9ns".
  state.counters["per_endpoint"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * fan_out,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Router_MatchFanOut)->Arg(1)->Arg(100)->Arg(10'000);

}  // namespace
}  // namespace hookfan::engine
