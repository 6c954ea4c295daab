#pragma once
// Sink: the webhook receiver behind `hookfan sink`, for load tests and fault injection. It
// answers every request on an HttpServer with a configured status, and on purpose fails a
// share of them (--fail-rate), resets a share of connections (--reset-rate), delays every
// answer (--latency), checks Standard Webhooks signatures (--secret) and counts what it saw
// (requests, answers by status, resets, bad signatures, duplicate webhook-ids).
//
//   StatusOr<std::unique_ptr<Sink>> sink = Sink::Start(loop, options, [](const std::string& l) {
//     puts(l.c_str());                                  // periodic stats lines, if asked for
//   });
//   if (!sink.ok()) return sink.status();
//   int port = (*sink)->port();
//   ...
//   (*sink)->Close([&] { puts((*sink)->SummaryLine().c_str()); });
//
// Threads: the loop's thread only. Ownership: the caller owns the Sink and destroys it after
// Close's callback (or inside it). Signals are the command's business (tools/sink/sink_command.cc),
// so tests can run a Sink in-process.
//
// Faults are drawn per request from one seeded generator (SinkOptions::seed), in this order:
// reset, then signature check, then failure. With a fixed seed and one client sending
// sequentially, the same requests fail on every run.

#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "engine/signing/signer.h"
#include "net/base/clock.h"
#include "net/base/status.h"
#include "net/server/http_server.h"
#include "tools/sink/recent_ids.h"
#include "tools/sink/sink_options.h"
#include "tools/sink/sink_stats.h"

namespace hookfan::tools {

class Sink {
 public:
  using LineCallback = std::function<void(const std::string& line)>;

  // Validates `options`, listens, and starts the stats timer when an interval is set;
  // `on_stats_line` receives each periodic line.
  static StatusOr<std::unique_ptr<Sink>> Start(uv_loop_t* loop, const SinkOptions& options,
                                               LineCallback on_stats_line = {});
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;
  ~Sink();  // only after Close's callback (checked)

  int port() const { return server_->port(); }
  const SinkStats& stats() const { return stats_; }
  // The "summary" line over the whole run, human or JSON as configured.
  std::string SummaryLine() const;

  // Stops listening, drops delayed answers, closes connections and timers, then calls
  // `on_closed`, which may destroy the sink.
  void Close(std::function<void()> on_closed);

 private:
  // What to do with one request.
  struct Decision {
    int status = 0;        // 0: reset the connection instead of answering
    bool failure = false;  // an injected failure: failure body, Retry-After
    bool bad_signature = false;
  };
  // A decided answer waiting for its latency to pass.
  struct Delayed {
    TimeMs due;
    net::HttpResponder responder;
    Decision decision;
  };

  Sink(uv_loop_t* loop, const SinkOptions& options, LineCallback on_stats_line);
  void OnRequest(const net::ServerRequest& request, net::HttpResponder responder);
  Decision Decide(const net::ServerRequest& request);
  bool Draw(double rate);
  void Perform(net::HttpResponder& responder, Decision decision);
  void ArmLatencyTimer();
  static void OnLatencyTimer(uv_timer_t* timer);
  static void OnStatsTimer(uv_timer_t* timer);
  static void OnTimerClosed(uv_handle_t* handle);
  void MaybeFinishClose();
  double ElapsedSeconds() const;

  uv_loop_t* const loop_;
  const SinkOptions options_;
  const LineCallback on_stats_line_;
  std::optional<engine::Signer> verifier_;  // kStandard, from options.secret
  std::mt19937_64 random_;
  RecentIds seen_ids_;
  std::string retry_after_;  // header value, empty when not sent

  std::unique_ptr<net::HttpServer> server_;
  uv_timer_t latency_timer_;
  uv_timer_t stats_timer_;
  int open_timers_ = 0;
  std::deque<Delayed> delayed_;  // due times only grow: latency is constant

  SinkStats stats_;
  TimeMs started_at_;
  TimeMs last_stats_at_;
  std::uint64_t last_stats_requests_ = 0;

  bool closing_ = false;
  bool server_closed_ = false;
  std::function<void()> on_closed_;
};

}  // namespace hookfan::tools
