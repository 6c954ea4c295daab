#include "engine/base/timing_wheel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <utility>
#include <vector>

namespace hookfan::engine {
namespace {

// What a callback saw.
struct Fired {
  int id;
  TimeMs deadline;
  TimeMs now;
};

// A record owning a timer, as the dispatcher's Delivery will; fires into a shared log.
struct Timer : TimerNode {
  int id = 0;
  std::vector<Fired>* log = nullptr;
  // Optional work done from the callback.
  TimingWheel* wheel = nullptr;
  Timer* cancel_other = nullptr;
  std::vector<Timer*> cancel_more;
  Timer* schedule_other = nullptr;
  DurationMs schedule_other_in = 0;
  DurationMs rearm_in = -1;  // < 0: do not re-arm
};

void OnTimer(TimerNode* node, TimeMs now) {
  auto* timer = static_cast<Timer*>(node);
  EXPECT_FALSE(timer->armed());
  timer->log->push_back({timer->id, timer->deadline(), now});
  if (timer->cancel_other != nullptr) timer->wheel->Cancel(timer->cancel_other);
  for (Timer* other : timer->cancel_more) timer->wheel->Cancel(other);
  if (timer->schedule_other != nullptr) {
    timer->wheel->Schedule(timer->schedule_other, now + timer->schedule_other_in, OnTimer);
  }
  if (timer->rearm_in >= 0) timer->wheel->Schedule(timer, now + timer->rearm_in, OnTimer);
}

// `count` timers numbered 0..count-1 that log into `log`.
std::vector<std::unique_ptr<Timer>> MakeTimers(int count, std::vector<Fired>* log,
                                               TimingWheel* wheel) {
  std::vector<std::unique_ptr<Timer>> timers;
  for (int i = 0; i < count; ++i) {
    timers.push_back(std::make_unique<Timer>());
    timers.back()->id = i;
    timers.back()->log = log;
    timers.back()->wheel = wheel;
  }
  return timers;
}

std::vector<int> Ids(const std::vector<Fired>& log) {
  std::vector<int> ids;
  for (const Fired& fired : log) ids.push_back(fired.id);
  return ids;
}

constexpr TimeMs kStart = 1'000'000;
bool out_of_order_for_test = false;  // set by a capture-less callback

TEST(TimingWheelTest, FiresExactlyAtDeadlineNotBefore) {
  TimingWheel wheel(kStart);
  std::vector<Fired> log;
  auto timers = MakeTimers(1, &log, &wheel);
  wheel.Schedule(timers[0].get(), kStart + 5, OnTimer);
  EXPECT_TRUE(timers[0]->armed());
  EXPECT_EQ(timers[0]->deadline(), kStart + 5);
  EXPECT_EQ(wheel.Advance(kStart + 4), 0u);
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(wheel.Advance(kStart + 5), 1u);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].deadline, kStart + 5);
  EXPECT_EQ(log[0].now, kStart + 5);
  EXPECT_FALSE(timers[0]->armed());
  EXPECT_TRUE(wheel.empty());
}

TEST(TimingWheelTest, OneMillisecondDeadlineFiresOneMillisecondLater) {
  TimingWheel wheel(kStart);
  std::vector<Fired> log;
  auto timers = MakeTimers(1, &log, &wheel);
  wheel.Schedule(timers[0].get(), kStart + 1, OnTimer);
  EXPECT_EQ(wheel.NextDeadline(), kStart + 1);
  EXPECT_EQ(wheel.Advance(kStart), 0u);
  EXPECT_EQ(wheel.Advance(kStart + 1), 1u);
}

TEST(TimingWheelTest, OneMillisecondDeadlineAcrossEveryLevelBoundary) {
  // The next millisecond carries into digit k of the time: the timer starts in level k.
  for (int bits : {8, 16, 24, 32, 40, 48, 56, 62}) {
    const TimeMs boundary = TimeMs{1} << bits;
    TimingWheel wheel(boundary - 1);
    std::vector<Fired> log;
    auto timers = MakeTimers(1, &log, &wheel);
    wheel.Schedule(timers[0].get(), boundary, OnTimer);
    EXPECT_EQ(wheel.NextDeadline(), boundary) << bits;
    EXPECT_EQ(wheel.Advance(boundary - 1), 0u) << bits;
    EXPECT_EQ(wheel.Advance(boundary), 1u) << bits;
  }
}

TEST(TimingWheelTest, ThirtyAndSixtyDayDeadlinesFireOnTime) {
  TimingWheel wheel(kStart);
  std::vector<Fired> log;
  auto timers = MakeTimers(4, &log, &wheel);
  wheel.Schedule(timers[0].get(), kStart + 30 * kDayMs, OnTimer);
  wheel.Schedule(timers[1].get(), kStart + 60 * kDayMs, OnTimer);
  wheel.Schedule(timers[2].get(), kStart + 30 * kDayMs - 1, OnTimer);
  wheel.Schedule(timers[3].get(), kStart + 400 * kDayMs, OnTimer);
  EXPECT_EQ(wheel.Advance(kStart + 30 * kDayMs - 2), 0u);
  EXPECT_EQ(wheel.Advance(kStart + 30 * kDayMs - 1), 1u);
  EXPECT_EQ(wheel.Advance(kStart + 30 * kDayMs), 1u);
  EXPECT_EQ(wheel.Advance(kStart + 60 * kDayMs - 1), 0u);
  EXPECT_EQ(wheel.NextDeadline(), kStart + 60 * kDayMs);
  EXPECT_EQ(wheel.Advance(kStart + 60 * kDayMs), 1u);
  EXPECT_EQ(wheel.Advance(kStart + 400 * kDayMs - 1), 0u);
  EXPECT_EQ(wheel.Advance(kStart + 400 * kDayMs), 1u);
  EXPECT_EQ(Ids(log), (std::vector<int>{2, 0, 1, 3}));
  for (const Fired& fired : log) EXPECT_EQ(fired.now, fired.deadline);
}

TEST(TimingWheelTest, FarDeadlinesUpToTheEndOfTimeWork) {
  TimingWheel wheel(kStart);
  std::vector<Fired> log;
  auto timers = MakeTimers(2, &log, &wheel);
  wheel.Schedule(timers[0].get(), kNoDeadline, OnTimer);
  wheel.Schedule(timers[1].get(), kNoDeadline - 1, OnTimer);
  EXPECT_EQ(wheel.Advance(kNoDeadline - 2), 0u);
  EXPECT_EQ(wheel.Advance(kNoDeadline), 2u);
  EXPECT_EQ(Ids(log), (std::vector<int>{1, 0}));
}

TEST(TimingWheelTest, EqualDeadlinesFireInArmOrder) {
  TimingWheel wheel(kStart);
  std::vector<Fired> log;
  auto timers = MakeTimers(5, &log, &wheel);
  for (int i : {3, 1, 4, 0, 2}) wheel.Schedule(timers[i].get(), kStart + 700, OnTimer);
  EXPECT_EQ(wheel.Advance(kStart + 700), 5u);
  EXPECT_EQ(Ids(log), (std::vector<int>{3, 1, 4, 0, 2}));
}

TEST(TimingWheelTest, EqualDeadlinesArmedAtDifferentDistancesFireInArmOrder) {
  // One deadline, armed 5 hours, 2 minutes, 3 s, 300 ms and 10 ms before it: the first
  // timers start in coarse levels and cascade into the slot the last ones are filed in.
  TimingWheel wheel(kStart);
  std::vector<Fired> log;
  auto timers = MakeTimers(7, &log, &wheel);
  const TimeMs deadline = kStart + 5 * kHourMs;
  wheel.Schedule(timers[0].get(), deadline, OnTimer);
  wheel.Schedule(timers[6].get(), deadline + 1, OnTimer);
  EXPECT_EQ(wheel.Advance(deadline - 2 * kMinuteMs), 0u);
  wheel.Schedule(timers[1].get(), deadline, OnTimer);
  EXPECT_EQ(wheel.Advance(deadline - 3000), 0u);
  wheel.Schedule(timers[2].get(), deadline, OnTimer);
  EXPECT_EQ(wheel.Advance(deadline - 300), 0u);
  wheel.Schedule(timers[3].get(), deadline, OnTimer);
  wheel.Schedule(timers[5].get(), deadline - 1, OnTimer);
  EXPECT_EQ(wheel.Advance(deadline - 10), 0u);
  wheel.Schedule(timers[4].get(), deadline, OnTimer);
  EXPECT_EQ(wheel.Advance(deadline + 1), 7u);
  EXPECT_EQ(Ids(log), (std::vector<int>{5, 0, 1, 2, 3, 4, 6}));
}

TEST(TimingWheelTest, RearmingMovesATimerBehindEqualDeadlines) {
  TimingWheel wheel(kStart);
  std::vector<Fired> log;
  auto timers = MakeTimers(3, &log, &wheel);
  for (auto& timer : timers) wheel.Schedule(timer.get(), kStart + kHourMs, OnTimer);
  wheel.Schedule(timers[0].get(), kStart + kHourMs, OnTimer);
  EXPECT_EQ(wheel.size(), 3u);
  EXPECT_EQ(wheel.Advance(kStart + kHourMs), 3u);
  EXPECT_EQ(Ids(log), (std::vector<int>{1, 2, 0}));
}

TEST(TimingWheelTest, CancelledTimerNeverFires) {
  TimingWheel wheel(kStart);
  std::vector<Fired> log;
  auto timers = MakeTimers(3, &log, &wheel);
  wheel.Schedule(timers[0].get(), kStart + 10, OnTimer);
  wheel.Schedule(timers[1].get(), kStart + 10, OnTimer);
  wheel.Schedule(timers[2].get(), kStart + 3 * kDayMs, OnTimer);
  wheel.Cancel(timers[0].get());
  wheel.Cancel(timers[2].get());
  wheel.Cancel(timers[2].get());  // not armed: no-op
  EXPECT_FALSE(timers[0]->armed());
  EXPECT_EQ(wheel.size(), 1u);
  EXPECT_EQ(wheel.Advance(kStart + 4 * kDayMs), 1u);
  EXPECT_EQ(Ids(log), (std::vector<int>{1}));
  EXPECT_EQ(wheel.NextDeadline(), kNoDeadline);
}

TEST(TimingWheelTest, CallbackRearmsItself) {
  TimingWheel wheel(kStart);
  std::vector<Fired> log;
  auto timers = MakeTimers(1, &log, &wheel);
  timers[0]->rearm_in = 10;
  wheel.Schedule(timers[0].get(), kStart + 10, OnTimer);
  for (TimeMs t = kStart + 1; t <= kStart + 100; ++t) wheel.Advance(t);
  EXPECT_EQ(log.size(), 10u);
  EXPECT_TRUE(timers[0]->armed());
  EXPECT_EQ(timers[0]->deadline(), kStart + 110);
  // A jump fires it once; it re-arms relative to the `now` it is given.
  EXPECT_EQ(wheel.Advance(kStart + 1000), 1u);
  EXPECT_EQ(timers[0]->deadline(), kStart + 1010);
}

TEST(TimingWheelTest, CallbackCancelsAnotherTimerDueInTheSameAdvance) {
  TimingWheel wheel(kStart);
  std::vector<Fired> log;
  auto timers = MakeTimers(4, &log, &wheel);
  timers[0]->cancel_other = timers[1].get();  // same deadline, later in line
  timers[2]->cancel_other = timers[3].get();  // later deadline, same Advance
  wheel.Schedule(timers[0].get(), kStart + 50, OnTimer);
  wheel.Schedule(timers[1].get(), kStart + 50, OnTimer);
  wheel.Schedule(timers[2].get(), kStart + 60, OnTimer);
  wheel.Schedule(timers[3].get(), kStart + 5 * kMinuteMs, OnTimer);
  EXPECT_EQ(wheel.Advance(kStart + 10 * kMinuteMs), 2u);
  EXPECT_EQ(Ids(log), (std::vector<int>{0, 2}));
  EXPECT_TRUE(wheel.empty());
}

TEST(TimingWheelTest, CallbackCancellingManyCollectedTimersSkipsThemAll) {
  // Collected timers spanning several internal blocks, half cancelled by earlier ones.
  TimingWheel wheel(kStart);
  std::vector<Fired> log;
  auto timers = MakeTimers(500, &log, &wheel);
  for (auto& timer : timers) wheel.Schedule(timer.get(), kStart + 20, OnTimer);
  // Timer 0 cancels the last one; every odd timer cancels its successor.
  timers[0]->cancel_other = timers[499].get();
  for (int i = 1; i + 1 < 500; i += 2) timers[i]->cancel_other = timers[i + 1].get();
  EXPECT_EQ(wheel.Advance(kStart + 30), 250u);
  std::vector<int> expected = {0};
  for (int i = 1; i < 499; i += 2) expected.push_back(i);
  EXPECT_EQ(Ids(log), expected);
  EXPECT_TRUE(wheel.empty());
}

TEST(TimingWheelTest, FirstCollectedTimerCancellingAllOthersFiresAlone) {
  TimingWheel wheel(kStart);
  std::vector<Fired> log;
  auto timers = MakeTimers(500, &log, &wheel);
  for (auto& timer : timers) wheel.Schedule(timer.get(), kStart + 20, OnTimer);
  for (int i = 499; i > 0; --i) timers[0]->cancel_more.push_back(timers[i].get());
  EXPECT_EQ(wheel.Advance(kStart + 20), 1u);
  EXPECT_EQ(Ids(log), (std::vector<int>{0}));
  EXPECT_TRUE(wheel.empty());
  EXPECT_EQ(wheel.NextDeadline(), kNoDeadline);
}

TEST(TimingWheelTest, TimerScheduledAlreadyDueFiresOnTheNextAdvance) {
  TimingWheel wheel(kStart);
  std::vector<Fired> log;
  auto timers = MakeTimers(3, &log, &wheel);
  timers[0]->schedule_other = timers[1].get();
  timers[0]->schedule_other_in = -5;  // in the past: stored as now
  wheel.Schedule(timers[0].get(), kStart + 100, OnTimer);
  EXPECT_EQ(wheel.Advance(kStart + 100), 1u);
  EXPECT_TRUE(timers[1]->armed());
  EXPECT_EQ(timers[1]->deadline(), kStart + 100);
  EXPECT_EQ(wheel.NextDeadline(), kStart + 100);
  // Outside a callback too: a deadline <= now waits for the next Advance, any `now`.
  wheel.Schedule(timers[2].get(), kStart, OnTimer);
  EXPECT_EQ(wheel.Advance(kStart + 100), 2u);
  EXPECT_EQ(Ids(log), (std::vector<int>{0, 1, 2}));
}

TEST(TimingWheelTest, CallbackMayDeleteItsOwnRecord) {
  TimingWheel wheel(kStart);
  struct Owned : TimerNode {
    std::unique_ptr<Owned>* owner = nullptr;
  };
  std::unique_ptr<Owned> first = std::make_unique<Owned>();
  std::unique_ptr<Owned> second = std::make_unique<Owned>();
  first->owner = &first;
  second->owner = &second;
  TimerNode::Callback free_self = [](TimerNode* node, TimeMs) {
    static_cast<Owned*>(node)->owner->reset();
  };
  wheel.Schedule(first.get(), kStart + 1, free_self);
  wheel.Schedule(second.get(), kStart + 1, free_self);
  EXPECT_EQ(wheel.Advance(kStart + 1), 2u);
  EXPECT_EQ(first, nullptr);
  EXPECT_EQ(second, nullptr);
}

TEST(TimingWheelTest, BigJumpFiresEverythingInDeadlineOrder) {
  TimingWheel wheel(kStart);
  std::vector<Fired> log;
  auto timers = MakeTimers(20000, &log, &wheel);
  std::mt19937_64 random(7);
  std::vector<std::pair<TimeMs, int>> expected;
  for (auto& timer : timers) {
    // Some share deadlines, from 1 ms to 40 days out.
    TimeMs deadline = kStart + 1 + static_cast<TimeMs>(random() % (40 * kDayMs));
    if (timer->id % 4 == 0) deadline = kStart + 1 + static_cast<TimeMs>(random() % 8) * kHourMs;
    wheel.Schedule(timer.get(), deadline, OnTimer);
    expected.emplace_back(deadline, timer->id);
  }
  std::stable_sort(expected.begin(), expected.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  EXPECT_EQ(wheel.Advance(kStart + 40 * kDayMs), timers.size());
  ASSERT_EQ(log.size(), expected.size());
  for (size_t i = 0; i < log.size(); ++i) {
    ASSERT_EQ(log[i].id, expected[i].second) << i;
    ASSERT_EQ(log[i].deadline, expected[i].first) << i;
    ASSERT_EQ(log[i].now, kStart + 40 * kDayMs);
  }
  EXPECT_EQ(wheel.now(), kStart + 40 * kDayMs);
}

TEST(TimingWheelTest, NextDeadlineIsExactWithoutCancellations) {
  TimingWheel wheel(kStart);
  std::vector<Fired> log;
  auto timers = MakeTimers(4, &log, &wheel);
  EXPECT_EQ(wheel.NextDeadline(), kNoDeadline);
  wheel.Schedule(timers[0].get(), kStart + 9 * kDayMs + 17, OnTimer);
  EXPECT_EQ(wheel.NextDeadline(), kStart + 9 * kDayMs + 17);
  wheel.Schedule(timers[1].get(), kStart + 3 * kHourMs + 5, OnTimer);
  EXPECT_EQ(wheel.NextDeadline(), kStart + 3 * kHourMs + 5);
  wheel.Schedule(timers[2].get(), kStart + 3 * kHourMs + 4, OnTimer);
  EXPECT_EQ(wheel.NextDeadline(), kStart + 3 * kHourMs + 4);
  // Following NextDeadline visits exactly the deadlines.
  std::vector<TimeMs> visited;
  while (wheel.NextDeadline() != kNoDeadline) {
    visited.push_back(wheel.NextDeadline());
    EXPECT_EQ(wheel.Advance(visited.back()), 1u);
  }
  EXPECT_EQ(visited, (std::vector<TimeMs>{kStart + 3 * kHourMs + 4, kStart + 3 * kHourMs + 5,
                                          kStart + 9 * kDayMs + 17}));
}

TEST(TimingWheelTest, NextDeadlineAfterCancellingTheEarliestStillMakesProgress) {
  TimingWheel wheel(kStart);
  std::vector<Fired> log;
  auto timers = MakeTimers(2, &log, &wheel);
  wheel.Schedule(timers[0].get(), kStart + 2 * kHourMs, OnTimer);
  wheel.Schedule(timers[1].get(), kStart + 2 * kHourMs + 30 * kSecondMs, OnTimer);
  wheel.Cancel(timers[0].get());
  // A lower bound now (the bucket remembers the cancelled deadline), never past the truth.
  int wakeups = 0;
  while (log.empty()) {
    const TimeMs next = wheel.NextDeadline();
    ASSERT_GT(next, wheel.now());
    ASSERT_LE(next, kStart + 2 * kHourMs + 30 * kSecondMs);
    wheel.Advance(next);
    ++wakeups;
  }
  EXPECT_LE(wakeups, 8);
  EXPECT_EQ(log[0].now, kStart + 2 * kHourMs + 30 * kSecondMs);
}

TEST(TimingWheelTest, TimeGoingBackwardsIsANoOp) {
  TimingWheel wheel(kStart);
  std::vector<Fired> log;
  auto timers = MakeTimers(1, &log, &wheel);
  wheel.Schedule(timers[0].get(), kStart + 10, OnTimer);
  EXPECT_EQ(wheel.Advance(kStart + 5), 0u);
  EXPECT_EQ(wheel.Advance(kStart - 1000), 0u);
  EXPECT_EQ(wheel.now(), kStart + 5);
  EXPECT_EQ(wheel.NextDeadline(), kStart + 10);
  EXPECT_EQ(wheel.Advance(kStart + 10), 1u);
}

TEST(TimingWheelTest, DestroyingTheWheelDoesNotTouchNodes) {
  std::vector<Fired> log;
  auto wheel = std::make_unique<TimingWheel>(kStart);
  auto timers = MakeTimers(300, &log, wheel.get());
  for (auto& timer : timers) wheel->Schedule(timer.get(), kStart + timer->id * kMinuteMs, OnTimer);
  timers.clear();  // records gone first (ASan reports any later touch)
  wheel.reset();
  EXPECT_TRUE(log.empty());
}

TEST(TimingWheelTest, RepeatedRearmingDoesNotGrowMemory) {
  TimingWheel wheel(kStart);
  std::vector<Fired> log;
  auto timers = MakeTimers(2, &log, &wheel);
  wheel.Schedule(timers[0].get(), kStart + kHourMs, OnTimer);
  wheel.Schedule(timers[1].get(), kStart + kHourMs, OnTimer);
  const size_t before = wheel.MemoryBytes();
  for (int i = 0; i < 100000; ++i) wheel.Schedule(timers[1].get(), kStart + kHourMs, OnTimer);
  EXPECT_LE(wheel.MemoryBytes(), before + 2048);
  EXPECT_EQ(wheel.Advance(kStart + kHourMs), 2u);
}

TEST(TimingWheelTest, MemoryPerTimerStaysUnderBudget) {
  constexpr int kCount = 1'000'000;
  TimingWheel wheel(kStart);
  const size_t empty_bytes = wheel.MemoryBytes();
  std::vector<TimerNode> nodes(kCount);
  std::mt19937_64 random(3);
  TimerNode::Callback ignore = [](TimerNode*, TimeMs) {};
  for (TimerNode& node : nodes) {
    wheel.Schedule(&node, kStart + kSecondMs + static_cast<TimeMs>(random() % (10 * kHourMs)),
                   ignore);
  }
  const double per_timer =
      sizeof(TimerNode) + static_cast<double>(wheel.MemoryBytes()) / wheel.size();
  EXPECT_LE(per_timer, 48.0);
  for (TimerNode& node : nodes) wheel.Cancel(&node);
  EXPECT_TRUE(wheel.empty());
  EXPECT_LT(wheel.MemoryBytes(), empty_bytes + 16 * 1024);  // the burst's blocks go back
}

TEST(TimingWheelTest, HoldsTenMillionPendingTimers) {
  constexpr int kCount = 10'000'000;
  TimingWheel wheel(kStart);
  std::vector<TimerNode> nodes(kCount);
  std::mt19937_64 random(11);
  for (TimerNode& node : nodes) {
    const TimeMs deadline = kStart + 1 + static_cast<TimeMs>(random() % (2 * kMinuteMs));
    wheel.Schedule(&node, deadline, [](TimerNode* fired, TimeMs now) {
      static TimeMs last = 0;
      if (fired->deadline() < last || fired->deadline() > now) out_of_order_for_test = true;
      last = fired->deadline();
    });
  }
  EXPECT_EQ(wheel.size(), static_cast<size_t>(kCount));
  EXPECT_LE(wheel.NextDeadline(), kStart + 1);
  size_t fired = 0;
  for (TimeMs t = kStart + kSecondMs; t <= kStart + 2 * kMinuteMs; t += kSecondMs) {
    fired += wheel.Advance(t);
    EXPECT_EQ(wheel.size(), kCount - fired);
  }
  EXPECT_EQ(fired, static_cast<size_t>(kCount));
  EXPECT_FALSE(out_of_order_for_test);
  EXPECT_TRUE(wheel.empty());
}

// Randomized comparison with a std::multimap model, callbacks scheduling and cancelling
// arbitrary timers (including collected ones) while a sweep fires.
class ModelHarness {
 public:
  explicit ModelHarness(uint64_t seed) : random_(seed), wheel_(kStart), model_now_(kStart) {
    for (int i = 0; i < kTimers; ++i) {
      timers_.push_back(std::make_unique<Node>());
      timers_.back()->id = i;
      timers_.back()->harness = this;
    }
    state_.resize(kTimers);
  }

  void Run(int operations) {
    for (int op = 0; op < operations && !::testing::Test::HasFailure(); ++op) {
      const uint64_t pick = random_() % 100;
      if (pick < 45) {
        Schedule(RandomId(), model_now_ + RandomDelay());
      } else if (pick < 60) {
        Cancel(RandomId());
      } else if (pick < 75) {
        Advance(model_now_ + static_cast<TimeMs>(random_() % 50));
      } else if (pick < 85) {
        Advance(wheel_.NextDeadline() == kNoDeadline ? model_now_ : wheel_.NextDeadline());
      } else if (pick < 95) {
        Advance(model_now_ + RandomDelay());  // jumps, sometimes backwards
      } else {
        Advance(model_now_ + static_cast<TimeMs>(random_() % (61 * kDayMs)));
      }
      CheckInvariants();
    }
    quiet_ = true;  // callbacks stop re-arming: the end of time drains everything
    Advance(kNoDeadline);
    EXPECT_TRUE(wheel_.empty());
    EXPECT_TRUE(model_.empty());
    EXPECT_GT(fired_, 1000u);
  }

 private:
  static constexpr int kTimers = 600;
  struct Node : TimerNode {
    int id;
    ModelHarness* harness;
  };
  enum class Where { kIdle, kPending, kCollected };
  struct State {
    Where where = Where::kIdle;
    std::multimap<TimeMs, int>::iterator at;
  };

  int RandomId() { return static_cast<int>(random_() % kTimers); }

  DurationMs RandomDelay() {
    switch (random_() % 6) {
      case 0:
        return -static_cast<DurationMs>(random_() % 100);  // already due
      case 1:
        return static_cast<DurationMs>(random_() % 300);
      case 2:
        return static_cast<DurationMs>(random_() % (2 * kMinuteMs));
      case 3:
        return static_cast<DurationMs>(random_() % (6 * kHourMs));
      case 4:
        return static_cast<DurationMs>(random_() % (61 * kDayMs));
      default:  // a few shared deadlines: aligned, so timers of many ages meet in them
        return kHourMs - model_now_ % kHourMs + static_cast<DurationMs>(random_() % 3);
    }
  }

  static void OnFire(TimerNode* node, TimeMs now) {
    auto* timer = static_cast<Node*>(node);
    timer->harness->Fired(timer->id, node->deadline(), now);
  }

  void Fired(int id, TimeMs deadline, TimeMs now) {
    while (!collected_.empty() && state_[collected_.front()].where != Where::kCollected) {
      collected_.pop_front();
    }
    ASSERT_FALSE(collected_.empty()) << "timer " << id << " fired unexpectedly";
    ASSERT_EQ(collected_.front(), id);
    ASSERT_EQ(deadline, collected_deadline_[id]);
    ASSERT_EQ(now, model_now_);
    ASSERT_LE(deadline, now);
    collected_.pop_front();
    state_[id].where = Where::kIdle;
    ++fired_;
    ++fired_this_advance_;
    // Mess with other timers, collected ones included, and sometimes with itself.
    const int actions = quiet_ ? 0 : static_cast<int>(random_() % 3);
    for (int i = 0; i < actions; ++i) {
      if (random_() % 2 == 0) {
        Cancel(RandomId());
      } else {
        Schedule(random_() % 4 == 0 ? id : RandomId(), now + RandomDelay());
      }
    }
  }

  void Schedule(int id, TimeMs deadline) {
    Cancel(id);
    wheel_.Schedule(timers_[id].get(), deadline, OnFire);
    const TimeMs key = std::max(deadline, model_now_);
    state_[id].where = Where::kPending;
    state_[id].at = model_.emplace(key, id);  // after equal keys: arm order
    EXPECT_EQ(timers_[id]->deadline(), key);
  }

  void Cancel(int id) {
    wheel_.Cancel(timers_[id].get());
    if (state_[id].where == Where::kPending) model_.erase(state_[id].at);
    state_[id].where = Where::kIdle;
    EXPECT_FALSE(timers_[id]->armed());
  }

  void Advance(TimeMs now) {
    model_now_ = std::max(now, model_now_);
    for (auto it = model_.begin(); it != model_.end() && it->first <= model_now_;) {
      collected_.push_back(it->second);
      collected_deadline_[it->second] = it->first;
      state_[it->second].where = Where::kCollected;
      it = model_.erase(it);
    }
    fired_this_advance_ = 0;
    const size_t fired = wheel_.Advance(now);
    EXPECT_EQ(fired, fired_this_advance_);
    for (int id : collected_) EXPECT_NE(state_[id].where, Where::kCollected) << id;
    collected_.clear();
    EXPECT_EQ(wheel_.now(), model_now_);
  }

  void CheckInvariants() {
    EXPECT_EQ(wheel_.size(), model_.size());
    const TimeMs next = wheel_.NextDeadline();
    if (model_.empty()) {
      EXPECT_EQ(next, kNoDeadline);
      return;
    }
    const TimeMs earliest = model_.begin()->first;
    if (earliest <= model_now_) {
      EXPECT_EQ(next, model_now_);
    } else {
      EXPECT_GT(next, model_now_);
      EXPECT_LE(next, earliest);
      // Exact when the earliest timer is in the finest level.
      if (((earliest ^ model_now_) >> 8) == 0) {
        EXPECT_EQ(next, earliest);
      }
    }
  }

  std::mt19937_64 random_;
  TimingWheel wheel_;
  TimeMs model_now_;
  std::vector<std::unique_ptr<Node>> timers_;
  std::multimap<TimeMs, int> model_;
  std::vector<State> state_;
  std::deque<int> collected_;
  std::map<int, TimeMs> collected_deadline_;
  size_t fired_ = 0;
  size_t fired_this_advance_ = 0;
  bool quiet_ = false;
};

TEST(TimingWheelTest, MatchesReferenceModelUnderRandomOperations) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE(seed);
    ModelHarness harness(seed);
    harness.Run(60000);
  }
}

}  // namespace
}  // namespace hookfan::engine
