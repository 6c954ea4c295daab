#include "net/base/duration.h"

#include <charconv>
#include <cmath>

namespace hookfan {
namespace {

constexpr DurationMs kMaxDurationMs = 10 * 365 * kDayMs;

Status NotADuration(std::string_view text, std::string_view field) {
  return Status::InvalidArgument(std::string(field) + ": '" + std::string(text) +
                                 "' is not a duration (use e.g. 250ms, 5s, 2m, 1h)");
}

}  // namespace

StatusOr<DurationMs> ParseDuration(std::string_view text, std::string_view field) {
  if (text == "0") return DurationMs{0};
  std::size_t unit_at = 0;
  while (unit_at < text.size() &&
         ((text[unit_at] >= '0' && text[unit_at] <= '9') || text[unit_at] == '.')) {
    ++unit_at;
  }
  if (unit_at == 0) {
    if (!text.empty() && text[0] == '-') {
      return Status::InvalidArgument(std::string(field) + ": must not be negative");
    }
    return NotADuration(text, field);
  }
  double number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + unit_at, number);
  if (error != std::errc() || end != text.data() + unit_at) return NotADuration(text, field);
  const std::string_view unit = text.substr(unit_at);
  double scale = 0;
  if (unit == "ms")
    scale = 1;
  else if (unit == "s")
    scale = kSecondMs;
  else if (unit == "m" || unit == "min")
    scale = kMinuteMs;
  else if (unit == "h")
    scale = kHourMs;
  else if (unit == "d")
    scale = kDayMs;
  else
    return NotADuration(text, field);
  const double ms = number * scale;
  if (!std::isfinite(ms) || ms > static_cast<double>(kMaxDurationMs)) {
    return Status::InvalidArgument(std::string(field) + ": '" + std::string(text) +
                                   "' is longer than 10 years");
  }
  return static_cast<DurationMs>(ms);
}

std::string FormatDuration(DurationMs duration) {
  struct Unit {
    DurationMs size;
    const char* name;
  };
  static constexpr Unit kUnits[] = {
      {kDayMs, "d"}, {kHourMs, "h"}, {kMinuteMs, "m"}, {kSecondMs, "s"}};
  if (duration != 0) {
    for (const Unit& unit : kUnits) {
      if (duration % unit.size == 0) return std::to_string(duration / unit.size) + unit.name;
    }
  }
  return std::to_string(duration) + "ms";
}

}  // namespace hookfan
