#include "tools/blast/rate_schedule.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "net/base/check.h"

namespace hookfan::tools {

namespace {

// Requests within the first `t` seconds of a segment.
double SegmentCount(const RateSegment& segment, double t) {
  if (t <= 0) return 0;
  if (std::isinf(segment.seconds)) return segment.from * t;
  t = std::min(t, segment.seconds);
  const double slope = (segment.to - segment.from) / segment.seconds;
  return segment.from * t + slope * t * t / 2;
}

}  // namespace

RateSchedule::RateSchedule(std::vector<RateSegment> segments) : segments_(std::move(segments)) {
  HOOKFAN_CHECK(!segments_.empty());
  double count = 0;
  for (const RateSegment& segment : segments_) {
    HOOKFAN_CHECK(segment.seconds > 0 && segment.from >= 0 && segment.to >= 0);
    count_before_.push_back(count);
    start_.push_back(total_seconds_);
    total_seconds_ += segment.seconds;
    count += SegmentCount(segment, segment.seconds);
  }
  if (std::isinf(total_seconds_) || std::isinf(count)) {
    total_requests_ = kUnbounded;
  } else {
    // ceil, forgiving the rounding of a product that should be whole (2000/s for 2 s).
    total_requests_ = static_cast<std::uint64_t>(std::ceil(count - 1e-6));
  }
}

double RateSchedule::OffsetOf(std::uint64_t index) {
  const double i = static_cast<double>(index);
  // The last segment that starts at or before the index's crossing: skips flat (0/s) ones.
  while (cursor_ + 1 < segments_.size() && count_before_[cursor_ + 1] <= i) ++cursor_;
  const RateSegment& segment = segments_[cursor_];
  const double n = i - count_before_[cursor_];
  if (n <= 0) return start_[cursor_];
  double t = 0;
  if (std::isinf(segment.seconds) || segment.to == segment.from) {
    t = n / segment.from;
  } else {
    // Solve from*t + slope*t^2/2 = n in the form that stays exact when slope is tiny.
    const double slope = (segment.to - segment.from) / segment.seconds;
    const double root = std::sqrt(std::max(0.0, segment.from * segment.from + 2 * slope * n));
    t = 2 * n / (segment.from + root);
  }
  if (!std::isinf(segment.seconds)) t = std::min(t, segment.seconds);
  return start_[cursor_] + t;
}

double RateSchedule::CountUntil(double seconds) const {
  double count = 0;
  for (std::size_t k = 0; k < segments_.size() && seconds > start_[k]; ++k) {
    count = count_before_[k] + SegmentCount(segments_[k], seconds - start_[k]);
  }
  return count;
}

double RateSchedule::RateAt(double seconds) const {
  for (std::size_t k = 0; k < segments_.size(); ++k) {
    const RateSegment& segment = segments_[k];
    if (seconds < start_[k] + segment.seconds || k + 1 == segments_.size()) {
      if (std::isinf(segment.seconds)) return segment.from;
      const double t = std::clamp(seconds - start_[k], 0.0, segment.seconds);
      return segment.from + (segment.to - segment.from) * t / segment.seconds;
    }
  }
  return 0;
}

}  // namespace hookfan::tools
