#include "net/http/http_date.h"

#include <cstdio>
#include <ctime>

namespace hookfan::net {

std::string_view HttpDateCache::Line(TimeMs now) {
  if (line_.empty() || now - refreshed_at_ >= kSecondMs || now < refreshed_at_) {
    line_ = Format(WallNowMs() / 1000, &buffer_);
    refreshed_at_ = now;
  }
  return line_;
}

std::string_view HttpDateCache::Format(std::int64_t unix_seconds, std::array<char, 48>* buffer) {
  // Day and month names by hand rather than strftime, whose %a/%b follow the locale.
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t seconds = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  int length =
      std::snprintf(buffer->data(), buffer->size(), "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n",
                    kDays[utc.tm_wday], utc.tm_mday, kMonths[utc.tm_mon], utc.tm_year + 1900,
                    utc.tm_hour, utc.tm_min, utc.tm_sec);
  return {buffer->data(), static_cast<std::size_t>(length)};
}

}  // namespace hookfan::net
