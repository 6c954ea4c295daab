#pragma once
// Human durations as operators write them in flags and config files:
//   "250ms", "5s", "2m", "1h", "3d", "1.5s", and a bare "0".
// Milliseconds resolution; anything finer is rounded down. Errors name the field:
//   ParseDuration("5 parsecs", "retry.initial_delay")
//     -> "retry.initial_delay: '5 parsecs' is not a duration (use e.g. 250ms, 5s, 2m, 1h)"

#include <string>
#include <string_view>

#include "net/base/clock.h"
#include "net/base/status.h"

namespace hookfan {

// Accepts 0 to 10 years; negative and larger values are errors.
StatusOr<DurationMs> ParseDuration(std::string_view text, std::string_view field);

// The shortest exact form: 1500 -> "1500ms", 120000 -> "2m", 0 -> "0ms".
std::string FormatDuration(DurationMs duration);

}  // namespace hookfan
