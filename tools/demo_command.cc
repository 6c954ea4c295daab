// `hookfan demo`: the engine end to end with nothing outside the process. The five seed
// systems (tools/demo_fixtures.h) become five endpoints, each configured the way that system
// sends, delivering to in-process sinks on loopback: one healthy, one failing 30% of the
// time, one checking signatures and answering some 503s with Retry-After, one slow. Retry
// delays are scaled down so that retries and dead letters happen within seconds. A live
// progress line runs while events stream in; a table per endpoint closes the run.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/hookfan.h"
#include "net/base/duration.h"
#include "net/base/json_writer.h"
#include "tools/commands.h"
#include "tools/demo_fixtures.h"
#include "tools/demo_sinks.h"
#include "tools/stats_report.h"

namespace hookfan::tools {
namespace {

// Every retry delay and Retry-After is multiplied by this: Ionic's 30 minutes become 0.9 s,
// CleverPush's first 2 minutes 60 ms, so several rounds of retries fit in a short demo.
constexpr double kRetryScale = 0.0005;
constexpr DurationMs kSlowSinkLatencyMs = 150;
constexpr double kFlakyFailRate = 0.3;
constexpr double kCheckedFailRate = 0.1;
constexpr int kCheckedRetryAfterS = 120;
constexpr DurationMs kSettleMs = 2000;  // after publishing stops, time left for retries
constexpr DurationMs kDrainGraceMs = 1000;

struct DemoOptions {
  std::string duration = "10s";
  double rate = 2000;
  int workers = 0;
  bool json = false;
  bool no_progress = false;
};

// Which sink each system's endpoint delivers to (index into MakeSinkSpecs()).
struct Route {
  std::string_view system;
  std::size_t sink;
};
constexpr Route kRoutes[] = {
    {"ionic", 1}, {"pryv", 0}, {"novu", 0}, {"cleverpush", 2}, {"passworks", 3}};

std::vector<DemoSinkSpec> MakeSinkSpecs(const std::string& cleverpush_secret) {
  std::vector<DemoSinkSpec> specs(4);
  specs[0].name = "fast";
  specs[1].name = "flaky";
  specs[1].options.fail_rate = kFlakyFailRate;
  specs[1].options.fail_status = 500;
  specs[2].name = "checked";
  specs[2].options.secret = cleverpush_secret;
  specs[2].options.fail_rate = kCheckedFailRate;
  specs[2].options.fail_status = 503;
  specs[2].options.retry_after_s = kCheckedRetryAfterS;
  specs[3].name = "slow";
  specs[3].options.latency_ms = kSlowSinkLatencyMs;
  std::uint64_t seed = 1;
  for (DemoSinkSpec& spec : specs) spec.options.seed = seed++;
  return specs;
}

std::string DescribeSink(const SinkOptions& o) {
  char text[160];
  if (o.latency_ms > 0) {
    std::snprintf(text, sizeof text, "answers 200 after %lld ms",
                  static_cast<long long>(o.latency_ms));
  } else if (o.fail_rate > 0) {
    std::snprintf(text, sizeof text, "%sfails %.0f%% with %d%s",
                  o.secret.empty() ? "" : "checks signatures, ", o.fail_rate * 100, o.fail_status,
                  o.retry_after_s ? (" + Retry-After: " + std::to_string(*o.retry_after_s)).c_str()
                                  : "");
  } else {
    std::snprintf(text, sizeof text, "answers 200 at once");
  }
  return text;
}

// "ionic (30m -> 900ms)": the preset's first delay before and after scaling.
std::string DescribeRetry(const engine::RetryPolicySpec& spec) {
  const std::string name = spec.preset.empty() ? "standard" : spec.preset;
  auto full = engine::RetryPolicy::Preset(name);
  auto scaled = engine::RetryPolicy::Preset(name, kRetryScale);
  if (!full.ok() || !scaled.ok() || full->base_delays().empty()) return name;
  return name + " (" + FormatDuration(full->base_delays()[0]) + " -> " +
         FormatDuration(scaled->base_delays()[0]) + ")";
}

std::string FormatCount(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

double Ms(std::int64_t us) { return static_cast<double>(us) / 1000.0; }

// The live line: rewritten in place on a terminal, one plain line per second otherwise.
class ProgressLine {
 public:
  ProgressLine(std::FILE* out, bool enabled)
      : out_(out), enabled_(enabled), tty_(enabled && isatty(fileno(out)) != 0) {}

  DurationMs interval_ms() const { return tty_ ? 250 : 1000; }

  void Update(double elapsed_s, const engine::EngineStats& stats, const char* phase) {
    if (!enabled_) return;
    const double dt = elapsed_s - last_elapsed_s_;
    const double rate =
        dt > 0 ? static_cast<double>(stats.total.delivered - last_delivered_) / dt : 0;
    last_elapsed_s_ = elapsed_s;
    last_delivered_ = stats.total.delivered;
    char line[256];
    std::snprintf(line, sizeof line,
                  "%5.1fs %-9s %7.0f deliveries/s  %6s retries pending  %5s dead letters  "
                  "p50 %6.1f ms  p99 %7.1f ms",
                  elapsed_s, phase, rate, FormatCount(stats.total.pending_retries).c_str(),
                  FormatCount(stats.total.dead_lettered).c_str(),
                  Ms(stats.total.latency_us.Percentile(50)),
                  Ms(stats.total.latency_us.Percentile(99)));
    if (tty_) {
      std::fprintf(out_, "\r%s\033[K", line);
    } else {
      std::fprintf(out_, "%s\n", line);
    }
    std::fflush(out_);
  }

  void Finish() {
    if (tty_) std::fputc('\n', out_);
  }

 private:
  std::FILE* out_;
  bool enabled_;
  bool tty_;
  double last_elapsed_s_ = 0;
  std::uint64_t last_delivered_ = 0;
};

const engine::EndpointStats* FindEndpoint(const engine::EngineStats& stats, std::string_view id) {
  for (const auto& e : stats.endpoints) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

std::uint64_t Failures(const SinkStats& s) {
  std::uint64_t failures = s.resets + s.bad_signatures;
  for (std::size_t status = 300; status < s.by_status.size(); ++status) {
    failures += s.by_status[status];
  }
  return failures;
}

std::string SinkLine(const DemoSinks& sinks, std::size_t i, const SinkStats& s) {
  std::string line = "  " + sinks.spec(i).name;
  line.resize(11, ' ');
  line += ":" + std::to_string(sinks.port(i)) + "  " + FormatCount(s.requests) + " requests,";
  for (std::size_t status = 0; status < s.by_status.size(); ++status) {
    if (s.by_status[status] > 0) {
      line += " " + std::to_string(status) + " x" + FormatCount(s.by_status[status]);
    }
  }
  if (!sinks.spec(i).options.secret.empty()) {
    line += ", bad signatures " + FormatCount(s.bad_signatures);
  }
  if (s.duplicates > 0) line += ", redelivered ids " + FormatCount(s.duplicates);
  return line;
}

void PrintExplanation(const engine::EngineStats& stats, const DemoSinks& sinks,
                      const std::vector<SinkStats>& seen) {
  const SinkStats& flaky = seen[1];
  const SinkStats& checked = seen[2];
  std::printf(
      "\nWhat you saw:\n"
      "- Retries: sink 'flaky' failed %s of %s requests (ionic) and 'checked' answered %s with "
      "503 + Retry-After (cleverpush). Each failure was retried on its endpoint's own policy, "
      "delays scaled by %g: ionic's 30m became 900ms, CleverPush's Retry-After 2m became "
      "60ms.\n",
      FormatCount(Failures(flaky)).c_str(), FormatCount(flaky.requests).c_str(),
      FormatCount(Failures(checked)).c_str(), kRetryScale);
  const engine::EndpointStats* ionic = FindEndpoint(stats, "ionic");
  if (stats.total.dead_lettered > 0) {
    std::printf(
        "- Dead letters: %s deliveries exhausted their policy (ionic allows 1 + 3 attempts, so "
        "about 0.3^4 = 0.8%% of its deliveries fail four times in a row); they are kept for "
        "replay, not lost.\n",
        FormatCount(stats.total.dead_lettered).c_str());
  } else {
    std::printf("- Dead letters: none this time; every delivery succeeded within its policy.\n");
  }
  const engine::EndpointStats* passworks = FindEndpoint(stats, "passworks");
  const engine::EndpointStats* pryv = FindEndpoint(stats, "pryv");
  if (passworks != nullptr && pryv != nullptr && ionic != nullptr) {
    std::printf(
        "- Latency (publish to success, retry waits included): passworks' p50 %.1f ms is sink "
        "'slow' taking %lld ms, yet pryv's p50 stayed at %.1f ms: a slow receiver does not hold "
        "back the others. ionic's p99 %.1f ms is its retries.\n",
        Ms(passworks->latency_us.Percentile(50)),
        static_cast<long long>(sinks.spec(3).options.latency_ms),
        Ms(pryv->latency_us.Percentile(50)), Ms(ionic->latency_us.Percentile(99)));
  }
}

void PrintJson(const engine::EngineStats& stats, const DemoSinks& sinks,
               const std::vector<SinkStats>& seen, double elapsed_s, std::uint64_t refused) {
  JsonWriter json;
  json.BeginObject();
  json.Key("elapsed_s").Double(elapsed_s);
  json.Key("retry_scale").Double(kRetryScale);
  json.Key("events_refused").Uint(refused);
  json.Key("stats").Raw(StatsToJson(stats));
  json.Key("sinks").BeginArray();
  for (std::size_t i = 0; i < seen.size(); ++i) {
    const SinkStats& s = seen[i];
    json.BeginObject();
    json.Key("name").String(sinks.spec(i).name);
    json.Key("port").Int(sinks.port(i));
    json.Key("requests").Uint(s.requests);
    json.Key("resets").Uint(s.resets);
    json.Key("bad_signatures").Uint(s.bad_signatures);
    json.Key("duplicates").Uint(s.duplicates);
    json.Key("status").BeginObject();
    for (std::size_t status = 0; status < s.by_status.size(); ++status) {
      if (s.by_status[status] > 0) json.Key(std::to_string(status)).Uint(s.by_status[status]);
    }
    json.EndObject();
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  std::printf("%s\n", json.text().c_str());
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "hookfan demo: %s\n", message.c_str());
  return 2;
}

int RunDemo(const DemoOptions& options) {
  // Qualified: tools::ParseDuration (sink_options.h) takes its arguments the other way round.
  StatusOr<DurationMs> duration = ::hookfan::ParseDuration(options.duration, "--duration");
  if (!duration.ok()) return Fail(duration.status().message());
  if (*duration <= 0) return Fail("--duration: must be positive, e.g. 10s");
  if (!(options.rate >= 1 && options.rate <= 1e6)) {
    return Fail("--rate: must be between 1 and 1000000 events per second");
  }
  if (options.workers < 0 || options.workers > 256) {
    return Fail("--workers: must be between 0 (one per core) and 256");
  }

  std::vector<engine::EndpointConfig> endpoints;
  for (std::string_view system : SeedSystems()) endpoints.push_back(SeedEndpointConfig(system));
  auto sinks = DemoSinks::Start(MakeSinkSpecs(endpoints[3].secrets[0]));
  if (!sinks.ok()) return Fail(sinks.status().message());

  // The slow sink holds each request for its latency: give passworks enough concurrent
  // attempts to keep up with its share of the rate, twice over.
  const double per_endpoint_rate = options.rate / static_cast<double>(endpoints.size());
  const int slow_in_flight = std::clamp(
      static_cast<int>(per_endpoint_rate * static_cast<double>(kSlowSinkLatencyMs) / 500.0), 16,
      2000);
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    HOOKFAN_CHECK(kRoutes[i].system == endpoints[i].id);
    const int port = (*sinks)->port(kRoutes[i].sink);
    endpoints[i].url = "http://127.0.0.1:" + std::to_string(port) + endpoints[i].url;
    if ((*sinks)->spec(kRoutes[i].sink).options.latency_ms > 0) {
      endpoints[i].max_in_flight = slow_in_flight;
    }
  }

  engine::EngineConfig config;
  config.workers = options.workers;
  config.retry_scale = kRetryScale;
  config.http.max_connections_per_origin =
      std::max<std::size_t>(config.http.max_connections_per_origin, slow_in_flight);
  auto engine = engine::Engine::Start(std::move(config));
  if (!engine.ok()) return Fail(engine.status().message());
  for (const auto& endpoint : endpoints) {
    Status added = (*engine)->AddEndpoint(endpoint);
    if (!added.ok()) return Fail("endpoint " + endpoint.id + ": " + added.message());
  }

  if (!options.json) {
    std::printf("hookfan demo: %g events/s for %s from the 5 seed systems, delivered to %zu "
                "in-process sinks on 127.0.0.1\n\n",
                options.rate, FormatDuration(*duration).c_str(), (*sinks)->size());
    std::printf("  %-11s %-9s %-29s %s\n", "endpoint", "signing", "retry (first delay, scaled)",
                "sink");
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
      const std::size_t s = kRoutes[i].sink;
      std::printf("  %-11s %-9s %-29s %-8s :%d  %s\n", endpoints[i].id.c_str(),
                  endpoints[i].signing.c_str(), DescribeRetry(endpoints[i].retry).c_str(),
                  (*sinks)->spec(s).name.c_str(), (*sinks)->port(s),
                  DescribeSink((*sinks)->spec(s).options).c_str());
    }
    std::printf("\n");
  }

  // Progress goes to stderr under --json so that stdout stays one JSON document.
  ProgressLine progress(options.json ? stderr : stdout, !options.no_progress);
  const std::int64_t start_ns = MonotonicNowNs();
  auto elapsed_s = [&] { return static_cast<double>(MonotonicNowNs() - start_ns) / 1e9; };
  const double duration_s = static_cast<double>(*duration) / 1000.0;
  const std::size_t systems = SeedSystems().size();
  std::vector<std::size_t> next_example(systems, 0);
  std::uint64_t published = 0, refused = 0;
  double next_progress_s = static_cast<double>(progress.interval_ms()) / 1000.0;
  auto maybe_progress = [&](double now_s, const char* phase) {
    if (now_s < next_progress_s) return;
    next_progress_s += static_cast<double>(progress.interval_ms()) / 1000.0;
    progress.Update(now_s, (*engine)->Stats(), phase);
  };

  // Paced by the clock rather than by sleeps, so a slow tick is caught up on the next one.
  for (double now_s = 0; now_s < duration_s; now_s = elapsed_s()) {
    const auto due = static_cast<std::uint64_t>(std::min(now_s, duration_s) * options.rate);
    while (published + refused < due) {
      const std::size_t system = (published + refused) % systems;
      auto examples = SeedExamplesOf(SeedSystems()[system]);
      const SeedExample& example = examples[next_example[system]++ % examples.size()];
      Status status = (*engine)->Publish(
          engine::MakeEvent(std::string(example.event_type), std::string(example.payload)));
      if (status.code() == StatusCode::kResourceExhausted) {
        ++refused;  // the engine's pending limit: admission control at work, not a failure
      } else if (!status.ok()) {
        return Fail("publish: " + status.message());
      } else {
        ++published;
      }
    }
    maybe_progress(now_s, "streaming");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const double settle_until_s = elapsed_s() + static_cast<double>(kSettleMs) / 1000.0;
  for (double now_s = elapsed_s(); now_s < settle_until_s && (*engine)->PendingDeliveries() > 0;
       now_s = elapsed_s()) {
    maybe_progress(now_s, "settling");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  engine::DrainReport drain = (*engine)->DrainAndStop(kDrainGraceMs);
  const double total_s = elapsed_s();
  engine::EngineStats stats = (*engine)->Stats();
  progress.Update(total_s, stats, "done");
  progress.Finish();
  std::vector<SinkStats> seen = (*sinks)->Stop();

  if (options.json) {
    PrintJson(stats, **sinks, seen, total_s, refused);
    return 0;
  }
  std::printf("\n%s events published in %.1f s (%s refused by admission control); %s "
              "deliveries still pending at the end were cancelled.\n\n",
              FormatCount(published).c_str(), total_s, FormatCount(refused).c_str(),
              FormatCount(drain.still_pending + drain.cancelled_in_flight).c_str());
  std::printf("%s\nWhat the sinks received:\n", StatsToTable(stats).c_str());
  for (std::size_t i = 0; i < seen.size(); ++i) {
    std::printf("%s\n", SinkLine(**sinks, i, seen[i]).c_str());
  }
  PrintExplanation(stats, **sinks, seen);
  return 0;
}

}  // namespace

void AddDemoCommand(CLI::App& app) {
  auto options = std::make_shared<DemoOptions>();
  CLI::App* command = app.add_subcommand(
      "demo",
      "Stream the seed systems' example events through the engine to in-process sinks "
      "(one failing, one slow) with a live progress line, then print a summary");
  command->add_option("--duration", options->duration, "how long to publish, e.g. 10s")
      ->capture_default_str();
  command->add_option("--rate", options->rate, "events published per second")
      ->capture_default_str();
  command->add_option("--workers", options->workers, "engine worker threads (0: one per core)")
      ->capture_default_str();
  command->add_flag("--json", options->json, "print the final summary as JSON instead of a table");
  command->add_flag("--no-progress", options->no_progress, "no live progress line");
  command->callback([options] { throw CommandExit{RunDemo(*options)}; });
}

}  // namespace hookfan::tools
