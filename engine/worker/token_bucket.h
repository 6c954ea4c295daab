#pragma once
// A token bucket for an endpoint's frequency limit (deliveries per second). Time is passed
// in, so tests drive it with a manual clock. Owned by one worker thread.
//
//   TokenBucket limit(/*rate_per_second=*/50, /*burst=*/10, now);
//   if (limit.TryTake(now)) Send(); else RetryAt(now + limit.WaitMs(now));

#include "net/base/clock.h"
#include "net/base/status.h"

namespace hookfan::engine {

class TokenBucket {
 public:
  // rate_per_second <= 0 means unlimited. burst >= 1 tokens may be spent at once.
  static StatusOr<TokenBucket> Create(double rate_per_second, double burst, TimeMs now);
  TokenBucket() = default;  // unlimited

  bool unlimited() const { return rate_per_ms_ <= 0; }
  // Takes one token if available.
  bool TryTake(TimeMs now);
  // Milliseconds until one token will be available (0 when one is available now).
  DurationMs WaitMs(TimeMs now);

 private:
  TokenBucket(double rate_per_second, double burst, TimeMs now);
  void Refill(TimeMs now);

  double rate_per_ms_ = 0;
  double burst_ = 1;
  double tokens_ = 1;
  TimeMs last_ = 0;
};

}  // namespace hookfan::engine
