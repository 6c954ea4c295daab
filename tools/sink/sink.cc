#include "tools/sink/sink.h"

#include <string>
#include <utility>

#include "net/base/check.h"

namespace hookfan::tools {

namespace {

constexpr std::string_view kOkBody = "ok";
constexpr std::string_view kFailureBody = "injected failure";
constexpr std::string_view kBadSignatureBody = "webhook-signature: missing or invalid";

uv_handle_t* Handle(uv_timer_t* timer) { return reinterpret_cast<uv_handle_t*>(timer); }

}  // namespace

StatusOr<std::unique_ptr<Sink>> Sink::Start(uv_loop_t* loop, const SinkOptions& options,
                                            LineCallback on_stats_line) {
  HOOKFAN_RETURN_IF_ERROR(ValidateSinkOptions(options));
  std::unique_ptr<Sink> sink(new Sink(loop, options, std::move(on_stats_line)));
  if (!options.secret.empty()) {
    StatusOr<engine::Signer> verifier =
        engine::Signer::Create(engine::SigningScheme::kStandard, {options.secret});
    if (!verifier.ok()) return verifier.status();
    sink->verifier_.emplace(std::move(*verifier));
  }
  net::HttpServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.limits.max_body_bytes = options.max_body_bytes;
  Sink* raw = sink.get();
  StatusOr<std::unique_ptr<net::HttpServer>> server = net::HttpServer::Listen(
      loop, server_options, [raw](const net::ServerRequest& request, net::HttpResponder responder) {
        raw->OnRequest(request, std::move(responder));
      });
  if (!server.ok()) return server.status();
  sink->server_ = std::move(*server);

  // Timers are created only now that nothing can fail: a failed Start frees the sink
  // at once, which it may do only while it holds no uv handle.
  HOOKFAN_CHECK(uv_timer_init(loop, &sink->latency_timer_) == 0);
  sink->latency_timer_.data = raw;
  HOOKFAN_CHECK(uv_timer_init(loop, &sink->stats_timer_) == 0);
  sink->stats_timer_.data = raw;
  sink->open_timers_ = 2;
  if (options.stats_interval_ms > 0) {
    uv_timer_start(&sink->stats_timer_, &Sink::OnStatsTimer,
                   static_cast<std::uint64_t>(options.stats_interval_ms),
                   static_cast<std::uint64_t>(options.stats_interval_ms));
  }
  return sink;
}

Sink::Sink(uv_loop_t* loop, const SinkOptions& options, LineCallback on_stats_line)
    : loop_(loop),
      options_(options),
      on_stats_line_(std::move(on_stats_line)),
      random_(options.seed.has_value() ? *options.seed : std::random_device{}()),
      seen_ids_(options.track_ids),
      retry_after_(options.retry_after_s.has_value() ? std::to_string(*options.retry_after_s)
                                                     : std::string()),
      started_at_(static_cast<TimeMs>(uv_now(loop))),
      last_stats_at_(started_at_) {}

Sink::~Sink() { HOOKFAN_CHECK(server_ == nullptr && open_timers_ == 0); }

bool Sink::Draw(double rate) {
  if (rate <= 0) return false;
  // 53 random bits as a double in [0, 1): exact and the same on every platform, which
  // std::uniform_real_distribution does not promise.
  const double sample = static_cast<double>(random_() >> 11) * 0x1.0p-53;
  return sample < rate;
}

Sink::Decision Sink::Decide(const net::ServerRequest& request) {
  if (Draw(options_.reset_rate)) return Decision{};
  if (verifier_.has_value()) {
    const std::string_view id = request.FindHeader("webhook-id").value_or("");
    const std::string_view timestamp = request.FindHeader("webhook-timestamp").value_or("");
    // A missing id or timestamp is a broken sender even if the signature happens to match.
    const bool good =
        !id.empty() && !timestamp.empty() &&
        verifier_->VerifyStandard(id, timestamp, request.body(),
                                  request.FindHeader("webhook-signature").value_or(""));
    if (!good) {
      ++stats_.bad_signatures;
      return Decision{.status = 401, .bad_signature = true};
    }
  }
  if (Draw(options_.fail_rate)) return Decision{.status = options_.fail_status, .failure = true};
  if (options_.status >= 200 && options_.status < 300) {
    std::optional<std::string_view> id = request.FindHeader("webhook-id");
    if (id.has_value() && seen_ids_.Insert(*id)) ++stats_.duplicates;
  }
  return Decision{.status = options_.status};
}

void Sink::OnRequest(const net::ServerRequest& request, net::HttpResponder responder) {
  ++stats_.requests;
  const Decision decision = Decide(request);
  if (decision.status == 0) {
    ++stats_.resets;
  } else {
    ++stats_.by_status[static_cast<size_t>(decision.status)];
  }
  if (options_.latency_ms <= 0) return Perform(responder, decision);
  // "At least the latency": the loop clock is cached per turn and counts whole milliseconds,
  // so it is refreshed here and one millisecond is added for the truncation.
  uv_update_time(loop_);
  const TimeMs due = static_cast<TimeMs>(uv_now(loop_)) + options_.latency_ms + 1;
  delayed_.push_back(Delayed{due, std::move(responder), decision});
  if (delayed_.size() == 1) ArmLatencyTimer();
}

void Sink::Perform(net::HttpResponder& responder, Decision decision) {
  if (decision.status == 0) return responder.Reset();
  net::HttpHeader retry_after[] = {{"Retry-After", retry_after_}};
  net::HttpResponse response{.status = decision.status, .body = kOkBody};
  if (decision.failure) {
    response.body = kFailureBody;
    if (!retry_after_.empty()) response.headers = retry_after;
  } else if (decision.bad_signature) {
    response.body = kBadSignatureBody;
  }
  responder.Respond(response);
}

void Sink::ArmLatencyTimer() {
  const TimeMs now = static_cast<TimeMs>(uv_now(loop_));
  const TimeMs wait = delayed_.front().due > now ? delayed_.front().due - now : 0;
  uv_timer_start(&latency_timer_, &Sink::OnLatencyTimer, static_cast<std::uint64_t>(wait), 0);
}

void Sink::OnLatencyTimer(uv_timer_t* timer) {
  auto* self = static_cast<Sink*>(timer->data);
  const TimeMs now = static_cast<TimeMs>(uv_now(self->loop_));
  // Answering never calls back into OnRequest (the server defers parsing), so the queue
  // cannot change under this loop except by its own pops.
  while (!self->delayed_.empty() && self->delayed_.front().due <= now) {
    Delayed delayed = std::move(self->delayed_.front());
    self->delayed_.pop_front();
    self->Perform(delayed.responder, delayed.decision);
  }
  if (!self->delayed_.empty()) self->ArmLatencyTimer();
}

double Sink::ElapsedSeconds() const {
  return static_cast<double>(static_cast<TimeMs>(uv_now(loop_)) - started_at_) / 1000.0;
}

void Sink::OnStatsTimer(uv_timer_t* timer) {
  auto* self = static_cast<Sink*>(timer->data);
  const TimeMs now = static_cast<TimeMs>(uv_now(self->loop_));
  const double window_s = static_cast<double>(now - self->last_stats_at_) / 1000.0;
  const std::uint64_t window_requests = self->stats_.requests - self->last_stats_requests_;
  const double rps = window_s > 0 ? static_cast<double>(window_requests) / window_s : 0;
  self->last_stats_at_ = now;
  self->last_stats_requests_ = self->stats_.requests;
  if (self->on_stats_line_) {
    self->on_stats_line_(
        FormatSinkStats(self->stats_, "stats", self->ElapsedSeconds(), rps, self->options_.json));
  }
}

std::string Sink::SummaryLine() const {
  const double elapsed = ElapsedSeconds();
  const double rps = elapsed > 0 ? static_cast<double>(stats_.requests) / elapsed : 0;
  return FormatSinkStats(stats_, "summary", elapsed, rps, options_.json);
}

void Sink::Close(std::function<void()> on_closed) {
  HOOKFAN_CHECK(!closing_);
  closing_ = true;
  on_closed_ = std::move(on_closed);
  // The server first, so that the delayed answers dropped below find their connections
  // closed and vanish instead of turning into 500s.
  server_->Close([this] {
    server_closed_ = true;
    MaybeFinishClose();
  });
  delayed_.clear();
  uv_close(Handle(&latency_timer_), &Sink::OnTimerClosed);
  uv_close(Handle(&stats_timer_), &Sink::OnTimerClosed);
}

void Sink::OnTimerClosed(uv_handle_t* handle) {
  auto* self = static_cast<Sink*>(handle->data);
  --self->open_timers_;
  self->MaybeFinishClose();
}

void Sink::MaybeFinishClose() {
  if (!server_closed_ || open_timers_ > 0 || server_ == nullptr) return;
  server_.reset();
  std::function<void()> on_closed = std::move(on_closed_);
  if (on_closed) on_closed();  // last statement: the callback may destroy the sink
}

}  // namespace hookfan::tools
