#pragma once
// Parsing of the Retry-After response header (RFC 9110 section 10.2.3) into a delay.
//
//   std::optional<DurationMs> delay = ParseRetryAfter(outcome.retry_after(), WallNowMs());
//   if (delay) wait = policy.BoundRetryAfter(*delay);   // else: the policy's own delay
//
// Both forms are accepted: delta-seconds ("120") and HTTP-date, in its preferred
// IMF-fixdate form ("Sun, 06 Nov 1994 08:49:37 GMT") and the two obsolete forms every
// recipient must still read: RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime
// ("Sun Nov  6 08:49:37 1994"). Surrounding spaces and tabs are ignored; anything else
// (a sign, a fraction, a bad month, 31 April, a missing "GMT", a number too large for
// int64 milliseconds) is rejected, and the caller falls back to its policy.
//
// Pure functions: no allocation, no locale, no time-zone database (dates are GMT by
// definition and converted with DaysFromCivil below). Callable from any thread.

#include <cstdint>
#include <optional>
#include <string_view>

#include "net/base/clock.h"

namespace hookfan::engine {

// Milliseconds from `now_unix_ms` until the time the receiver asked for; 0 when that time
// is already past; nullopt when `value` is not a valid Retry-After.
std::optional<DurationMs> ParseRetryAfter(std::string_view value, std::int64_t now_unix_ms);

// An HTTP-date in any of its three forms, as Unix milliseconds; nullopt when malformed.
// `now_unix_ms` resolves RFC 850's two-digit year: the year with those last two digits
// that is at most 50 years ahead of now (RFC 9110 section 5.6.7).
std::optional<std::int64_t> ParseHttpDate(std::string_view value, std::int64_t now_unix_ms);

// Days from 1970-01-01 to the given proleptic Gregorian date (negative before 1970).
// `month` is 1..12, `day` 1..31; not range-checked. After Howard Hinnant's
// days_from_civil, exact for every year representable here.
constexpr std::int64_t DaysFromCivil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);  // [0, 399]
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;  // [0, 146096]
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

// The Gregorian year containing day `days` since 1970-01-01 (inverse of DaysFromCivil).
std::int64_t YearFromDays(std::int64_t days);

}  // namespace hookfan::engine
