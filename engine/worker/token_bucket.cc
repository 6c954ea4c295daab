#include "engine/worker/token_bucket.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace hookfan::engine {

StatusOr<TokenBucket> TokenBucket::Create(double rate_per_second, double burst, TimeMs now) {
  if (!std::isfinite(rate_per_second) || rate_per_second < 0 || rate_per_second > 1e9) {
    return Status::InvalidArgument("rate_limit.per_second: must be between 0 and 1e9");
  }
  if (!std::isfinite(burst) || burst < 1 || burst > 1e9) {
    return Status::InvalidArgument("rate_limit.burst: must be between 1 and 1e9");
  }
  return TokenBucket(rate_per_second, burst, now);
}

TokenBucket::TokenBucket(double rate_per_second, double burst, TimeMs now)
    : rate_per_ms_(rate_per_second / 1000.0), burst_(burst), tokens_(burst), last_(now) {}

void TokenBucket::Refill(TimeMs now) {
  if (now <= last_) return;  // a clock that did not move (or went back) adds nothing
  tokens_ = std::min(burst_, tokens_ + static_cast<double>(now - last_) * rate_per_ms_);
  last_ = now;
}

bool TokenBucket::TryTake(TimeMs now) {
  if (unlimited()) return true;
  Refill(now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

DurationMs TokenBucket::WaitMs(TimeMs now) {
  if (unlimited()) return 0;
  Refill(now);
  if (tokens_ >= 1.0) return 0;
  return static_cast<DurationMs>(std::ceil((1.0 - tokens_) / rate_per_ms_));
}

}  // namespace hookfan::engine
