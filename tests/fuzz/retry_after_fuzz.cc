// Fuzzes ParseRetryAfter and ParseHttpDate with a Retry-After header value, as any
// receiver may send it. Besides "no crash, no undefined behaviour", checks that:
//  - a delay is never negative, and surrounding spaces and tabs never change it;
//  - delta-seconds equal an independent 128-bit reading, refused only when too large;
//  - a date gives max(0, date - now), and every accepted date round-trips through an
//    IMF-fixdate formatted with <chrono>, keeping the submitted fields (bar the weekday,
//    which RFC 9110 does not ask recipients to check).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "engine/retry/retry_after.h"
#include "net/base/check.h"
#include "net/base/clock.h"

namespace {

using hookfan::DurationMs;
using hookfan::kDayMs;
using hookfan::kHourMs;
using hookfan::kMinuteMs;
using hookfan::kSecondMs;
using hookfan::engine::DaysFromCivil;

// Several "now"s: RFC 850's two-digit years resolve differently around each.
constexpr std::int64_t kNows[] = {
    DaysFromCivil(1999, 12, 31) * kDayMs + 23 * kHourMs + 59 * kMinuteMs + 59999,
    DaysFromCivil(2025, 1, 1) * kDayMs,
    DaysFromCivil(2077, 6, 15) * kDayMs + 12 * kHourMs + 34 * kMinuteMs + 56789,
};

std::string_view Trim(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

// IMF-fixdate of Unix milliseconds `ms` (a whole second), independently of retry_after.cc.
std::string ImfFixdate(std::int64_t ms) {
  using namespace std::chrono;
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const sys_seconds when{seconds{ms / 1000}};
  const sys_days day = floor<days>(when);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> time{when - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                kDays[weekday{day}.c_encoding()], static_cast<unsigned>(ymd.day()),
                kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return buf;
}

void CheckDeltaSeconds(std::string_view digits, std::optional<DurationMs> delay) {
  unsigned __int128 ms = 0;
  bool too_big = false;
  for (char c : digits) {
    ms = ms * 10 + static_cast<unsigned>(c - '0') * 1000;
    if (ms > static_cast<unsigned __int128>(std::numeric_limits<std::int64_t>::max())) {
      too_big = true;
      break;
    }
  }
  HOOKFAN_CHECK(delay.has_value() != too_big);
  if (delay) HOOKFAN_CHECK(static_cast<unsigned __int128>(*delay) == ms);
}

void CheckDate(std::string_view value, std::int64_t now, std::optional<DurationMs> delay) {
  const std::optional<std::int64_t> date = hookfan::engine::ParseHttpDate(value, now);
  HOOKFAN_CHECK(delay.has_value() == date.has_value());
  if (!date) return;
  HOOKFAN_CHECK(*delay == (*date > now ? *date - now : 0));
  HOOKFAN_CHECK(*date % kSecondMs == 0);
  // Years 0000-9999 (4 digits), or within 50 years of now (RFC 850); a leap second at the
  // very end of 9999 is the one way into 10000, and that has no IMF-fixdate to go back to.
  const std::int64_t year_10000 = DaysFromCivil(10000, 1, 1) * kDayMs;
  HOOKFAN_CHECK(*date >= DaysFromCivil(0, 1, 1) * kDayMs);
  HOOKFAN_CHECK(*date <= year_10000);
  if (*date == year_10000) return;
  const std::int64_t days = *date / kDayMs - (*date % kDayMs < 0 ? 1 : 0);
  HOOKFAN_CHECK(
      hookfan::engine::YearFromDays(days) ==
      static_cast<int>(
          std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{days}}}.year()));

  const std::string formatted = ImfFixdate(*date);
  HOOKFAN_CHECK(hookfan::engine::ParseHttpDate(formatted, now) == date);
  const std::string_view trimmed = Trim(value);
  // An IMF-fixdate keeps its fields, unless a leap second moved it to the next minute.
  if (trimmed[3] == ',' && trimmed.substr(23, 2) != "60") {
    HOOKFAN_CHECK(trimmed.substr(3) == std::string_view(formatted).substr(3));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  const std::string padded = " \t" + std::string(value) + "\t ";
  const std::string_view trimmed = Trim(value);
  const bool is_delta =
      !trimmed.empty() && trimmed.find_first_not_of("0123456789") == std::string_view::npos;
  for (std::int64_t now : kNows) {
    const std::optional<DurationMs> delay = hookfan::engine::ParseRetryAfter(value, now);
    if (delay) HOOKFAN_CHECK(*delay >= 0);
    HOOKFAN_CHECK(hookfan::engine::ParseRetryAfter(padded, now) == delay);
    if (is_delta) {
      CheckDeltaSeconds(trimmed, delay);
    } else if (!trimmed.empty() && trimmed.front() >= '0' && trimmed.front() <= '9') {
      HOOKFAN_CHECK(!delay);  // digits then something else: neither form
    } else {
      CheckDate(value, now, delay);
    }
  }
  return 0;
}
