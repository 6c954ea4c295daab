#include "engine/retry/retry_policy.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <utility>

namespace hookfan::engine {
namespace {

std::string Format(const char* format, auto... args) {
  char buf[200];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

// Range check for one delay; `field` is "retry.initial_delay", "retry.delays[3]", ...
Status CheckDelay(const std::string& field, DurationMs value) {
  if (value < 0 || value > kMaxRetryDelayMs) {
    return Status::InvalidArgument(Format("%s: must be between 0 and 30 days (%" PRId64
                                          " ms), got %" PRId64 " ms",
                                          field.c_str(), kMaxRetryDelayMs, value));
  }
  return Status::Ok();
}

DurationMs ScaleMs(double ms, double scale) {
  return static_cast<DurationMs>(std::llround(ms * scale));
}

// The preset's delays, unscaled; attempts = delays + 1.
struct PresetDef {
  std::string_view name;
  double jitter;
  std::vector<DurationMs> (*delays)();
};

std::vector<DurationMs> StandardDelays() {
  return {5 * kSecondMs, 5 * kMinuteMs, 30 * kMinuteMs, 2 * kHourMs,
          5 * kHourMs,   10 * kHourMs,  10 * kHourMs};
}
std::vector<DurationMs> CleverpushDelays() {
  std::vector<DurationMs> delays;
  for (int i = 0; i < 8; ++i) delays.push_back((2 * kMinuteMs) << i);
  return delays;
}
std::vector<DurationMs> IonicDelays() { return {30 * kMinuteMs, 30 * kMinuteMs, 30 * kMinuteMs}; }

constexpr PresetDef kPresets[] = {
    {"standard", 0.2, &StandardDelays},
    {"cleverpush", 0.0, &CleverpushDelays},
    {"ionic", 0.0, &IonicDelays},
};

Status CheckScale(double scale) {
  // Written as a negated range test so that NaN fails it too.
  if (!(scale > 0 && scale <= 1)) {
    return Status::InvalidArgument(Format("retry.scale: must be in (0, 1], got %g", scale));
  }
  return Status::Ok();
}

// The first custom field set in `spec`, or nullptr: a preset cannot be mixed with them.
const char* FirstCustomField(const RetryPolicySpec& spec) {
  if (spec.attempts) return "retry.attempts";
  if (spec.initial_delay) return "retry.initial_delay";
  if (spec.multiplier) return "retry.multiplier";
  if (spec.max_delay) return "retry.max_delay";
  if (spec.jitter) return "retry.jitter";
  if (spec.delays) return "retry.delays";
  return nullptr;
}

// delay(n) = min(initial * multiplier^(n-1), cap) for the `attempts - 1` retries.
StatusOr<std::vector<DurationMs>> ExponentialDelays(const RetryPolicySpec& spec, int attempts) {
  const double multiplier = spec.multiplier.value_or(2.0);
  if (!std::isfinite(multiplier)) {
    return Status::InvalidArgument(
        Format("retry.multiplier: must be a finite number, got %g", multiplier));
  }
  if (multiplier < 1) {
    return Status::InvalidArgument(Format("retry.multiplier: must be >= 1, got %g", multiplier));
  }
  if (multiplier > 100) {
    return Status::InvalidArgument(Format("retry.multiplier: must be <= 100, got %g", multiplier));
  }
  if (attempts == 1) return std::vector<DurationMs>{};
  if (!spec.initial_delay) {
    return Status::InvalidArgument(
        "retry.initial_delay: required when retry.attempts > 1 (or give retry.delays)");
  }
  HOOKFAN_RETURN_IF_ERROR(CheckDelay("retry.initial_delay", *spec.initial_delay));
  double cap = static_cast<double>(kMaxRetryDelayMs);
  if (spec.max_delay) cap = static_cast<double>(*spec.max_delay);

  std::vector<DurationMs> delays;
  double delay = static_cast<double>(*spec.initial_delay);
  for (int retry = 1; retry < attempts; ++retry) {
    if (delay > cap) {
      if (!spec.max_delay) {
        // Only reachable without max_delay: cap is then the 30-day limit.
        return Status::InvalidArgument(
            Format("retry.max_delay: required here: retry %d would wait %.0f ms, over the 30-day "
                   "limit",
                   retry, delay));
      }
      delay = cap;
    }
    delays.push_back(static_cast<DurationMs>(std::llround(delay)));
    delay *= multiplier;
  }
  return delays;
}

StatusOr<std::vector<DurationMs>> ListedDelays(const RetryPolicySpec& spec) {
  if (spec.initial_delay) {
    return Status::InvalidArgument("retry.delays: cannot be combined with retry.initial_delay");
  }
  if (spec.multiplier) {
    return Status::InvalidArgument("retry.delays: cannot be combined with retry.multiplier");
  }
  const std::vector<DurationMs>& listed = *spec.delays;
  if (listed.size() > static_cast<size_t>(kMaxRetryAttempts - 1)) {
    return Status::InvalidArgument(
        Format("retry.delays: at most %d entries (one per retry), got %zu", kMaxRetryAttempts - 1,
               listed.size()));
  }
  if (spec.attempts && static_cast<size_t>(*spec.attempts - 1) != listed.size()) {
    return Status::InvalidArgument(
        Format("retry.delays: has %zu entries, but retry.attempts %d needs %d (one per retry)",
               listed.size(), *spec.attempts, *spec.attempts - 1));
  }
  std::vector<DurationMs> delays;
  for (size_t i = 0; i < listed.size(); ++i) {
    HOOKFAN_RETURN_IF_ERROR(CheckDelay(Format("retry.delays[%zu]", i), listed[i]));
    delays.push_back(spec.max_delay ? std::min(listed[i], *spec.max_delay) : listed[i]);
  }
  return delays;
}

}  // namespace

RetryPolicy::RetryPolicy(std::string name, int max_attempts, double jitter, double scale,
                         DurationMs max_delay, std::vector<DurationMs> base_delays)
    : name_(std::move(name)),
      max_attempts_(max_attempts),
      jitter_(jitter),
      scale_(scale),
      max_delay_(max_delay),
      delays_(std::move(base_delays)) {}

StatusOr<RetryPolicy> RetryPolicy::Build(std::string name, std::vector<DurationMs> base_delays,
                                         std::optional<DurationMs> max_delay, double jitter,
                                         double scale) {
  HOOKFAN_RETURN_IF_ERROR(CheckScale(scale));
  DurationMs longest = 0;
  for (DurationMs& delay : base_delays) {
    longest = std::max(longest, delay);
    delay = ScaleMs(static_cast<double>(delay), scale);
  }
  const DurationMs scaled_max = ScaleMs(static_cast<double>(max_delay.value_or(longest)), scale);
  const int attempts = static_cast<int>(base_delays.size()) + 1;
  return RetryPolicy(std::move(name), attempts, jitter, scale, scaled_max, std::move(base_delays));
}

StatusOr<RetryPolicy> RetryPolicy::Preset(std::string_view name, double scale) {
  for (const PresetDef& preset : kPresets) {
    if (preset.name == name) {
      return Build(std::string(name), preset.delays(), std::nullopt, preset.jitter, scale);
    }
  }
  std::string known;
  for (const PresetDef& preset : kPresets) {
    if (!known.empty()) known += ", ";
    known += preset.name;
  }
  return Status::InvalidArgument("retry.preset: unknown preset '" + std::string(name) +
                                 "' (known: " + known + ")");
}

StatusOr<RetryPolicy> RetryPolicy::FromSpec(const RetryPolicySpec& spec) {
  if (!spec.preset.empty()) {
    if (const char* field = FirstCustomField(spec)) {
      return Status::InvalidArgument(
          Format("retry.preset: cannot be combined with %s (a preset fixes every field)", field));
    }
    return Preset(spec.preset, spec.scale);
  }

  if (spec.attempts && (*spec.attempts < 1 || *spec.attempts > kMaxRetryAttempts)) {
    return Status::InvalidArgument(Format("retry.attempts: must be between 1 and %d, got %d",
                                          kMaxRetryAttempts, *spec.attempts));
  }
  if (!spec.attempts && !spec.delays) {
    return Status::InvalidArgument(
        "retry.attempts: required (or give retry.delays, or retry.preset)");
  }
  const double jitter = spec.jitter.value_or(0.0);
  if (!(jitter >= 0 && jitter < 1)) {
    return Status::InvalidArgument(Format("retry.jitter: must be in [0, 1), got %g", jitter));
  }
  if (spec.max_delay) {
    HOOKFAN_RETURN_IF_ERROR(CheckDelay("retry.max_delay", *spec.max_delay));
    if (spec.initial_delay && *spec.max_delay < *spec.initial_delay) {
      return Status::InvalidArgument(Format(
          "retry.max_delay: must be >= retry.initial_delay (%" PRId64 " ms), got %" PRId64 " ms",
          *spec.initial_delay, *spec.max_delay));
    }
  }

  StatusOr<std::vector<DurationMs>> delays =
      spec.delays ? ListedDelays(spec) : ExponentialDelays(spec, *spec.attempts);
  if (!delays.ok()) return delays.status();
  return Build("custom", std::move(*delays), spec.max_delay, jitter, spec.scale);
}

std::optional<DurationMs> RetryPolicy::NextDelay(int attempts_made, Rng& rng) const {
  HOOKFAN_DCHECK(attempts_made >= 1);
  if (attempts_made >= max_attempts_) return std::nullopt;
  const DurationMs base = delays_[static_cast<size_t>(std::max(attempts_made, 1) - 1)];
  if (jitter_ == 0) return base;
  // Uniform over [base*(1-j), base*(1+j)): spreads a burst of failures apart.
  const double factor = 1.0 + jitter_ * (2.0 * rng.NextUnit() - 1.0);
  return static_cast<DurationMs>(std::llround(static_cast<double>(base) * factor));
}

DurationMs RetryPolicy::BoundRetryAfter(DurationMs retry_after) const {
  if (retry_after <= 0) return 0;
  // In double: a receiver may send a huge Retry-After; the cap keeps the result in range.
  const double scaled = static_cast<double>(retry_after) * scale_;
  if (scaled >= static_cast<double>(max_delay_)) return max_delay_;
  return static_cast<DurationMs>(std::llround(scaled));
}

}  // namespace hookfan::engine
