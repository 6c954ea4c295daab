#pragma once
// The outcome classifier: turns what one attempt ended with (net::RequestOutcome) into what
// happens to the delivery next, by SPEC.md "Delivery semantics" and the endpoint's policy.
//
//   Decision d = ClassifyOutcome(outcome, policy, attempts_made, WallNowMs(), now, rng);
//   switch (d.verdict) {
//     case Verdict::kSuccess: Ack(); break;
//     case Verdict::kRetry: wheel.Schedule(delivery, d.retry_at); break;
//     case Verdict::kDisableEndpoint: endpoint.Disable(d.reason); DeadLetter(d.reason); break;
//     case Verdict::kDeadLetter: DeadLetter(d.reason); break;
//   }
//
// Rules, first match wins:
//   - 2xx: kSuccess.
//   - 410 Gone: kDisableEndpoint, whatever attempts remain. The receiver says the endpoint
//     is gone for good; the engine disables the endpoint and dead-letters this delivery
//     (and every later one for that endpoint, SPEC.md), so nothing is lost.
//   - kAddressRefused (the SSRF guard refused every resolved address): kDeadLetter at once.
//     Retrying cannot help: the same policy will refuse the same address again, and each
//     attempt would cost a DNS lookup. The delivery is kept, replayable after an allow-list
//     change.
//   - kCancelled (we cut the attempt short: shutdown, endpoint removed): kRetry at once,
//     delay 0, even with no attempts left. The receiver did not fail it, so it must not
//     use up the policy: the engine does not count it as an attempt, and at shutdown hands
//     the delivery back to its source instead of scheduling it.
//   - Everything else is a failure, retried while the policy has attempts left, else
//     kDeadLetter with attempts_exhausted set: 3xx (redirects are not followed), 1xx as a
//     final status, other 4xx and 5xx, DNS failures, connect errors and timeouts, resets,
//     protocol errors, oversized responses and TLS errors.
//   - 429 and 503 with a valid Retry-After wait that long instead of the policy's delay,
//     scaled and capped at the policy's max delay (RetryPolicy::BoundRetryAfter); an
//     absent or invalid Retry-After falls back to the policy. Other statuses ignore it.
//
// A pure function of its arguments (it advances `rng` only when a failure meets a jittered
// policy); allocation-free; callable from any thread with its own Rng.

#include <cstdint>
#include <string_view>

#include "engine/base/rng.h"
#include "engine/retry/retry_policy.h"
#include "net/base/clock.h"
#include "net/client/request_outcome.h"

namespace hookfan::engine {

enum class Verdict : std::uint8_t { kSuccess, kRetry, kDisableEndpoint, kDeadLetter };

std::string_view VerdictName(Verdict verdict);  // "success", "retry", ...

struct Decision {
  Verdict verdict = Verdict::kSuccess;
  // kDeadLetter because the policy ran out of attempts (not because the failure is final).
  bool attempts_exhausted = false;
  // kRetry whose delay came from the receiver's Retry-After header.
  bool retry_after_honoured = false;
  DurationMs delay = 0;  // kRetry: the wait chosen
  TimeMs retry_at = 0;   // kRetry: monotonic time of the next attempt (now + delay)
  // Why, for stats and dead letters: "http_200", "http_503", "connect_refused",
  // "address_not_allowed", "cancelled", ... Points to static storage: keep it freely.
  std::string_view reason;
};

// `attempts_made`: attempts finished so far for this delivery, this one included (>= 1).
// `wall_now_unix_ms` resolves a Retry-After HTTP-date; `now` is the monotonic time that
// `retry_at` is based on.
Decision ClassifyOutcome(const net::RequestOutcome& outcome, const RetryPolicy& policy,
                         int attempts_made, std::int64_t wall_now_unix_ms, TimeMs now, Rng& rng);

// "http_404" for a three-digit status, "http_invalid" for anything else. Static storage.
std::string_view HttpStatusReason(int status);

}  // namespace hookfan::engine
