// `hookfan demo`: the engine end to end with nothing outside the process. The five seed
// systems (tools/demo/demo_fixtures.h) become five endpoints, each configured the way that system
// sends, delivering to in-process sinks on loopback: one healthy, one failing 30% of the
// time, one checking signatures and answering some 503s with Retry-After, one slow. Retry
// delays are scaled down so that retries and dead letters happen within seconds. A live
// progress line runs while events stream in; a table per endpoint closes the run.
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/stats_report.h"
#include "engine/hookfan.h"
#include "net/base/duration.h"
#include "net/base/json_writer.h"
#include "tools/common/commands.h"
#include "tools/demo/demo_fixtures.h"
#include "tools/demo/demo_sinks.h"

namespace hookfan::tools {
namespace {

// Every retry delay and Retry-After is multiplied by this: Ionic's 30 minutes become 0.9 s,
// CleverPush's first 2 minutes 60 ms, so several rounds of retries fit in a short demo.
constexpr double kRetryScale = 0.0005;
constexpr DurationMs kSlowSinkLatencyMs = 150;
constexpr double kFlakyFailRate = 0.3;
constexpr double kCheckedFailRate = 0.1;
constexpr int kCheckedRetryAfterS = 120;
// After publishing stops, time left for retries: ionic's three scaled 30m waits take 2.7 s.
constexpr DurationMs kSettleMs = 3000;
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
    std::snprintf(text, sizeof text, "200 after %lld ms", static_cast<long long>(o.latency_ms));
  } else if (o.fail_rate > 0) {
    std::snprintf(text, sizeof text, "%s%.0f%% %s %d%s",
                  o.secret.empty() ? "" : "checks signatures; ", o.fail_rate * 100,
                  o.secret.empty() ? "fail with" : "get", o.fail_status,
                  o.retry_after_s ? " + Retry-After" : "");
  } else {
    std::snprintf(text, sizeof text, "200 at once");
  }
  return text;
}

// "ionic 30m->900ms": the preset's first delay before and after scaling.
std::string DescribeRetry(const engine::RetryPolicySpec& spec) {
  const std::string name = spec.preset.empty() ? "standard" : spec.preset;
  auto full = engine::RetryPolicy::Preset(name);
  auto scaled = engine::RetryPolicy::Preset(name, kRetryScale);
  if (!full.ok() || !scaled.ok() || full->base_delays().empty()) return name;
  return name + " " + FormatDuration(full->base_delays()[0]) + "->" +
         FormatDuration(scaled->base_delays()[0]);
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

// The live line under a header printed once: rewritten in place on a terminal (kept within
// its width, or '\r' could not return to the line's start), one plain line a second otherwise.
class ProgressLine {
 public:
  ProgressLine(std::FILE* out, bool enabled)
      : out_(out), enabled_(enabled), tty_(enabled && isatty(fileno(out)) != 0) {}

  DurationMs interval_ms() const { return tty_ ? 250 : 1000; }

  void Update(double elapsed_s, const engine::EngineStats& stats, const char* phase) {
    if (!enabled_) return;
    if (!header_printed_) {
      header_printed_ = true;
      std::fprintf(out_, "%s\n",
                   Fit("elapsed  deliveries/s  retries pending  dead letters    "
                       "p50 ms    p99 ms")
                       .c_str());
    }
    // The last line ("done") shows the whole run's average rate instead of the last interval's.
    const bool done = std::string_view(phase) == "done";
    const double since_s = done ? 0 : last_elapsed_s_;
    const std::uint64_t since_delivered = done ? 0 : last_delivered_;
    const double dt = elapsed_s - since_s;
    const double rate =
        dt > 0 ? static_cast<double>(stats.total.delivered - since_delivered) / dt : 0;
    last_elapsed_s_ = elapsed_s;
    last_delivered_ = stats.total.delivered;
    char line[256];
    std::snprintf(line, sizeof line, "%6.1fs  %12s  %15s  %12s  %8.1f  %8.1f  %s", elapsed_s,
                  FormatCount(static_cast<std::uint64_t>(rate + 0.5)).c_str(),
                  FormatCount(stats.total.pending_retries).c_str(),
                  FormatCount(stats.total.dead_lettered).c_str(),
                  Ms(stats.total.latency_us.Percentile(50)),
                  Ms(stats.total.latency_us.Percentile(99)), done ? "done (average rate)" : phase);
    std::string text = line;
    text.erase(text.find_last_not_of(' ') + 1);
    if (tty_) {
      std::fprintf(out_, "\r%s\033[K", Fit(text).c_str());
    } else {
      std::fprintf(out_, "%s\n", text.c_str());
    }
    std::fflush(out_);
  }

  void Finish() {
    if (tty_ && header_printed_) std::fputc('\n', out_);
  }

 private:
  std::string Fit(std::string line) const {
    winsize size{};
    if (tty_ && ioctl(fileno(out_), TIOCGWINSZ, &size) == 0 && size.ws_col > 1 &&
        line.size() >= size.ws_col) {
      line.resize(size.ws_col - 1);
    }
    return line;
  }

  std::FILE* out_;
  bool enabled_;
  bool tty_;
  bool header_printed_ = false;
  double last_elapsed_s_ = 0;
  std::uint64_t last_delivered_ = 0;
};

// Prose for people: wrapped at `width` columns, continuation lines indented by `indent`.
void PrintWrapped(const std::string& text, std::size_t width, std::size_t indent) {
  std::string line;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      std::printf("%s\n", line.c_str());
      line.assign(indent, ' ');
      line += word;
    } else {
      if (!line.empty()) line += ' ';
      line += word;
    }
    start = end + 1;
  }
  if (!line.empty()) std::printf("%s\n", line.c_str());
}

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

// printf into a std::string, for text that PrintWrapped lays out.
template <typename... Args>
std::string Format(const char* format, Args... args) {
  char text[1024];
  std::snprintf(text, sizeof text, format, args...);
  return text;
}

std::string Scaled(DurationMs delay) {
  return FormatDuration(static_cast<DurationMs>(static_cast<double>(delay) * kRetryScale));
}

void PrintExplanation(const engine::EngineStats& stats, const DemoSinks& sinks,
                      const std::vector<SinkStats>& seen) {
  constexpr std::size_t kWidth = 92;
  const SinkStats& flaky = seen[1];
  const SinkStats& checked = seen[2];
  std::printf("\nWhat you saw:\n");
  PrintWrapped(
      Format("- Retries: sink 'flaky' failed %s of %s requests (ionic) and sink 'checked' "
             "answered %s with 503 and Retry-After: %d (cleverpush). Each failed attempt was "
             "retried on its endpoint's own policy, delays scaled by %g: ionic's 30m became %s, "
             "CleverPush's Retry-After of 2m became %s.",
             FormatCount(Failures(flaky)).c_str(), FormatCount(flaky.requests).c_str(),
             FormatCount(Failures(checked)).c_str(), kCheckedRetryAfterS, kRetryScale,
             Scaled(30 * kMinuteMs).c_str(), Scaled(kCheckedRetryAfterS * kSecondMs).c_str()),
      kWidth, 2);
  if (stats.total.dead_lettered > 0) {
    std::string where;
    for (const auto& e : stats.endpoints) {
      if (e.dead_lettered == 0) continue;
      where += (where.empty() ? "" : ", ") + e.id + " " + FormatCount(e.dead_lettered);
    }
    PrintWrapped(
        Format("- Dead letters (%s): deliveries that exhausted their policy. Ionic's allows 1 + 3 "
               "attempts, so about 0.3^4 = 0.8%% of its deliveries fail four times in a row. They "
               "are kept and can be replayed, not lost.",
               where.c_str()),
        kWidth, 2);
  } else {
    PrintWrapped("- Dead letters: none this time; every delivery succeeded within its policy.",
                 kWidth, 2);
  }
  const engine::EndpointStats* ionic = FindEndpoint(stats, "ionic");
  const engine::EndpointStats* passworks = FindEndpoint(stats, "passworks");
  const engine::EndpointStats* pryv = FindEndpoint(stats, "pryv");
  if (passworks != nullptr && pryv != nullptr && ionic != nullptr) {
    PrintWrapped(
        Format("- Latency is publish to success, retry waits included. passworks' p50 of %.1f ms "
               "is sink 'slow' taking %lld ms per answer, while pryv's p50 stayed at %.1f ms: a "
               "slow receiver does not hold back the others. ionic's p99 of %.1f ms is its "
               "retries.",
               Ms(passworks->latency_us.Percentile(50)),
               static_cast<long long>(sinks.spec(3).options.latency_ms),
               Ms(pryv->latency_us.Percentile(50)), Ms(ionic->latency_us.Percentile(99))),
        kWidth, 2);
  }
}

void PrintJson(const engine::EngineStats& stats, const DemoSinks& sinks,
               const std::vector<SinkStats>& seen, double elapsed_s, std::uint64_t published,
               std::uint64_t refused) {
  JsonWriter json;
  json.BeginObject();
  json.Key("elapsed_s").Double(elapsed_s);
  json.Key("retry_scale").Double(kRetryScale);
  json.Key("events_published").Uint(published);
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
  // The address guard as serve runs it, with the loopback receivers allow-listed.
  config.http.address_policy = net::AddressPolicy::PublicOnly(
      {*net::Cidr::Parse("127.0.0.0/8"), *net::Cidr::Parse("::1/128")});
  auto engine = engine::Engine::Start(std::move(config));
  if (!engine.ok()) return Fail(engine.status().message());
  for (const auto& endpoint : endpoints) {
    Status added = (*engine)->AddEndpoint(endpoint);
    if (!added.ok()) return Fail("endpoint " + endpoint.id + ": " + added.message());
  }

  if (!options.json) {
    std::printf(
        "hookfan demo: %s events/s for %s from the 5 seed systems to %zu in-process sinks "
        "on 127.0.0.1\n\n",
        FormatCount(static_cast<std::uint64_t>(options.rate)).c_str(),
        FormatDuration(*duration).c_str(), (*sinks)->size());
    std::printf("  %-11s %-9s %-21s %s\n", "endpoint", "signing", "retry, 1st delay", "sink");
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
      const DemoSinkSpec& sink = (*sinks)->spec(kRoutes[i].sink);
      std::printf("  %-11s %-9s %-21s %-8s %s\n", endpoints[i].id.c_str(),
                  endpoints[i].signing.c_str(), DescribeRetry(endpoints[i].retry).c_str(),
                  sink.name.c_str(), DescribeSink(sink.options).c_str());
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
  const auto total_events = static_cast<std::uint64_t>(std::llround(duration_s * options.rate));
  for (double now_s = 0; published + refused < total_events; now_s = elapsed_s()) {
    const auto due = std::min(total_events, static_cast<std::uint64_t>(now_s * options.rate) + 1);
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
    maybe_progress(now_s, "");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const double publish_s = elapsed_s();
  const double settle_until_s = publish_s + static_cast<double>(kSettleMs) / 1000.0;
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
    PrintJson(stats, **sinks, seen, total_s, published, refused);
    return 0;
  }
  std::string finished =
      Format("%s events published in %.1f s", FormatCount(published).c_str(), publish_s);
  if (refused > 0) finished += " (" + FormatCount(refused) + " refused by admission control)";
  const std::uint64_t cancelled = drain.still_pending + drain.cancelled_in_flight;
  if (cancelled == 0) {
    finished +=
        Format("; every delivery reached its final outcome %.1f s later", total_s - publish_s);
  } else {
    finished += Format("; the engine stopped %.1f s later with %s deliveries not yet final",
                       total_s - publish_s, FormatCount(cancelled).c_str());
  }
  std::printf("\n");
  PrintWrapped(finished + ".", 92, 0);
  std::printf("\n");
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
