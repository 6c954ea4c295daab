#pragma once
// Time as plain integers. Monotonic milliseconds drive timers and timeouts; wall-clock time
// is only for what leaves the process (webhook-timestamp, HTTP dates, `received`).
// Code that schedules takes `now` as a parameter so tests can drive it with a manual clock.

#include <chrono>
#include <cstdint>

namespace hookfan {

using TimeMs = std::int64_t;      // a point on the monotonic clock, milliseconds
using DurationMs = std::int64_t;  // a span of time, milliseconds

inline TimeMs MonotonicNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline std::int64_t MonotonicNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Unix time in milliseconds (wall clock).
inline std::int64_t WallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr DurationMs kSecondMs = 1000;
constexpr DurationMs kMinuteMs = 60 * kSecondMs;
constexpr DurationMs kHourMs = 60 * kMinuteMs;
constexpr DurationMs kDayMs = 24 * kHourMs;

}  // namespace hookfan
