// `hookfan sink`: a webhook receiver for load tests and fault injection (docs/sink.md).
// Parses the flags into SinkOptions (one stderr line and exit 2 when one is bad), runs a Sink
// on its own loop until SIGINT or SIGTERM, then prints the summary and exits 0.

#include <uv.h>

#include <cstdio>
#include <memory>
#include <string>

#include "engine/signing/signer.h"
#include "net/base/check.h"
#include "tools/common/commands.h"
#include "tools/sink/sink.h"

namespace hookfan::tools {

namespace {

// Flag text as typed; parsed by the tools/sink/sink_options.h parsers so every error names its
// flag in one line.
struct SinkFlags {
  std::string listen = "127.0.0.1:0";
  std::string status = "200";
  std::string fail_rate = "0";
  std::string fail_status = "500";
  std::string latency = "0";
  std::string reset_rate = "0";
  std::string retry_after;
  std::string secret;
  std::string stats_interval = "0";
  std::string track_ids = "1000000";
  std::string seed;
  std::string max_body = "16777216";
  bool json = false;
};

StatusOr<SinkOptions> ParseFlags(const SinkFlags& flags) {
  SinkOptions options;
  StatusOr<ListenAddress> listen = ParseListenAddress("--listen", flags.listen);
  if (!listen.ok()) return listen.status();
  options.host = listen->host;
  options.port = listen->port;
  StatusOr<int> status = ParseHttpStatus("--status", flags.status);
  if (!status.ok()) return status.status();
  options.status = *status;
  StatusOr<int> fail_status = ParseHttpStatus("--fail-status", flags.fail_status);
  if (!fail_status.ok()) return fail_status.status();
  options.fail_status = *fail_status;
  StatusOr<double> fail_rate = ParseRate("--fail-rate", flags.fail_rate);
  if (!fail_rate.ok()) return fail_rate.status();
  options.fail_rate = *fail_rate;
  StatusOr<double> reset_rate = ParseRate("--reset-rate", flags.reset_rate);
  if (!reset_rate.ok()) return reset_rate.status();
  options.reset_rate = *reset_rate;
  StatusOr<DurationMs> latency = ParseDuration("--latency", flags.latency);
  if (!latency.ok()) return latency.status();
  options.latency_ms = *latency;
  StatusOr<DurationMs> interval = ParseDuration("--stats-interval", flags.stats_interval);
  if (!interval.ok()) return interval.status();
  options.stats_interval_ms = *interval;
  if (!flags.retry_after.empty()) {
    StatusOr<std::uint64_t> retry_after = ParseCount("--retry-after", flags.retry_after, 86400);
    if (!retry_after.ok()) return retry_after.status();
    options.retry_after_s = static_cast<int>(*retry_after);
  }
  StatusOr<std::uint64_t> track_ids = ParseCount("--track-ids", flags.track_ids, 100'000'000);
  if (!track_ids.ok()) return track_ids.status();
  options.track_ids = *track_ids;
  if (!flags.seed.empty()) {
    StatusOr<std::uint64_t> seed = ParseCount("--seed", flags.seed, UINT64_MAX);
    if (!seed.ok()) return seed.status();
    options.seed = *seed;
  }
  StatusOr<std::uint64_t> max_body = ParseCount("--max-body", flags.max_body, 1ull << 30);
  if (!max_body.ok()) return max_body.status();
  options.max_body_bytes = *max_body;
  if (!flags.secret.empty()) {
    Status secret =
        engine::Signer::Create(engine::SigningScheme::kStandard, {flags.secret}).status();
    if (!secret.ok()) {
      // "secret: must start with ..." becomes "--secret: must start with ...".
      std::string message = secret.message();
      if (message.starts_with("secret")) message.replace(0, 6, "--secret");
      return Status::InvalidArgument(std::move(message));
    }
    options.secret = flags.secret;
  }
  options.json = flags.json;
  return options;
}

void PrintLine(const std::string& line) {
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);  // lines are read live through pipes
}

std::string ListeningLine(const SinkOptions& options, int port) {
  std::string line;
  if (options.json) {
    line.append("{\"type\":\"listening\",\"host\":\"").append(options.host);
    line.append("\",\"port\":").append(std::to_string(port)).append("}");
    return line;
  }
  const bool ipv6 = options.host.find(':') != std::string::npos;
  line.append("listening on ").append(ipv6 ? "[" : "").append(options.host);
  line.append(ipv6 ? "]:" : ":").append(std::to_string(port));
  return line;
}

// Everything the signal callbacks need, on the stack of RunSink.
struct SinkRun {
  std::unique_ptr<Sink> sink;
  uv_signal_t sigint;
  uv_signal_t sigterm;
  bool stopping = false;
};

void OnSignal(uv_signal_t* signal, int /*signum*/) {
  auto* run = static_cast<SinkRun*>(signal->data);
  if (run->stopping) return;
  run->stopping = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&run->sigint), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&run->sigterm), nullptr);
  run->sink->Close([run] {
    PrintLine(run->sink->SummaryLine());
    run->sink.reset();
  });
}

int RunSink(const SinkFlags& flags) {
  StatusOr<SinkOptions> options = ParseFlags(flags);
  if (!options.ok()) {
    std::fprintf(stderr, "hookfan sink: %s\n", options.status().message().c_str());
    return 2;
  }
  uv_loop_t loop;
  HOOKFAN_CHECK(uv_loop_init(&loop) == 0);
  SinkRun run;
  StatusOr<std::unique_ptr<Sink>> sink = Sink::Start(&loop, *options, &PrintLine);
  if (!sink.ok()) {
    std::fprintf(stderr, "hookfan sink: %s\n", sink.status().message().c_str());
    uv_run(&loop, UV_RUN_DEFAULT);  // lets a half-made listener finish closing
    HOOKFAN_CHECK(uv_loop_close(&loop) == 0);
    return 1;
  }
  run.sink = std::move(*sink);
  for (uv_signal_t* signal : {&run.sigint, &run.sigterm}) {
    HOOKFAN_CHECK(uv_signal_init(&loop, signal) == 0);
    signal->data = &run;
  }
  uv_signal_start(&run.sigint, &OnSignal, SIGINT);
  uv_signal_start(&run.sigterm, &OnSignal, SIGTERM);
  // Only now: whoever reads this line may signal the process at once.
  PrintLine(ListeningLine(*options, run.sink->port()));
  uv_run(&loop, UV_RUN_DEFAULT);
  HOOKFAN_CHECK(uv_loop_close(&loop) == 0);
  return 0;
}

}  // namespace

void AddSinkCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand(
      "sink", "Receive webhooks: answer, fail, delay or reset on purpose, and count");
  auto flags = std::make_shared<SinkFlags>();
  command->add_option("--listen", flags->listen, "host:port; port 0 picks a free one")
      ->capture_default_str();
  command->add_option("--status", flags->status, "status of normal answers")->capture_default_str();
  command->add_option("--fail-rate", flags->fail_rate, "share of requests failed, 0..1")
      ->capture_default_str();
  command->add_option("--fail-status", flags->fail_status, "status of failed answers")
      ->capture_default_str();
  command->add_option("--latency", flags->latency, "delay before every answer, e.g. 5ms, 2s")
      ->capture_default_str();
  command->add_option("--reset-rate", flags->reset_rate, "share of connections reset, 0..1")
      ->capture_default_str();
  command->add_option("--retry-after", flags->retry_after, "Retry-After seconds sent on failures");
  command
      ->add_option("--secret", flags->secret, "whsec_... secret: verify signatures, 401 when bad")
      ->envname("HOOKFAN_SINK_SECRET");
  command->add_option("--stats-interval", flags->stats_interval, "print stats this often; 0: off")
      ->capture_default_str();
  command->add_flag("--json", flags->json, "stats and summary as JSON lines");
  command->add_option("--track-ids", flags->track_ids, "webhook-ids kept for duplicate counting")
      ->capture_default_str();
  command->add_option("--seed", flags->seed, "random seed for fault injection (default: random)");
  command->add_option("--max-body", flags->max_body, "largest accepted body, bytes (413 beyond)")
      ->capture_default_str();
  command->callback([flags] {
    const int code = RunSink(*flags);
    if (code != 0) throw CommandExit{code};
  });
}

}  // namespace hookfan::tools
