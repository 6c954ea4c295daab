#pragma once
// RateSchedule: when each request of an open-model run is planned, for a rate that is
// constant, ramps linearly (--rate 1000:20000) or follows stages (--stages
// 10s@1000,30s@5000,10s@0: k6's ramping arrival rate, each stage ramping linearly from the
// previous target to its own).
//
//   RateSchedule schedule({{10.0, 1000, 1000}, {30.0, 1000, 5000}});   // seconds, from, to
//   schedule.total_requests();        // requests planned within the 40 s
//   double t = schedule.OffsetOf(i);  // seconds after the start at which request i leaves
//
// The rate r(t) is piecewise linear; N(t), its integral, counts the requests due by t, and
// request i is planned at the first t where N(t) > i (so request 0 leaves at t = 0 and the
// run holds ceil(N(end)) requests). OffsetOf keeps a cursor: each instance must be asked
// for non-decreasing indexes (every worker has its own copy). Plain value type.

#include <cstdint>
#include <limits>
#include <vector>

namespace hookfan::tools {

struct RateSegment {
  double seconds = 0;  // may be infinity (a --count run at a constant rate)
  double from = 0;     // requests/s at the segment's start
  double to = 0;       // ... and at its end
};

class RateSchedule {
 public:
  static constexpr std::uint64_t kUnbounded = std::numeric_limits<std::uint64_t>::max();

  explicit RateSchedule(std::vector<RateSegment> segments);
  static RateSchedule Constant(double rate, double seconds) {
    return RateSchedule({{seconds, rate, rate}});
  }

  double total_seconds() const { return total_seconds_; }
  // Requests planned before the end; kUnbounded when the schedule never ends.
  std::uint64_t total_requests() const { return total_requests_; }
  // Seconds after the start at which request `index` (< total_requests()) is planned.
  double OffsetOf(std::uint64_t index);
  // N(t): requests due within the first `seconds` (fractional).
  double CountUntil(double seconds) const;
  double RateAt(double seconds) const;
  const std::vector<RateSegment>& segments() const { return segments_; }

 private:
  std::vector<RateSegment> segments_;
  std::vector<double> count_before_;  // N at the start of each segment
  std::vector<double> start_;         // t at the start of each segment
  double total_seconds_ = 0;
  std::uint64_t total_requests_ = 0;
  std::size_t cursor_ = 0;
};

}  // namespace hookfan::tools
