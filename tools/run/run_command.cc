// `hookfan run --config FILE --input events.ndjson`: for benchmark harnesses and batch jobs.
// Reads events as NDJSON (one {"type","payload",...} object per line) from a file or stdin,
// delivers them all, waits for every delivery's final outcome, and prints a JSON summary.
// Exit status, for harnesses (docs/run.md has it and the summary's schema):
//   0 every delivery delivered, 1 some dead-lettered (or an event could not be published),
//   2 bad input (config, input file, a bad line), 3 --max-wait ran out with deliveries
//   pending. When several apply, the lowest row of this list wins: 2, then 3, then 1.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "net/base/clock.h"
#include "net/base/json_writer.h"
#include "tools/common/commands.h"
#include "tools/common/engine_setup.h"

namespace hookfan::tools {
namespace {

struct RunOptions {
  std::string config_path;
  std::string input = "-";
  double max_wait_s = 0;  // 0: wait for every final outcome
};

enum RunExit { kAllDelivered = 0, kSomeDeadLettered = 1, kBadInput = 2, kNotDrained = 3 };

// One answer when several apply: the input error first (the run did not read everything),
// then the unfinished deliveries (the counts are incomplete), then the dead letters.
int RunExitCode(bool bad_input, bool still_pending, bool dead_lettered) {
  if (bad_input) return kBadInput;
  if (still_pending) return kNotDrained;
  if (dead_lettered) return kSomeDeadLettered;
  return kAllDelivered;
}

int RunRun(const RunOptions& options) {
  auto config = LoadServeConfig(options.config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "hookfan run: %s\n", config.status().message().c_str());
    return kBadInput;
  }
  // A batch job keeps nothing across runs unless its file asks for a disk spool.
  if (!config->spool_mode_set) config->spool.mode = engine::SpoolMode::kMemory;
  std::ifstream file;
  std::istream* input = &std::cin;
  if (options.input != "-") {
    file.open(options.input, std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "hookfan run: %s: cannot open the input file\n", options.input.c_str());
      return kBadInput;
    }
    input = &file;
  }
  auto engine = StartEngineWithEndpoints(*config);
  if (!engine.ok()) {
    std::fprintf(stderr, "hookfan run: %s\n", engine.status().message().c_str());
    return kBadInput;
  }
  AnnounceGeneratedSecrets(*config, "hookfan run");

  const std::int64_t start_ns = MonotonicNowNs();
  engine::IngestParser parser(config->ingest.limits);
  std::string line;
  std::size_t line_number = 0;
  std::uint64_t events = 0;
  int exit_code = 0;
  while (std::getline(*input, line)) {
    ++line_number;
    if (line.empty() || line == "\r") continue;
    auto event = parser.ParseLine(line, line_number);
    if (!event.ok()) {
      // Stop reading; what was accepted so far is still delivered and reported.
      std::fprintf(stderr, "hookfan run: %s: %s\n", options.input.c_str(),
                   event.status().message().c_str());
      exit_code = kBadInput;
      break;
    }
    // Backpressure: wait for room rather than dropping anything.
    Status published;
    while ((published = (*engine)->Publish(*event)).code() == StatusCode::kResourceExhausted) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (!published.ok()) {
      std::fprintf(stderr, "hookfan run: %s\n", published.message().c_str());
      exit_code = kSomeDeadLettered;
      break;
    }
    ++events;
  }
  const std::int64_t read_ns = MonotonicNowNs();

  const std::int64_t deadline_ns =
      options.max_wait_s > 0 ? read_ns + static_cast<std::int64_t>(options.max_wait_s * 1e9)
                             : INT64_MAX;
  while ((*engine)->PendingDeliveries() > 0 && MonotonicNowNs() < deadline_ns) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const std::int64_t done_ns = MonotonicNowNs();
  engine::DrainReport report = (*engine)->DrainAndStop(0);
  engine::EngineStats stats = (*engine)->Stats();

  const double elapsed_s = static_cast<double>(done_ns - start_ns) / 1e9;
  const engine::EndpointStats& total = stats.total;
  JsonWriter json;
  json.BeginObject();
  json.Key("events").Uint(events);
  json.Key("endpoints").Uint(stats.endpoints.size());
  json.Key("delivered").Uint(total.delivered);
  json.Key("dead_lettered").Uint(total.dead_lettered);
  json.Key("failed_attempts").Uint(total.failed_attempts);
  json.Key("still_pending").Uint(report.still_pending + report.cancelled_in_flight);
  json.Key("elapsed_s").Double(elapsed_s);
  json.Key("read_s").Double(static_cast<double>(read_ns - start_ns) / 1e9);
  json.Key("deliveries_per_s")
      .Double(elapsed_s > 0 ? static_cast<double>(total.delivered) / elapsed_s : 0);
  json.Key("latency_ms").BeginObject();
  json.Key("p50").Double(static_cast<double>(total.latency_us.Percentile(50)) / 1000.0);
  json.Key("p99").Double(static_cast<double>(total.latency_us.Percentile(99)) / 1000.0);
  json.Key("max").Double(static_cast<double>(total.latency_us.max()) / 1000.0);
  json.EndObject();
  json.Key("peak_rss_bytes").Uint(PeakRssBytes());
  json.EndObject();
  std::printf("%s\n", json.text().c_str());
  return RunExitCode(exit_code == kBadInput, report.still_pending + report.cancelled_in_flight > 0,
                     exit_code == kSomeDeadLettered || total.dead_lettered > 0);
}

}  // namespace

void AddRunCommand(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* command = app.add_subcommand(
      "run", "Deliver events read as NDJSON, wait for every outcome, print a JSON summary");
  command->add_option("--config", options->config_path, "TOML configuration file")->required();
  command->add_option("--input", options->input, "NDJSON file, or - for stdin")
      ->capture_default_str();
  command->add_option("--max-wait", options->max_wait_s,
                      "seconds to wait for outcomes after the input ends (0: until all final)");
  command->callback([options] { throw CommandExit{RunRun(*options)}; });
}

}  // namespace hookfan::tools
