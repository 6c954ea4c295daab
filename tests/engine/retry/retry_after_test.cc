#include "engine/retry/retry_after.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <limits>
#include <string>

#include "engine/base/rng.h"

namespace hookfan::engine {
namespace {

constexpr std::int64_t kNov6_1994_084937 = 784111777000;  // Sun, 06 Nov 1994 08:49:37 GMT
constexpr std::int64_t kJan1_2025 = 1735689600000;        // Wed, 01 Jan 2025 00:00:00 GMT

// IMF-fixdate for Unix seconds `t`, built with <chrono> as an independent reference.
std::string ImfFixdate(std::int64_t t) {
  using namespace std::chrono;
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const sys_seconds when{seconds{t}};
  const sys_days day = floor<days>(when);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> time{when - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                kDays[weekday{day}.c_encoding()], static_cast<unsigned>(ymd.day()),
                kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return buf;
}

TEST(RetryAfterTest, DeltaSecondsBecomeMilliseconds) {
  EXPECT_EQ(ParseRetryAfter("120", kJan1_2025), 120 * kSecondMs);
  EXPECT_EQ(ParseRetryAfter("0", kJan1_2025), 0);
  EXPECT_EQ(ParseRetryAfter("007", kJan1_2025), 7 * kSecondMs);
  EXPECT_EQ(ParseRetryAfter(" \t120\t ", kJan1_2025), 120 * kSecondMs);
  // The largest value whose milliseconds fit in int64.
  EXPECT_EQ(ParseRetryAfter("9223372036854775", kJan1_2025), 9223372036854775000);
}

TEST(RetryAfterTest, ImfFixdateIsRelativeToNow) {
  const std::string_view date = "Sun, 06 Nov 1994 08:49:37 GMT";
  EXPECT_EQ(ParseHttpDate(date, kJan1_2025), kNov6_1994_084937);
  EXPECT_EQ(ParseRetryAfter(date, kNov6_1994_084937 - 90 * kSecondMs), 90 * kSecondMs);
  EXPECT_EQ(ParseRetryAfter(date, kNov6_1994_084937 - 1), 1);
  EXPECT_EQ(ParseRetryAfter(date, kNov6_1994_084937), 0);
}

TEST(RetryAfterTest, DateInThePastMeansNoDelay) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kJan1_2025), 0);
  EXPECT_EQ(ParseRetryAfter("Thu, 01 Jan 1970 00:00:00 GMT", kJan1_2025), 0);
}

TEST(RetryAfterTest, Rfc850DateIsAccepted) {
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT", kNov6_1994_084937), kNov6_1994_084937);
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", kNov6_1994_084937 - 5000), 5000);
}

TEST(RetryAfterTest, Rfc850TwoDigitYearIsAtMostFiftyYearsAhead) {
  // From 2025: "74" is 2074 (49 years ahead), "76" would be 51 ahead so it is 1976.
  EXPECT_EQ(ParseHttpDate("Tuesday, 01-Jan-74 00:00:00 GMT", kJan1_2025),
            DaysFromCivil(2074, 1, 1) * kDayMs);
  EXPECT_EQ(ParseHttpDate("Thursday, 01-Jan-76 00:00:00 GMT", kJan1_2025),
            DaysFromCivil(1976, 1, 1) * kDayMs);
  EXPECT_EQ(ParseHttpDate("Wednesday, 01-Jan-25 00:00:00 GMT", kJan1_2025), kJan1_2025);
  // Late in a century the next one's early years are the near future.
  const std::int64_t jan1_2099 = DaysFromCivil(2099, 1, 1) * kDayMs;
  EXPECT_EQ(ParseHttpDate("Friday, 01-Jan-00 00:00:00 GMT", jan1_2099),
            DaysFromCivil(2100, 1, 1) * kDayMs);
}

TEST(RetryAfterTest, AsctimeDateIsAccepted) {
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994", kJan1_2025), kNov6_1994_084937);
  EXPECT_EQ(ParseHttpDate("Wed Nov 16 08:49:37 1994", kJan1_2025), kNov6_1994_084937 + 10 * kDayMs);
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 1994", kNov6_1994_084937 - kHourMs), kHourMs);
}

TEST(RetryAfterTest, LeapDaysAndLeapSecondsAreValid) {
  EXPECT_EQ(ParseHttpDate("Thu, 29 Feb 2024 12:00:00 GMT", 0), 1709208000000);
  EXPECT_EQ(ParseHttpDate("Tue, 29 Feb 2000 00:00:00 GMT", 0), DaysFromCivil(2000, 2, 29) * kDayMs);
  EXPECT_EQ(ParseHttpDate("Sat, 31 Dec 2016 23:59:60 GMT", 0), DaysFromCivil(2017, 1, 1) * kDayMs);
}

TEST(RetryAfterTest, GarbageIsRejected) {
  const char* const kBad[] = {
      "",
      "   ",
      "-5",
      "+5",
      "1.5",
      "12a",
      "1 2",
      "0x10",
      "abc",
      "99999999999999999999",
      "9223372036854776",  // its milliseconds overflow int64
      "Sun, 06 Nov 1994 08:49:37 UTC",
      "Sun, 06 Nov 1994 08:49:37 GMT x",
      "Sun, 06 Nov 1994 08:49:37",
      "sun, 06 Nov 1994 08:49:37 GMT",
      "Sun, 06 nov 1994 08:49:37 GMT",
      "Sun, 6 Nov 1994 08:49:37 GMT",
      "Sun, 06 Nov 94 08:49:37 GMT",
      "Sun,06 Nov 1994 08:49:37 GMT",
      "Sun, 06 Nov 1994 8:49:37 GMT",
      "Sun, 06 Nox 1994 08:49:37 GMT",
      "Xyz, 06 Nov 1994 08:49:37 GMT",
      "Sun, 00 Nov 1994 08:49:37 GMT",
      "Sun, 31 Apr 2024 08:49:37 GMT",
      "Sun, 29 Feb 2023 08:49:37 GMT",
      "Sun, 29 Feb 1900 08:49:37 GMT",
      "Sun, 06 Nov 1994 24:00:00 GMT",
      "Sun, 06 Nov 1994 08:60:00 GMT",
      "Sun, 06 Nov 1994 08:49:61 GMT",
      "Sun, 06 Nov 1994 08:49:-1 GMT",
      "Sunday, 06-Nov-1994 08:49:37 GMT",
      "Sunday, 06 Nov 94 08:49:37 GMT",
      "Sundae, 06-Nov-94 08:49:37 GMT",
      "Sun Nov 6 08:49:37 1994",
      "Sun Nov  6 08:49:37 94",
      "Sun Nov  6 08:49:37 1994 GMT",
      "Sun Nov 06 08:49:37",
      "Sun",
      "Sun,",
  };
  for (const char* bad : kBad) {
    EXPECT_EQ(ParseRetryAfter(bad, kJan1_2025), std::nullopt) << "'" << bad << "'";
  }
}

TEST(RetryAfterTest, DaysFromCivilMatchesChronoCalendar) {
  using namespace std::chrono;
  for (std::int64_t d = -800000; d <= 800000; d += 97) {
    const year_month_day ymd{sys_days{days{d}}};
    const std::int64_t year = static_cast<int>(ymd.year());
    ASSERT_EQ(
        DaysFromCivil(year, static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())),
        d);
    ASSERT_EQ(YearFromDays(d), year) << d;
  }
  static_assert(DaysFromCivil(1970, 1, 1) == 0);
  static_assert(DaysFromCivil(1969, 12, 31) == -1);
  static_assert(DaysFromCivil(2000, 3, 1) == 11017);
}

TEST(RetryAfterTest, ParsedImfFixdateRoundTripsOverFourCenturies) {
  Rng rng(2024);
  // Unix seconds from 1900 to 2300.
  const std::int64_t first = DaysFromCivil(1900, 1, 1) * 86400;
  const std::int64_t span = (DaysFromCivil(2300, 1, 1) - DaysFromCivil(1900, 1, 1)) * 86400;
  for (int i = 0; i < 20000; ++i) {
    const std::int64_t t = first + static_cast<std::int64_t>(rng.Next() % span);
    const std::string date = ImfFixdate(t);
    ASSERT_EQ(ParseHttpDate(date, kJan1_2025), t * 1000) << date;
  }
}

TEST(RetryAfterTest, RandomAndMutatedInputNeverCrashesAndNeverGoesNegative) {
  // A poor man's fuzzer (sanitizers catch overreads): random bytes, and valid values with
  // one byte changed. Anything accepted must be a non-negative delay.
  Rng rng(7);
  const std::string seeds[] = {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                               "Sun Nov  6 08:49:37 1994", "120", "Fri, 31 Dec 9999 23:59:59 GMT"};
  static constexpr char kAlphabet[] = "0123456789 ,:-GMTSunNovFriday\t\xff";
  for (int i = 0; i < 200000; ++i) {
    std::string input;
    if (i % 2 == 0) {
      input = seeds[rng.Next() % std::size(seeds)];
      input[rng.Next() % input.size()] = kAlphabet[rng.Next() % (sizeof kAlphabet - 1)];
      if (rng.Next() % 4 == 0) input.resize(rng.Next() % input.size());
    } else {
      input.resize(rng.Next() % 40);
      for (char& c : input) c = static_cast<char>(rng.Next());
    }
    const std::optional<DurationMs> delay = ParseRetryAfter(input, kJan1_2025);
    if (delay) {
      ASSERT_GE(*delay, 0) << input;
    }
  }
  EXPECT_EQ(ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", kJan1_2025),
            (DaysFromCivil(10000, 1, 1) * 86400 - 1) * 1000 - kJan1_2025);
}

}  // namespace
}  // namespace hookfan::engine
