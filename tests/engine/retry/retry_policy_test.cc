#include "engine/retry/retry_policy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace hookfan::engine {
namespace {

std::vector<DurationMs> Delays(const RetryPolicy& policy) {
  return {policy.base_delays().begin(), policy.base_delays().end()};
}

// Every NextDelay until the policy runs out; the policy must have no jitter.
std::vector<DurationMs> DrainDelays(const RetryPolicy& policy) {
  Rng rng(1);
  std::vector<DurationMs> delays;
  for (int attempts_made = 1;; ++attempts_made) {
    std::optional<DurationMs> delay = policy.NextDelay(attempts_made, rng);
    if (!delay) break;
    delays.push_back(*delay);
  }
  return delays;
}

std::string ErrorOf(const RetryPolicySpec& spec) {
  StatusOr<RetryPolicy> policy = RetryPolicy::FromSpec(spec);
  EXPECT_FALSE(policy.ok());
  if (policy.ok()) return "(no error)";
  EXPECT_EQ(policy.status().code(), StatusCode::kInvalidArgument);
  return policy.status().message();
}

TEST(RetryPolicyTest, StandardHasEightAttemptsAndTheSpecDelays) {
  StatusOr<RetryPolicy> policy = RetryPolicy::Preset("standard");
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_EQ(policy->name(), "standard");
  EXPECT_EQ(policy->max_attempts(), 8);
  EXPECT_DOUBLE_EQ(policy->jitter(), 0.2);
  EXPECT_EQ(Delays(*policy),
            (std::vector<DurationMs>{5 * kSecondMs, 5 * kMinuteMs, 30 * kMinuteMs, 2 * kHourMs,
                                     5 * kHourMs, 10 * kHourMs, 10 * kHourMs}));
  EXPECT_EQ(policy->max_delay(), 10 * kHourMs);
  Rng rng(3);
  EXPECT_FALSE(policy->NextDelay(8, rng).has_value());
  EXPECT_FALSE(policy->NextDelay(9, rng).has_value());
}

TEST(RetryPolicyTest, StandardJitterStaysWithinTwentyPercentAndSpreadsAcrossIt) {
  StatusOr<RetryPolicy> policy = RetryPolicy::Preset("standard");
  ASSERT_TRUE(policy.ok());
  Rng rng(12345);
  for (int attempts_made = 1; attempts_made < 8; ++attempts_made) {
    const double base = static_cast<double>(policy->base_delays()[attempts_made - 1]);
    double lowest = 2, highest = 0, sum = 0;
    constexpr int kSamples = 20000;
    for (int i = 0; i < kSamples; ++i) {
      std::optional<DurationMs> delay = policy->NextDelay(attempts_made, rng);
      ASSERT_TRUE(delay.has_value());
      const double ratio = static_cast<double>(*delay) / base;
      ASSERT_GE(ratio, 0.8) << "attempt " << attempts_made;
      ASSERT_LE(ratio, 1.2) << "attempt " << attempts_made;
      lowest = std::min(lowest, ratio);
      highest = std::max(highest, ratio);
      sum += ratio;
    }
    EXPECT_LT(lowest, 0.81) << "attempt " << attempts_made;
    EXPECT_GT(highest, 1.19) << "attempt " << attempts_made;
    EXPECT_NEAR(sum / kSamples, 1.0, 0.01) << "attempt " << attempts_made;
  }
}

TEST(RetryPolicyTest, SameSeedGivesSameJitteredDelays) {
  StatusOr<RetryPolicy> policy = RetryPolicy::Preset("standard");
  ASSERT_TRUE(policy.ok());
  Rng a(99), b(99);
  bool any_jitter = false;
  for (int attempts_made = 1; attempts_made < 8; ++attempts_made) {
    std::optional<DurationMs> from_a = policy->NextDelay(attempts_made, a);
    EXPECT_EQ(from_a, policy->NextDelay(attempts_made, b));
    any_jitter |= *from_a != policy->base_delays()[attempts_made - 1];
  }
  EXPECT_TRUE(any_jitter);
}

TEST(RetryPolicyTest, CleverpushDoublesFromTwoMinutesThenDeadLettersAfterNinthAttempt) {
  StatusOr<RetryPolicy> policy = RetryPolicy::Preset("cleverpush");
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->max_attempts(), 9);
  EXPECT_EQ(
      DrainDelays(*policy),
      (std::vector<DurationMs>{2 * kMinuteMs, 4 * kMinuteMs, 8 * kMinuteMs, 16 * kMinuteMs,
                               32 * kMinuteMs, 64 * kMinuteMs, 128 * kMinuteMs, 256 * kMinuteMs}));
  EXPECT_EQ(policy->max_delay(), 256 * kMinuteMs);
  Rng rng(5);
  EXPECT_TRUE(policy->NextDelay(8, rng).has_value());
  EXPECT_FALSE(policy->NextDelay(9, rng).has_value());
}

TEST(RetryPolicyTest, UnjitteredPolicyDoesNotDrawFromRng) {
  StatusOr<RetryPolicy> policy = RetryPolicy::Preset("cleverpush");
  ASSERT_TRUE(policy.ok());
  Rng rng(5);
  const std::uint64_t before = rng.state;
  ASSERT_TRUE(policy->NextDelay(1, rng).has_value());
  EXPECT_EQ(rng.state, before);
}

TEST(RetryPolicyTest, IonicRetriesThreeTimesThirtyMinutesApart) {
  StatusOr<RetryPolicy> policy = RetryPolicy::Preset("ionic");
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->max_attempts(), 4);
  EXPECT_EQ(DrainDelays(*policy),
            (std::vector<DurationMs>{30 * kMinuteMs, 30 * kMinuteMs, 30 * kMinuteMs}));
  EXPECT_EQ(policy->max_delay(), 30 * kMinuteMs);
}

TEST(RetryPolicyTest, ScaleShrinksEveryDelayAndTheMaxDelay) {
  StatusOr<RetryPolicy> standard = RetryPolicy::Preset("standard", 0.001);
  ASSERT_TRUE(standard.ok());
  EXPECT_DOUBLE_EQ(standard->scale(), 0.001);
  EXPECT_EQ(Delays(*standard), (std::vector<DurationMs>{5, 300, 1800, 7200, 18000, 36000, 36000}));
  EXPECT_EQ(standard->max_delay(), 36000);
  Rng rng(8);
  for (int i = 0; i < 1000; ++i) {
    std::optional<DurationMs> delay = standard->NextDelay(2, rng);
    ASSERT_GE(*delay, 240);
    ASSERT_LE(*delay, 360);
  }

  StatusOr<RetryPolicy> cleverpush = RetryPolicy::Preset("cleverpush", 0.001);
  ASSERT_TRUE(cleverpush.ok());
  EXPECT_EQ(DrainDelays(*cleverpush),
            (std::vector<DurationMs>{120, 240, 480, 960, 1920, 3840, 7680, 15360}));
  EXPECT_EQ(cleverpush->max_attempts(), 9);

  RetryPolicySpec spec;
  spec.attempts = 3;
  spec.initial_delay = 10 * kSecondMs;
  spec.scale = 0.5;
  StatusOr<RetryPolicy> custom = RetryPolicy::FromSpec(spec);
  ASSERT_TRUE(custom.ok());
  EXPECT_EQ(DrainDelays(*custom), (std::vector<DurationMs>{5 * kSecondMs, 10 * kSecondMs}));
  EXPECT_EQ(custom->max_delay(), 10 * kSecondMs);
}

TEST(RetryPolicyTest, UnknownPresetIsRejectedWithTheKnownNames) {
  StatusOr<RetryPolicy> policy = RetryPolicy::Preset("foo");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().message(),
            "retry.preset: unknown preset 'foo' (known: standard, cleverpush, ionic)");
  RetryPolicySpec spec;
  spec.preset = "Standard";
  EXPECT_EQ(ErrorOf(spec),
            "retry.preset: unknown preset 'Standard' (known: standard, cleverpush, ionic)");
}

TEST(RetryPolicyTest, ScaleMustBeInZeroToOne) {
  EXPECT_EQ(RetryPolicy::Preset("ionic", 0).status().message(),
            "retry.scale: must be in (0, 1], got 0");
  EXPECT_EQ(RetryPolicy::Preset("ionic", -0.5).status().message(),
            "retry.scale: must be in (0, 1], got -0.5");
  EXPECT_EQ(RetryPolicy::Preset("ionic", 2).status().message(),
            "retry.scale: must be in (0, 1], got 2");
  EXPECT_EQ(RetryPolicy::Preset("ionic", std::nan("")).status().message(),
            "retry.scale: must be in (0, 1], got nan");
  EXPECT_EQ(
      RetryPolicy::Preset("ionic", std::numeric_limits<double>::infinity()).status().message(),
      "retry.scale: must be in (0, 1], got inf");
  RetryPolicySpec spec;
  spec.attempts = 2;
  spec.initial_delay = kSecondMs;
  spec.scale = 0;
  EXPECT_EQ(ErrorOf(spec), "retry.scale: must be in (0, 1], got 0");
}

TEST(RetryPolicyTest, SpecWithPresetBuildsThePresetScaled) {
  RetryPolicySpec spec;
  spec.preset = "ionic";
  spec.scale = 0.01;
  StatusOr<RetryPolicy> policy = RetryPolicy::FromSpec(spec);
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->name(), "ionic");
  EXPECT_EQ(DrainDelays(*policy), (std::vector<DurationMs>{18000, 18000, 18000}));
}

TEST(RetryPolicyTest, PresetCannotBeMixedWithCustomFields) {
  RetryPolicySpec spec;
  spec.preset = "standard";
  spec.jitter = 0.0;
  EXPECT_EQ(ErrorOf(spec),
            "retry.preset: cannot be combined with retry.jitter (a preset fixes every field)");
  spec.attempts = 3;
  EXPECT_EQ(ErrorOf(spec),
            "retry.preset: cannot be combined with retry.attempts (a preset fixes every field)");
}

TEST(RetryPolicyTest, CustomExponentialGrowsByMultiplierUpToMaxDelay) {
  RetryPolicySpec spec;
  spec.attempts = 6;
  spec.initial_delay = kSecondMs;
  spec.multiplier = 3;
  spec.max_delay = 20 * kSecondMs;
  StatusOr<RetryPolicy> policy = RetryPolicy::FromSpec(spec);
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_EQ(policy->name(), "custom");
  EXPECT_EQ(policy->max_attempts(), 6);
  EXPECT_EQ(DrainDelays(*policy), (std::vector<DurationMs>{1000, 3000, 9000, 20000, 20000}));
  EXPECT_EQ(policy->max_delay(), 20 * kSecondMs);
}

TEST(RetryPolicyTest, CustomDefaultsToDoublingAndLongestDelayAsMax) {
  RetryPolicySpec spec;
  spec.attempts = 4;
  spec.initial_delay = 500;
  StatusOr<RetryPolicy> policy = RetryPolicy::FromSpec(spec);
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(DrainDelays(*policy), (std::vector<DurationMs>{500, 1000, 2000}));
  EXPECT_EQ(policy->max_delay(), 2000);
  EXPECT_DOUBLE_EQ(policy->jitter(), 0.0);
}

TEST(RetryPolicyTest, CustomMultiplierOneGivesFixedIntervals) {
  RetryPolicySpec spec;
  spec.attempts = 4;
  spec.initial_delay = 30 * kMinuteMs;
  spec.multiplier = 1;
  StatusOr<RetryPolicy> policy = RetryPolicy::FromSpec(spec);
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(DrainDelays(*policy), DrainDelays(*RetryPolicy::Preset("ionic")));
}

TEST(RetryPolicyTest, SingleAttemptPolicyNeverRetries) {
  RetryPolicySpec spec;
  spec.attempts = 1;
  StatusOr<RetryPolicy> policy = RetryPolicy::FromSpec(spec);
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_EQ(policy->max_attempts(), 1);
  Rng rng(1);
  EXPECT_FALSE(policy->NextDelay(1, rng).has_value());
}

TEST(RetryPolicyTest, CustomJitterStaysInItsBand) {
  RetryPolicySpec spec;
  spec.attempts = 2;
  spec.initial_delay = 10000;
  spec.jitter = 0.5;
  StatusOr<RetryPolicy> policy = RetryPolicy::FromSpec(spec);
  ASSERT_TRUE(policy.ok());
  Rng rng(77);
  DurationMs lowest = 20000, highest = 0;
  for (int i = 0; i < 10000; ++i) {
    const DurationMs delay = *policy->NextDelay(1, rng);
    ASSERT_GE(delay, 5000);
    ASSERT_LE(delay, 15000);
    lowest = std::min(lowest, delay);
    highest = std::max(highest, delay);
  }
  EXPECT_LT(lowest, 5100);
  EXPECT_GT(highest, 14900);
}

TEST(RetryPolicyTest, ExplicitDelayListIsUsedAsGiven) {
  RetryPolicySpec spec;
  spec.delays = std::vector<DurationMs>{kSecondMs, 0, kMinuteMs, kHourMs};
  StatusOr<RetryPolicy> policy = RetryPolicy::FromSpec(spec);
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_EQ(policy->max_attempts(), 5);
  EXPECT_EQ(DrainDelays(*policy), (std::vector<DurationMs>{kSecondMs, 0, kMinuteMs, kHourMs}));
  EXPECT_EQ(policy->max_delay(), kHourMs);

  spec.attempts = 5;  // consistent with the list: accepted
  EXPECT_TRUE(RetryPolicy::FromSpec(spec).ok());

  spec.max_delay = 2 * kMinuteMs;  // caps the listed delays
  StatusOr<RetryPolicy> capped = RetryPolicy::FromSpec(spec);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(DrainDelays(*capped),
            (std::vector<DurationMs>{kSecondMs, 0, kMinuteMs, 2 * kMinuteMs}));
  EXPECT_EQ(capped->max_delay(), 2 * kMinuteMs);
}

TEST(RetryPolicyTest, EmptyDelayListMeansOneAttempt) {
  RetryPolicySpec spec;
  spec.delays.emplace();  // given, but empty
  StatusOr<RetryPolicy> policy = RetryPolicy::FromSpec(spec);
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->max_attempts(), 1);
}

TEST(RetryPolicyTest, AttemptsOutOfRangeAreRejected) {
  RetryPolicySpec spec;
  spec.initial_delay = kSecondMs;
  spec.attempts = -3;
  EXPECT_EQ(ErrorOf(spec), "retry.attempts: must be between 1 and 100, got -3");
  spec.attempts = 0;
  EXPECT_EQ(ErrorOf(spec), "retry.attempts: must be between 1 and 100, got 0");
  spec.attempts = 101;
  EXPECT_EQ(ErrorOf(spec), "retry.attempts: must be between 1 and 100, got 101");
  spec.attempts = 100;
  spec.max_delay = kHourMs;
  EXPECT_TRUE(RetryPolicy::FromSpec(spec).ok());
}

TEST(RetryPolicyTest, MissingFieldsAreNamed) {
  RetryPolicySpec spec;
  EXPECT_EQ(ErrorOf(spec), "retry.attempts: required (or give retry.delays, or retry.preset)");
  spec.attempts = 3;
  EXPECT_EQ(ErrorOf(spec),
            "retry.initial_delay: required when retry.attempts > 1 (or give retry.delays)");
}

TEST(RetryPolicyTest, MultiplierMustBeFiniteAndBetweenOneAndHundred) {
  RetryPolicySpec spec;
  spec.attempts = 3;
  spec.initial_delay = kSecondMs;
  spec.multiplier = 0.5;
  EXPECT_EQ(ErrorOf(spec), "retry.multiplier: must be >= 1, got 0.5");
  spec.multiplier = -2;
  EXPECT_EQ(ErrorOf(spec), "retry.multiplier: must be >= 1, got -2");
  spec.multiplier = 1000;
  EXPECT_EQ(ErrorOf(spec), "retry.multiplier: must be <= 100, got 1000");
  spec.multiplier = std::nan("");
  EXPECT_EQ(ErrorOf(spec), "retry.multiplier: must be a finite number, got nan");
  spec.multiplier = std::numeric_limits<double>::infinity();
  EXPECT_EQ(ErrorOf(spec), "retry.multiplier: must be a finite number, got inf");
}

TEST(RetryPolicyTest, JitterMustBeAFractionBelowOne) {
  RetryPolicySpec spec;
  spec.attempts = 3;
  spec.initial_delay = kSecondMs;
  spec.jitter = 1;
  EXPECT_EQ(ErrorOf(spec), "retry.jitter: must be in [0, 1), got 1");
  spec.jitter = -0.1;
  EXPECT_EQ(ErrorOf(spec), "retry.jitter: must be in [0, 1), got -0.1");
  spec.jitter = std::nan("");
  EXPECT_EQ(ErrorOf(spec), "retry.jitter: must be in [0, 1), got nan");
}

TEST(RetryPolicyTest, DelaysMustBeBetweenZeroAndThirtyDays) {
  RetryPolicySpec spec;
  spec.attempts = 3;
  spec.initial_delay = -1;
  EXPECT_EQ(ErrorOf(spec),
            "retry.initial_delay: must be between 0 and 30 days (2592000000 ms), got -1 ms");
  spec.initial_delay = 30 * kDayMs + 1;
  EXPECT_EQ(ErrorOf(spec),
            "retry.initial_delay: must be between 0 and 30 days (2592000000 ms), got "
            "2592000001 ms");
  spec.initial_delay = kSecondMs;
  spec.max_delay = 31 * kDayMs;
  EXPECT_EQ(ErrorOf(spec),
            "retry.max_delay: must be between 0 and 30 days (2592000000 ms), got 2678400000 ms");
  spec.max_delay = 500;
  EXPECT_EQ(ErrorOf(spec), "retry.max_delay: must be >= retry.initial_delay (1000 ms), got 500 ms");
}

TEST(RetryPolicyTest, ExponentialPastThirtyDaysNeedsMaxDelay) {
  RetryPolicySpec spec;
  spec.attempts = 30;
  spec.initial_delay = kSecondMs;
  spec.multiplier = 2;
  // 2^21 s is about 24 days, 2^22 s about 48.5 days: retry 23 breaks the limit.
  EXPECT_EQ(ErrorOf(spec),
            "retry.max_delay: required here: retry 23 would wait 4194304000 ms, over the 30-day "
            "limit");
  spec.max_delay = kDayMs;
  StatusOr<RetryPolicy> policy = RetryPolicy::FromSpec(spec);
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->base_delays().back(), kDayMs);
}

TEST(RetryPolicyTest, ExplicitDelayListErrorsNameTheEntry) {
  RetryPolicySpec spec;
  spec.delays = std::vector<DurationMs>{kSecondMs, -5, kMinuteMs};
  EXPECT_EQ(ErrorOf(spec),
            "retry.delays[1]: must be between 0 and 30 days (2592000000 ms), got -5 ms");
  spec.delays = std::vector<DurationMs>{kSecondMs, 31 * kDayMs};
  EXPECT_EQ(ErrorOf(spec),
            "retry.delays[1]: must be between 0 and 30 days (2592000000 ms), got 2678400000 ms");

  spec.delays = std::vector<DurationMs>{kSecondMs, kMinuteMs};
  spec.attempts = 5;
  EXPECT_EQ(ErrorOf(spec),
            "retry.delays: has 2 entries, but retry.attempts 5 needs 4 (one per retry)");

  spec.attempts.reset();
  spec.delays = std::vector<DurationMs>(150, kSecondMs);
  EXPECT_EQ(ErrorOf(spec), "retry.delays: at most 99 entries (one per retry), got 150");

  spec.delays = std::vector<DurationMs>{kSecondMs};
  spec.initial_delay = kSecondMs;
  EXPECT_EQ(ErrorOf(spec), "retry.delays: cannot be combined with retry.initial_delay");
  spec.initial_delay.reset();
  spec.multiplier = 2;
  EXPECT_EQ(ErrorOf(spec), "retry.delays: cannot be combined with retry.multiplier");
}

TEST(RetryPolicyTest, RetryAfterIsScaledAndCappedAtMaxDelay) {
  StatusOr<RetryPolicy> ionic = RetryPolicy::Preset("ionic");
  ASSERT_TRUE(ionic.ok());
  EXPECT_EQ(ionic->BoundRetryAfter(120 * kSecondMs), 120 * kSecondMs);
  EXPECT_EQ(ionic->BoundRetryAfter(2 * kHourMs), 30 * kMinuteMs);
  EXPECT_EQ(ionic->BoundRetryAfter(std::numeric_limits<DurationMs>::max()), 30 * kMinuteMs);
  EXPECT_EQ(ionic->BoundRetryAfter(0), 0);

  StatusOr<RetryPolicy> scaled = RetryPolicy::Preset("ionic", 0.001);
  ASSERT_TRUE(scaled.ok());
  EXPECT_EQ(scaled->BoundRetryAfter(120 * kSecondMs), 120);
  EXPECT_EQ(scaled->BoundRetryAfter(2 * kHourMs), 1800);
}

TEST(RetryPolicyTest, PolicyIsACheapSharedValue) {
  StatusOr<RetryPolicy> policy = RetryPolicy::Preset("cleverpush");
  ASSERT_TRUE(policy.ok());
  RetryPolicyPtr shared = std::make_shared<const RetryPolicy>(*policy);
  RetryPolicy copy = *shared;
  EXPECT_EQ(DrainDelays(copy), DrainDelays(*shared));
  EXPECT_EQ(copy.name(), "cleverpush");
}

}  // namespace
}  // namespace hookfan::engine
