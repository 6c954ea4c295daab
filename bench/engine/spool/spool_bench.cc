// The durable spool: append throughput under each fsync policy (events of 10 endpoints and a
// 200-byte payload, appended from one thread, one Flush per 10,000), with the peer of the same
// bytes written by plain write(2) + one fdatasync; and recovery of a log holding 10 million
// pending deliveries (1 million events x 10 endpoints), with the spool bytes per pending
// delivery. HOOKFAN_BENCH_SMOKE=1 recovers 100,000 deliveries instead.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/spool/spool.h"

namespace hookfan::engine::spool {
namespace {

const std::vector<std::string>& Endpoints() {
  static const std::vector<std::string> ids = {"orders-eu", "orders-us", "audit", "billing",
                                               "search",    "mail",      "crm",   "warehouse",
                                               "analytics", "fraud"};
  return ids;
}

Event BenchEvent(int i) {
  Event event;
  event.id = "msg_01JD" + std::to_string(100000000 + i) + "ABCDEFGHJKMNPQ";
  event.type = "order.created";
  event.payload = std::string(200, 'x');
  event.received_unix_ms = 1700000000000 + i;
  return event;
}

std::string TempDir(const char* name) {
  std::string dir = std::filesystem::temp_directory_path().string() + "/hookfan_bench_" + name +
                    "_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

void BM_Spool_Append(benchmark::State& state) {
  SpoolOptions options;
  options.mode = SpoolMode::kDisk;
  options.dir = TempDir("append");
  options.fsync = static_cast<FsyncPolicy>(state.range(0));
  options.max_bytes = std::uint64_t{64} << 30;
  auto spool = Spool::Open(options, false);
  if (!spool.ok()) {
    state.SkipWithError(spool.status().message().c_str());
    return;
  }
  (*spool)->Start();
  constexpr int kBatch = 10000;
  int i = 0;
  for (auto _ : state) {
    for (int n = 0; n < kBatch; ++n) {
      auto sequence = (*spool)->AppendEvent(BenchEvent(i++), Endpoints(), nullptr);
      benchmark::DoNotOptimize(sequence);
    }
    if (!(*spool)->Flush().ok()) state.SkipWithError("flush failed");
  }
  const SpoolStats stats = (*spool)->Stats();
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["syncs"] = static_cast<double>(stats.syncs);
  state.counters["commits"] = static_cast<double>(stats.commits);
  state.SetLabel(FsyncPolicyName(options.fsync));
  spool->reset();
  std::filesystem::remove_all(options.dir);
}
BENCHMARK(BM_Spool_Append)
    ->Arg(static_cast<int>(FsyncPolicy::kNever))
    ->Arg(static_cast<int>(FsyncPolicy::kBatch))
    ->Arg(static_cast<int>(FsyncPolicy::kAlways))
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The peer: the same frames written with write(2) in 10,000-event buffers, one fdatasync each.
void BM_RawWriteAndSync(benchmark::State& state) {
  const std::string dir = TempDir("raw");
  std::filesystem::create_directories(dir);
  const int fd = ::open((dir + "/raw.log").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  constexpr int kBatch = 10000;
  int i = 0;
  for (auto _ : state) {
    std::string buffer;
    for (int n = 0; n < kBatch; ++n) {
      std::string payload;
      EncodeEventAccepted(static_cast<std::uint64_t>(i), BenchEvent(i), Endpoints(), &payload);
      AppendFrame(RecordType::kEventAccepted, payload, &buffer);
      ++i;
    }
    if (::write(fd, buffer.data(), buffer.size()) != static_cast<ssize_t>(buffer.size()) ||
        ::fdatasync(fd) != 0) {
      state.SkipWithError("write failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  ::close(fd);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_RawWriteAndSync)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_Spool_Recover(benchmark::State& state) {
  const int events = static_cast<int>(state.range(0));
  SpoolOptions options;
  options.mode = SpoolMode::kDisk;
  options.dir = TempDir("recover");
  options.fsync = FsyncPolicy::kNever;
  options.max_bytes = std::uint64_t{64} << 30;
  std::uint64_t bytes = 0;
  {
    auto spool = Spool::Open(options, false);
    if (!spool.ok()) {
      state.SkipWithError(spool.status().message().c_str());
      return;
    }
    (*spool)->Start();
    for (int i = 0; i < events; ++i) {
      auto sequence = (*spool)->AppendEvent(BenchEvent(i), Endpoints(), nullptr);
      // A tenth of the deliveries wait for a retry: their attempts and due times come back.
      if (sequence.ok() && i % 10 == 0) {
        (*spool)->RecordRetry(*sequence, "audit", 3, 1900000000000 + i);
      }
    }
    if (!(*spool)->Flush().ok()) state.SkipWithError("flush failed");
    bytes = (*spool)->Stats().bytes;
  }
  std::uint64_t pending = 0;
  for (auto _ : state) {
    auto spool = Spool::Open(options, true);  // payloads kept: what serve republishes
    if (!spool.ok()) {
      state.SkipWithError(spool.status().message().c_str());
      break;
    }
    pending = (*spool)->recovery().pending_deliveries;
    benchmark::DoNotOptimize(pending);
  }
  state.counters["pending_deliveries"] = static_cast<double>(pending);
  state.counters["bytes_per_pending"] =
      pending == 0 ? 0 : static_cast<double>(bytes) / static_cast<double>(pending);
  std::filesystem::remove_all(options.dir);
}

bool RegisterRecovery() {
  const std::int64_t events = std::getenv("HOOKFAN_BENCH_SMOKE") ? 10'000 : 1'000'000;
  benchmark::RegisterBenchmark("BM_Spool_Recover", BM_Spool_Recover)
      ->Arg(events)
      ->Iterations(1)
      ->Repetitions(3)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  return true;
}
const bool registered = RegisterRecovery();

}  // namespace
}  // namespace hookfan::engine::spool
