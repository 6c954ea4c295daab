#include "engine/retry/outcome_classifier.h"

#include <gtest/gtest.h>

#include <string>

namespace hookfan::engine {
namespace {

using net::RequestError;
using net::RequestOutcome;

constexpr std::int64_t kWallNow = 1735689600000;  // Wed, 01 Jan 2025 00:00:00 GMT
constexpr TimeMs kNow = 5000000;                  // an arbitrary monotonic time

RequestOutcome Response(int status, std::string_view retry_after = {}) {
  RequestOutcome outcome;
  outcome.status = status;
  outcome.set_retry_after(retry_after);
  return outcome;
}

RequestOutcome Failure(RequestError error) {
  RequestOutcome outcome;
  outcome.error = error;
  return outcome;
}

RetryPolicy Cleverpush(double scale = 1.0) {
  StatusOr<RetryPolicy> policy = RetryPolicy::Preset("cleverpush", scale);
  HOOKFAN_CHECK(policy.ok());
  return *policy;
}

Decision Classify(const RequestOutcome& outcome, int attempts_made = 1,
                  const RetryPolicy& policy = Cleverpush()) {
  Rng rng(1);
  return ClassifyOutcome(outcome, policy, attempts_made, kWallNow, kNow, rng);
}

struct StatusCase {
  int status;
  Verdict verdict;
  std::string_view reason;
};

TEST(OutcomeClassifierTest, StatusesMapToTheSpecVerdicts) {
  const StatusCase kCases[] = {
      {200, Verdict::kSuccess, "http_200"},         {204, Verdict::kSuccess, "http_204"},
      {299, Verdict::kSuccess, "http_299"},         {100, Verdict::kRetry, "http_100"},
      {101, Verdict::kRetry, "http_101"},           {199, Verdict::kRetry, "http_199"},
      {300, Verdict::kRetry, "http_300"},           {301, Verdict::kRetry, "http_301"},
      {308, Verdict::kRetry, "http_308"},           {400, Verdict::kRetry, "http_400"},
      {401, Verdict::kRetry, "http_401"},           {404, Verdict::kRetry, "http_404"},
      {410, Verdict::kDisableEndpoint, "http_410"}, {429, Verdict::kRetry, "http_429"},
      {500, Verdict::kRetry, "http_500"},           {502, Verdict::kRetry, "http_502"},
      {503, Verdict::kRetry, "http_503"},           {599, Verdict::kRetry, "http_599"},
      {600, Verdict::kRetry, "http_600"},           {0, Verdict::kRetry, "http_invalid"},
  };
  for (const StatusCase& c : kCases) {
    const Decision d = Classify(Response(c.status));
    EXPECT_EQ(d.verdict, c.verdict) << c.status;
    EXPECT_EQ(d.reason, c.reason) << c.status;
    EXPECT_FALSE(d.attempts_exhausted) << c.status;
    EXPECT_FALSE(d.retry_after_honoured) << c.status;
    if (c.verdict == Verdict::kRetry) {
      EXPECT_EQ(d.delay, 2 * kMinuteMs) << c.status;
      EXPECT_EQ(d.retry_at, kNow + 2 * kMinuteMs) << c.status;
    }
  }
}

struct ErrorCase {
  RequestError error;
  Verdict verdict;
  std::string_view reason;
};

TEST(OutcomeClassifierTest, EveryRequestErrorHasAVerdict) {
  const ErrorCase kCases[] = {
      {RequestError::kDnsFailed, Verdict::kRetry, "dns_failed"},
      {RequestError::kAddressRefused, Verdict::kDeadLetter, "address_not_allowed"},
      {RequestError::kConnectRefused, Verdict::kRetry, "connect_refused"},
      {RequestError::kConnectFailed, Verdict::kRetry, "connect_failed"},
      {RequestError::kConnectTimeout, Verdict::kRetry, "connect_timeout"},
      {RequestError::kResponseTimeout, Verdict::kRetry, "response_timeout"},
      {RequestError::kTotalTimeout, Verdict::kRetry, "total_timeout"},
      {RequestError::kConnectionReset, Verdict::kRetry, "connection_reset"},
      {RequestError::kProtocolError, Verdict::kRetry, "protocol_error"},
      {RequestError::kResponseTooLarge, Verdict::kRetry, "response_too_large"},
      {RequestError::kTlsError, Verdict::kRetry, "tls_error"},
      {RequestError::kCancelled, Verdict::kRetry, "cancelled"},
  };
  // Every enumerator after kNone, so a new RequestError must be added here.
  ASSERT_EQ(std::size(kCases), static_cast<size_t>(RequestError::kCancelled));
  for (const ErrorCase& c : kCases) {
    const Decision d = Classify(Failure(c.error));
    EXPECT_EQ(d.verdict, c.verdict) << c.reason;
    EXPECT_EQ(d.reason, c.reason);
    EXPECT_FALSE(d.attempts_exhausted) << c.reason;
    if (c.verdict == Verdict::kRetry && c.error != RequestError::kCancelled) {
      EXPECT_EQ(d.delay, 2 * kMinuteMs) << c.reason;
      EXPECT_EQ(d.retry_at, kNow + 2 * kMinuteMs) << c.reason;
    }
  }
}

TEST(OutcomeClassifierTest, CancelledRetriesAtOnceEvenWithNoAttemptsLeft) {
  for (int attempts_made : {1, 9, 50}) {
    const Decision d = Classify(Failure(RequestError::kCancelled), attempts_made);
    EXPECT_EQ(d.verdict, Verdict::kRetry);
    EXPECT_EQ(d.delay, 0);
    EXPECT_EQ(d.retry_at, kNow);
    EXPECT_FALSE(d.attempts_exhausted);
  }
}

TEST(OutcomeClassifierTest, RetryDelayFollowsThePolicyPerAttempt) {
  for (int attempts_made = 1; attempts_made <= 8; ++attempts_made) {
    const Decision d = Classify(Response(500), attempts_made);
    ASSERT_EQ(d.verdict, Verdict::kRetry);
    EXPECT_EQ(d.delay, (2 * kMinuteMs) << (attempts_made - 1));
    EXPECT_EQ(d.retry_at, kNow + d.delay);
  }
}

TEST(OutcomeClassifierTest, LastFailedAttemptIsDeadLetteredAsExhausted) {
  const RequestOutcome kFailures[] = {Response(500),
                                      Response(301),
                                      Response(429, "10"),
                                      Response(503, "10"),
                                      Failure(RequestError::kConnectTimeout),
                                      Failure(RequestError::kTlsError)};
  for (const RequestOutcome& outcome : kFailures) {
    const Decision d = Classify(outcome, /*attempts_made=*/9);
    EXPECT_EQ(d.verdict, Verdict::kDeadLetter);
    EXPECT_TRUE(d.attempts_exhausted);
    EXPECT_FALSE(d.retry_after_honoured);
  }
  EXPECT_EQ(Classify(Response(500), 9).reason, "http_500");
  EXPECT_EQ(Classify(Failure(RequestError::kConnectTimeout), 9).reason, "connect_timeout");
}

TEST(OutcomeClassifierTest, FinalVerdictsDoNotDependOnAttemptsLeft) {
  EXPECT_EQ(Classify(Response(200), 9).verdict, Verdict::kSuccess);
  EXPECT_EQ(Classify(Response(410), 9).verdict, Verdict::kDisableEndpoint);
  EXPECT_EQ(Classify(Response(410), 1).verdict, Verdict::kDisableEndpoint);
  const Decision refused = Classify(Failure(RequestError::kAddressRefused), 9);
  EXPECT_EQ(refused.verdict, Verdict::kDeadLetter);
  EXPECT_FALSE(refused.attempts_exhausted);
}

TEST(OutcomeClassifierTest, TooManyRequestsAndUnavailableHonourRetryAfterSeconds) {
  for (int status : {429, 503}) {
    const Decision d = Classify(Response(status, "120"));
    EXPECT_EQ(d.verdict, Verdict::kRetry) << status;
    EXPECT_TRUE(d.retry_after_honoured) << status;
    EXPECT_EQ(d.delay, 120 * kSecondMs) << status;
    EXPECT_EQ(d.retry_at, kNow + 120 * kSecondMs) << status;
  }
}

TEST(OutcomeClassifierTest, RetryAfterDateIsReadAgainstWallClock) {
  const Decision d = Classify(Response(503, "Wed, 01 Jan 2025 00:05:00 GMT"));
  EXPECT_TRUE(d.retry_after_honoured);
  EXPECT_EQ(d.delay, 5 * kMinuteMs);
  EXPECT_EQ(d.retry_at, kNow + 5 * kMinuteMs);

  const Decision past = Classify(Response(429, "Tue, 31 Dec 2024 23:00:00 GMT"));
  EXPECT_TRUE(past.retry_after_honoured);
  EXPECT_EQ(past.delay, 0);
  EXPECT_EQ(past.retry_at, kNow);
}

TEST(OutcomeClassifierTest, RetryAfterIsCappedAtPolicyMaxDelay) {
  const Decision d = Classify(Response(429, "86400"));  // a day; cleverpush max is 256 min
  EXPECT_TRUE(d.retry_after_honoured);
  EXPECT_EQ(d.delay, 256 * kMinuteMs);
  const Decision far = Classify(Response(503, "Fri, 31 Dec 9999 23:59:59 GMT"));
  EXPECT_EQ(far.delay, 256 * kMinuteMs);
}

TEST(OutcomeClassifierTest, RetryAfterIsScaledWithThePolicy) {
  const Decision d = Classify(Response(429, "120"), 1, Cleverpush(0.001));
  EXPECT_TRUE(d.retry_after_honoured);
  EXPECT_EQ(d.delay, 120);
}

TEST(OutcomeClassifierTest, MissingOrInvalidRetryAfterFallsBackToPolicy) {
  for (std::string_view value : {"", "soon", "-5", "Sun, 31 Apr 2024 00:00:00 GMT"}) {
    const Decision d = Classify(Response(503, value), 2);
    EXPECT_EQ(d.verdict, Verdict::kRetry) << value;
    EXPECT_FALSE(d.retry_after_honoured) << value;
    EXPECT_EQ(d.delay, 4 * kMinuteMs) << value;
  }
}

TEST(OutcomeClassifierTest, RetryAfterIsIgnoredOnOtherStatuses) {
  for (int status : {500, 502, 301, 404}) {
    const Decision d = Classify(Response(status, "5"));
    EXPECT_FALSE(d.retry_after_honoured) << status;
    EXPECT_EQ(d.delay, 2 * kMinuteMs) << status;
  }
}

TEST(OutcomeClassifierTest, JitteredPolicyDelayIsReproducibleFromTheSeed) {
  StatusOr<RetryPolicy> standard = RetryPolicy::Preset("standard");
  ASSERT_TRUE(standard.ok());
  Rng a(11), b(11);
  for (int attempts_made = 1; attempts_made < 8; ++attempts_made) {
    const Decision da = ClassifyOutcome(Response(500), *standard, attempts_made, kWallNow, kNow, a);
    const Decision db = ClassifyOutcome(Response(500), *standard, attempts_made, kWallNow, kNow, b);
    EXPECT_EQ(da.delay, db.delay);
    const double base = static_cast<double>(standard->base_delays()[attempts_made - 1]);
    EXPECT_GE(static_cast<double>(da.delay), base * 0.8);
    EXPECT_LE(static_cast<double>(da.delay), base * 1.2);
  }
}

TEST(OutcomeClassifierTest, ReasonsAndVerdictNamesAreStaticText) {
  EXPECT_EQ(HttpStatusReason(100), "http_100");
  EXPECT_EQ(HttpStatusReason(999), "http_999");
  EXPECT_EQ(HttpStatusReason(99), "http_invalid");
  EXPECT_EQ(HttpStatusReason(1000), "http_invalid");
  EXPECT_EQ(HttpStatusReason(-200), "http_invalid");
  // Same storage each time: safe to keep beyond the call.
  EXPECT_EQ(HttpStatusReason(404).data(), HttpStatusReason(404).data());
  EXPECT_EQ(VerdictName(Verdict::kSuccess), "success");
  EXPECT_EQ(VerdictName(Verdict::kRetry), "retry");
  EXPECT_EQ(VerdictName(Verdict::kDisableEndpoint), "disable_endpoint");
  EXPECT_EQ(VerdictName(Verdict::kDeadLetter), "dead_letter");
}

}  // namespace
}  // namespace hookfan::engine
