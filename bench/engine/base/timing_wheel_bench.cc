// Timing wheel under a retry-shaped load: 1 or 10 million pending timers, each in a
// 64-byte record (a stand-in for a delivery), retry delays log-uniform from 1 s to 10 h.
// Counters: time_per_op (CPU time per Schedule, per Cancel, or per expiry or schedule:
// see ScheduleAndExpire) and bytes_per_timer (node plus the wheel's own memory, per pending
// timer). HOOKFAN_BENCH_SMOKE=1 keeps only the 1 million size.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

#include "engine/base/timing_wheel.h"

namespace hookfan::engine {
namespace {

struct Record : TimerNode {
  char rest_of_delivery[64 - sizeof(TimerNode)];
};
static_assert(sizeof(Record) == 64);

constexpr TimeMs kStart = 1'000'000;
constexpr size_t kDelayCount = size_t{1} << 20;
constexpr size_t kBatch = 4096;  // timed operations between untimed clean-ups

// The pending population and a table of random delays, built once per size and reused by
// every run of every benchmark at that size (building 10 million takes seconds).
struct Population {
  explicit Population(size_t count) : wheel(kStart), records(count), extra(kBatch) {
    std::mt19937_64 random(42);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const double low = std::log(static_cast<double>(kSecondMs));
    const double high = std::log(static_cast<double>(10 * kHourMs));
    delays.resize(kDelayCount);
    for (DurationMs& delay : delays) {
      delay = static_cast<DurationMs>(std::exp(low + (high - low) * unit(random)));
    }
    // Steady state of "re-arm with a fresh delay when fired": a timer's delay is drawn
    // in proportion to its length (uniform, for log-uniform delays), then a uniform part
    // of it is left.
    // Records are armed in random order, as in a running engine: filing order never
    // follows memory order.
    order.resize(count);
    for (size_t i = 0; i < count; ++i) order[i] = static_cast<uint32_t>(i);
    std::shuffle(order.begin(), order.end(), random);
    std::uniform_int_distribution<DurationMs> length(kSecondMs, 10 * kHourMs);
    for (uint32_t index : order) {
      const DurationMs left = 1 + static_cast<DurationMs>(unit(random) * length(random));
      wheel.Schedule(&records[index], kStart + left, OnExpired);
    }
    std::shuffle(order.begin(), order.end(), random);  // cancel order: unrelated again
  }

  DurationMs NextDelay() { return delays[next_delay++ & (kDelayCount - 1)]; }

  static void OnExpired(TimerNode* node, TimeMs now);

  TimingWheel wheel;
  std::vector<Record> records;
  std::vector<Record> extra;    // not pending between batches
  std::vector<uint32_t> order;  // records in random order, for cancels
  std::vector<DurationMs> delays;
  size_t next_delay = 0;
  size_t next_order = 0;
};

Population* current = nullptr;

void Population::OnExpired(TimerNode* node, TimeMs now) {
  current->wheel.Schedule(node, now + current->NextDelay(), OnExpired);
}

Population& PopulationOf(size_t count) {
  static std::unique_ptr<Population> population;
  if (population == nullptr || population->records.size() != count) {
    population.reset();
    population = std::make_unique<Population>(count);
    current = population.get();
  }
  return *population;
}

void ReportCounters(benchmark::State& state, Population& population, size_t operations) {
  state.SetItemsProcessed(static_cast<int64_t>(operations));
  state.counters["time_per_op"] = benchmark::Counter(
      static_cast<double>(operations), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["bytes_per_timer"] =
      sizeof(TimerNode) + static_cast<double>(population.wheel.MemoryBytes()) /
                              static_cast<double>(population.wheel.size());
  state.counters["pending"] = static_cast<double>(population.wheel.size());
}

// Arms kBatch timers (records just touched, as after an attempt's outcome) among the
// pending population; untimed, they are cancelled again.
void BM_TimingWheel_Schedule(benchmark::State& state) {
  Population& population = PopulationOf(static_cast<size_t>(state.range(0)));
  TimingWheel& wheel = population.wheel;
  const TimeMs now = wheel.now();
  size_t operations = 0;
  for (auto _ : state) {
    for (Record& record : population.extra) {
      wheel.Schedule(&record, now + population.NextDelay(), Population::OnExpired);
    }
    operations += kBatch;
    state.PauseTiming();
    for (Record& record : population.extra) wheel.Cancel(&record);
    state.ResumeTiming();
  }
  benchmark::DoNotOptimize(wheel.size());
  ReportCounters(state, population, operations);
}

// Cancels kBatch random pending timers (cold records, filed long ago); untimed, they are
// armed again.
void BM_TimingWheel_Cancel(benchmark::State& state) {
  Population& population = PopulationOf(static_cast<size_t>(state.range(0)));
  TimingWheel& wheel = population.wheel;
  const size_t count = population.records.size();
  size_t operations = 0;
  for (auto _ : state) {
    const size_t first = population.next_order;
    for (size_t i = 0; i < kBatch; ++i) {
      wheel.Cancel(&population.records[population.order[(first + i) % count]]);
    }
    operations += kBatch;
    state.PauseTiming();
    for (size_t i = 0; i < kBatch; ++i) {
      wheel.Schedule(&population.records[population.order[(first + i) % count]],
                     wheel.now() + population.NextDelay(), Population::OnExpired);
    }
    population.next_order = (first + kBatch) % count;
    state.ResumeTiming();
  }
  benchmark::DoNotOptimize(wheel.size());
  ReportCounters(state, population, operations);
}

// Cancels kBatch timers armed moments ago (a request timeout cancelled by the response:
// record and block still in cache), in random order; untimed, they are armed again.
void BM_TimingWheel_CancelRecent(benchmark::State& state) {
  Population& population = PopulationOf(static_cast<size_t>(state.range(0)));
  TimingWheel& wheel = population.wheel;
  std::vector<Record*> shuffled;
  for (Record& record : population.extra) shuffled.push_back(&record);
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937_64(5));
  size_t operations = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (Record* record : shuffled) {
      wheel.Schedule(record, wheel.now() + population.NextDelay(), Population::OnExpired);
    }
    state.ResumeTiming();
    for (Record* record : shuffled) wheel.Cancel(record);
    operations += kBatch;
  }
  benchmark::DoNotOptimize(wheel.size());
  ReportCounters(state, population, operations);
}

// One simulated second per iteration, driven as the engine's loop drives it: wake at
// NextDeadline() (at least 1 ms later), Advance, repeat. Every expired timer re-arms
// itself with a fresh retry delay. Each expiry and each schedule counts as one op, so
// time_per_op is half of one expire-and-re-arm cycle including its share of moving timers
// between levels and of the wake-ups; time_per_timer is the whole cycle.
void BM_TimingWheel_ScheduleAndExpire(benchmark::State& state) {
  Population& population = PopulationOf(static_cast<size_t>(state.range(0)));
  TimingWheel& wheel = population.wheel;
  size_t fired = 0;
  for (auto _ : state) {
    const TimeMs second_end = wheel.now() + kSecondMs;
    while (wheel.now() < second_end) {
      const TimeMs wake = std::clamp(wheel.NextDeadline(), wheel.now() + 1, second_end);
      fired += wheel.Advance(wake);
    }
  }
  benchmark::DoNotOptimize(wheel.size());
  ReportCounters(state, population, 2 * fired);
  state.counters["time_per_timer"] = benchmark::Counter(
      static_cast<double>(fired), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// The longest single Advance in steady state: crossing a 65.536 s boundary re-files every
// timer due in the next 65.536 s window (about 3 per ms per million pending) one level
// down. Time per iteration is that one Advance; the way there is untimed.
void BM_TimingWheel_CoarseCascade(benchmark::State& state) {
  Population& population = PopulationOf(static_cast<size_t>(state.range(0)));
  TimingWheel& wheel = population.wheel;
  constexpr TimeMs kWindow = TimeMs{1} << 16;
  for (auto _ : state) {
    state.PauseTiming();
    const TimeMs boundary = (wheel.now() / kWindow + 1) * kWindow;
    for (TimeMs now = wheel.now() + 1; now < boundary; ++now) wheel.Advance(now);
    state.ResumeTiming();
    benchmark::DoNotOptimize(wheel.Advance(boundary));
  }
  state.counters["bytes_per_timer"] =
      sizeof(TimerNode) + static_cast<double>(wheel.MemoryBytes()) / wheel.size();
}

// Grouped by size so each population is built once; the smoke run skips 10 million.
bool RegisterBenchmarks() {
  std::vector<int64_t> sizes = {1'000'000};
  if (std::getenv("HOOKFAN_BENCH_SMOKE") == nullptr) sizes.push_back(10'000'000);
  for (int64_t size : sizes) {
    benchmark::RegisterBenchmark("BM_TimingWheel_Schedule", BM_TimingWheel_Schedule)->Arg(size);
    benchmark::RegisterBenchmark("BM_TimingWheel_Cancel", BM_TimingWheel_Cancel)->Arg(size);
    benchmark::RegisterBenchmark("BM_TimingWheel_CancelRecent", BM_TimingWheel_CancelRecent)
        ->Arg(size);
    benchmark::RegisterBenchmark("BM_TimingWheel_ScheduleAndExpire",
                                 BM_TimingWheel_ScheduleAndExpire)
        ->Arg(size);
    benchmark::RegisterBenchmark("BM_TimingWheel_CoarseCascade", BM_TimingWheel_CoarseCascade)
        ->Arg(size)
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}
const bool registered = RegisterBenchmarks();

}  // namespace
}  // namespace hookfan::engine
