#include "engine/retry/retry_after.h"

#include <limits>

namespace hookfan::engine {
namespace {

constexpr std::string_view kShortDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::string_view kLongDays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                          "Friday", "Saturday", "Sunday"};
constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A forward-only reader over the header value. Every Read* returns false (and leaves the
// reader somewhere unspecified) on a mismatch; the caller then rejects the whole value.
struct Reader {
  std::string_view text;
  size_t pos = 0;

  bool Literal(std::string_view expected) {
    if (text.substr(pos, expected.size()) != expected) return false;
    pos += expected.size();
    return true;
  }
  bool Digits(size_t count, int* out) {
    if (text.size() - pos < count) return false;
    int value = 0;
    for (size_t i = 0; i < count; ++i) {
      if (!IsDigit(text[pos + i])) return false;
      value = value * 10 + (text[pos + i] - '0');
    }
    pos += count;
    *out = value;
    return true;
  }
  // One of `names`, case-sensitively as RFC 9110 requires; *index is its position.
  template <size_t N>
  bool OneOf(const std::string_view (&names)[N], unsigned* index) {
    for (unsigned i = 0; i < N; ++i) {
      if (Literal(names[i])) {
        *index = i;
        return true;
      }
    }
    return false;
  }
  bool AtEnd() const { return pos == text.size(); }
};

struct Fields {
  std::int64_t year = 0;
  unsigned month = 0;  // 1..12
  int day = 0, hour = 0, minute = 0, second = 0;
};

// time-of-day = hour ":" minute ":" second, each 2DIGIT.
bool ReadTime(Reader& r, Fields* f) {
  return r.Digits(2, &f->hour) && r.Literal(":") && r.Digits(2, &f->minute) && r.Literal(":") &&
         r.Digits(2, &f->second);
}

bool ReadMonth(Reader& r, Fields* f) {
  unsigned index = 0;
  if (!r.OneOf(kMonths, &index)) return false;
  f->month = index + 1;
  return true;
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
bool ReadImfFixdate(Reader& r, Fields* f) {
  unsigned weekday = 0;
  int year = 0;
  if (!(r.OneOf(kShortDays, &weekday) && r.Literal(", ") && r.Digits(2, &f->day) &&
        r.Literal(" ") && ReadMonth(r, f) && r.Literal(" ") && r.Digits(4, &year) &&
        r.Literal(" ") && ReadTime(r, f) && r.Literal(" GMT"))) {
    return false;
  }
  f->year = year;
  return true;
}

// "Sunday, 06-Nov-94 08:49:37 GMT"; the century comes from `now_year`.
bool ReadRfc850(Reader& r, std::int64_t now_year, Fields* f) {
  unsigned weekday = 0;
  int two_digit_year = 0;
  if (!(r.OneOf(kLongDays, &weekday) && r.Literal(", ") && r.Digits(2, &f->day) && r.Literal("-") &&
        ReadMonth(r, f) && r.Literal("-") && r.Digits(2, &two_digit_year) && r.Literal(" ") &&
        ReadTime(r, f) && r.Literal(" GMT"))) {
    return false;
  }
  // The year ending in those digits within (now - 50, now + 50].
  std::int64_t year = now_year - now_year % 100 + two_digit_year;
  if (year > now_year + 50) year -= 100;
  if (year <= now_year - 50) year += 100;
  f->year = year;
  return true;
}

// "Sun Nov  6 08:49:37 1994": the day is two digits or a space and one digit.
bool ReadAsctime(Reader& r, Fields* f) {
  unsigned weekday = 0;
  int year = 0;
  if (!(r.OneOf(kShortDays, &weekday) && r.Literal(" ") && ReadMonth(r, f) && r.Literal(" "))) {
    return false;
  }
  if (!(r.Literal(" ") ? r.Digits(1, &f->day) : r.Digits(2, &f->day))) return false;
  if (!(r.Literal(" ") && ReadTime(r, f) && r.Literal(" ") && r.Digits(4, &year))) return false;
  f->year = year;
  return true;
}

bool IsLeapYear(std::int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

bool InRange(const Fields& f) {
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int month_days = kDaysInMonth[f.month - 1] + (f.month == 2 && IsLeapYear(f.year));
  // second 60: a leap second, which RFC 9110's grammar allows.
  return f.day >= 1 && f.day <= month_days && f.hour <= 23 && f.minute <= 59 && f.second <= 60;
}

std::string_view TrimSpaces(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

}  // namespace

std::int64_t YearFromDays(std::int64_t days) {
  // Howard Hinnant's civil_from_days, keeping only the year.
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned shifted_month = (5 * day_of_year + 2) / 153;  // 0 = March
  return static_cast<std::int64_t>(year_of_era) + era * 400 + (shifted_month >= 10 ? 1 : 0);
}

std::optional<std::int64_t> ParseHttpDate(std::string_view value, std::int64_t now_unix_ms) {
  Reader reader{TrimSpaces(value)};
  Fields fields;
  // The fourth byte tells the forms apart: ',' IMF-fixdate, ' ' asctime, a letter RFC 850.
  if (reader.text.size() < 4) return std::nullopt;
  bool read = false;
  if (reader.text[3] == ',') {
    read = ReadImfFixdate(reader, &fields);
  } else if (reader.text[3] == ' ') {
    read = ReadAsctime(reader, &fields);
  } else {
    std::int64_t now_days = now_unix_ms / kDayMs - (now_unix_ms % kDayMs < 0 ? 1 : 0);
    read = ReadRfc850(reader, YearFromDays(now_days), &fields);
  }
  if (!read || !reader.AtEnd() || !InRange(fields)) return std::nullopt;

  const std::int64_t days =
      DaysFromCivil(fields.year, fields.month, static_cast<unsigned>(fields.day));
  const std::int64_t seconds =
      days * 86400 + fields.hour * 3600 + fields.minute * 60 + fields.second;
  return seconds * 1000;
}

std::optional<DurationMs> ParseRetryAfter(std::string_view value, std::int64_t now_unix_ms) {
  value = TrimSpaces(value);
  if (value.empty()) return std::nullopt;
  if (IsDigit(value.front())) {
    // delta-seconds = 1*DIGIT. Reject, rather than saturate, a value whose milliseconds do
    // not fit: no real receiver sends one, so it is garbage.
    constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / 1000;
    std::int64_t seconds = 0;
    for (char c : value) {
      if (!IsDigit(c)) return std::nullopt;
      const int digit = c - '0';
      if (seconds > (kMaxSeconds - digit) / 10) return std::nullopt;
      seconds = seconds * 10 + digit;
    }
    return seconds * 1000;
  }
  const std::optional<std::int64_t> when = ParseHttpDate(value, now_unix_ms);
  if (!when) return std::nullopt;
  // Overflow-free: both are sane Unix times (years 0..9999 for the date).
  return *when > now_unix_ms ? *when - now_unix_ms : 0;
}

}  // namespace hookfan::engine
