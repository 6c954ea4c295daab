#include "engine/retry/outcome_classifier.h"

#include <array>

#include "engine/retry/retry_after.h"

namespace hookfan::engine {
namespace {

constexpr int kFirstStatus = 100;
constexpr int kLastStatus = 999;
constexpr size_t kReasonLength = 8;  // "http_" + three digits

// "http_100" .. "http_999", built at compile time, so a reason never allocates.
struct StatusReasons {
  std::array<std::array<char, kReasonLength>, kLastStatus - kFirstStatus + 1> text{};
};

constexpr StatusReasons MakeStatusReasons() {
  StatusReasons reasons;
  for (int status = kFirstStatus; status <= kLastStatus; ++status) {
    auto& t = reasons.text[static_cast<size_t>(status - kFirstStatus)];
    t = {'h',
         't',
         't',
         'p',
         '_',
         static_cast<char>('0' + status / 100),
         static_cast<char>('0' + status / 10 % 10),
         static_cast<char>('0' + status % 10)};
  }
  return reasons;
}

constexpr StatusReasons kStatusReasons = MakeStatusReasons();

Decision Retry(DurationMs delay, TimeMs now, std::string_view reason, bool from_retry_after) {
  Decision d;
  d.verdict = Verdict::kRetry;
  d.delay = delay;
  d.retry_at = now + delay;
  d.reason = reason;
  d.retry_after_honoured = from_retry_after;
  return d;
}

Decision Final(Verdict verdict, std::string_view reason, bool exhausted = false) {
  Decision d;
  d.verdict = verdict;
  d.reason = reason;
  d.attempts_exhausted = exhausted;
  return d;
}

}  // namespace

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kSuccess:
      return "success";
    case Verdict::kRetry:
      return "retry";
    case Verdict::kDisableEndpoint:
      return "disable_endpoint";
    case Verdict::kDeadLetter:
      return "dead_letter";
  }
  return "unknown";
}

std::string_view HttpStatusReason(int status) {
  if (status < kFirstStatus || status > kLastStatus) return "http_invalid";
  const auto& text = kStatusReasons.text[static_cast<size_t>(status - kFirstStatus)];
  return {text.data(), text.size()};
}

Decision ClassifyOutcome(const net::RequestOutcome& outcome, const RetryPolicy& policy,
                         int attempts_made, std::int64_t wall_now_unix_ms, TimeMs now, Rng& rng) {
  using net::RequestError;
  std::string_view reason;
  if (outcome.error == RequestError::kNone) {
    const int status = outcome.status;
    reason = HttpStatusReason(status);
    if (status >= 200 && status <= 299) return Final(Verdict::kSuccess, reason);
    if (status == 410) return Final(Verdict::kDisableEndpoint, reason);
  } else {
    reason = net::RequestErrorName(outcome.error);
    if (outcome.error == RequestError::kAddressRefused) {
      return Final(Verdict::kDeadLetter, reason);
    }
    if (outcome.error == RequestError::kCancelled) return Retry(0, now, reason, false);
  }

  // A retryable failure. Exhaustion first: a Retry-After cannot buy extra attempts.
  std::optional<DurationMs> policy_delay = policy.NextDelay(attempts_made, rng);
  if (!policy_delay) return Final(Verdict::kDeadLetter, reason, /*exhausted=*/true);

  if (outcome.error == RequestError::kNone && (outcome.status == 429 || outcome.status == 503)) {
    if (std::optional<DurationMs> asked =
            ParseRetryAfter(outcome.retry_after(), wall_now_unix_ms)) {
      return Retry(policy.BoundRetryAfter(*asked), now, reason, true);
    }
  }
  return Retry(*policy_delay, now, reason, false);
}

}  // namespace hookfan::engine
