#pragma once
// RetryPolicy: how many times a delivery is attempted and how long to wait between
// attempts. Built once from config (a named preset or custom fields), validated there, then
// immutable and shared by every endpoint that uses it (RetryPolicyPtr); asking for a delay
// allocates nothing.
//
//   StatusOr<RetryPolicy> policy = RetryPolicy::Preset("cleverpush");
//   if (!policy.ok()) return policy.status();   // "retry.preset: unknown preset 'foo' ..."
//   Rng rng(seed);
//   std::optional<DurationMs> delay = policy->NextDelay(/*attempts_made=*/1, rng);  // 2 min
//   if (!delay) DeadLetter();  // no attempts left
//
// Presets (SPEC.md "Delivery semantics"):
//   standard    8 attempts; delays 5s, 5m, 30m, 2h, 5h, 10h, 10h; +-20% jitter.
//   cleverpush  1 + 8 retries; 2 min doubling: 2m, 4m, 8m, ..., 256m; no jitter.
//   ionic       1 + 3 retries, 30 min apart; no jitter.
// The max delay of a preset is its longest delay (10h, 256m, 30m).
//
// Custom policies: either `attempts` + `initial_delay` (+ `multiplier`, `max_delay`) giving
// delay(n) = min(initial_delay * multiplier^(n-1), max_delay), or an explicit `delays` list
// (one entry per retry; `attempts` may be omitted). `max_delay` bounds the base delay; the
// jitter then spreads each delay uniformly over [d*(1-jitter), d*(1+jitter)), so a jittered
// delay may exceed max_delay by up to the jitter fraction. max_delay also bounds how long a
// receiver's Retry-After can hold a delivery back (see BoundRetryAfter).
//
// `scale` multiplies every delay, max_delay and Retry-After included: tests and load tests
// run the real policies with e.g. scale 0.001 (5s becomes 5ms). It only ever shrinks.
//
// Thread safety: const methods may be called from any thread; the Rng is the caller's.

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/rng.h"
#include "net/base/clock.h"
#include "net/base/status.h"

namespace hookfan::engine {

constexpr int kMaxRetryAttempts = 100;                // attempts in total, the first included
constexpr DurationMs kMaxRetryDelayMs = 30 * kDayMs;  // no single delay may be longer

// What config says about retries. Field names match the config keys ("retry.attempts").
// Leave a field empty to mean "not given": a preset must not be mixed with custom fields.
struct RetryPolicySpec {
  std::string preset;                             // "standard", "cleverpush", "ionic"
  std::optional<int> attempts;                    // in total, including the first (1..100)
  std::optional<DurationMs> initial_delay;        // delay after the first failure (0..30 days)
  std::optional<double> multiplier;               // growth per retry, 1..100; default 2
  std::optional<DurationMs> max_delay;            // default: the longest computed delay
  std::optional<double> jitter;                   // fraction in [0, 1); default 0
  std::optional<std::vector<DurationMs>> delays;  // explicit, one per retry
  double scale = 1.0;                             // in (0, 1]
};

class RetryPolicy {
 public:
  // A named preset; `scale` as in RetryPolicySpec::scale.
  static StatusOr<RetryPolicy> Preset(std::string_view name, double scale = 1.0);
  // A preset (when spec.preset is set) or a custom policy. Errors name the field:
  // "retry.attempts: must be between 1 and 100, got -3".
  static StatusOr<RetryPolicy> FromSpec(const RetryPolicySpec& spec);

  // "standard", "cleverpush", "ionic" or "custom".
  const std::string& name() const { return name_; }
  // Attempts in total, including the first.
  int max_attempts() const { return max_attempts_; }
  double jitter() const { return jitter_; }
  double scale() const { return scale_; }
  // The longest base delay allowed (scaled); also the cap on Retry-After.
  DurationMs max_delay() const { return max_delay_; }
  // Scaled delays before jitter; entry i is the wait after the (i+1)-th failed attempt.
  std::span<const DurationMs> base_delays() const { return delays_; }

  // The wait before the next attempt after `attempts_made` (>= 1) attempts have failed,
  // jitter and scale applied; nullopt when the policy has no attempts left. Draws from
  // `rng` only when the policy has jitter.
  std::optional<DurationMs> NextDelay(int attempts_made, Rng& rng) const;

  // A receiver's Retry-After delay (unscaled, >= 0) as this policy honours it: scaled, then
  // capped at max_delay().
  DurationMs BoundRetryAfter(DurationMs retry_after) const;

 private:
  RetryPolicy(std::string name, int max_attempts, double jitter, double scale, DurationMs max_delay,
              std::vector<DurationMs> base_delays);
  static StatusOr<RetryPolicy> Build(std::string name, std::vector<DurationMs> base_delays,
                                     std::optional<DurationMs> max_delay, double jitter,
                                     double scale);

  std::string name_;
  int max_attempts_;
  double jitter_;
  double scale_;
  DurationMs max_delay_;
  std::vector<DurationMs> delays_;  // scaled; max_attempts_ - 1 entries
};

// Endpoints share one immutable policy.
using RetryPolicyPtr = std::shared_ptr<const RetryPolicy>;

}  // namespace hookfan::engine
