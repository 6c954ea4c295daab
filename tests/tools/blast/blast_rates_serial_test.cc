// The open model at the rates it exists for: sends leave on schedule and responses are read
// as they arrive, from 0.5/s to the client's closed-model maximum (issue 14: before the
// timerfd schedule, every rate of 1,000/s and more starved the loop's I/O polling and
// ended in total timeouts). Short runs against an in-process `hookfan sink` on loopback.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "tests/support/test_receiver.h"
#include "tests/tools/blast/in_process_sink.h"
#include "tests/tools/blast/nginx_receiver.h"
#include "tools/blast/blast_options.h"
#include "tools/blast/blast_run.h"

namespace hookfan::tools {
namespace {

BlastOptions Parse(const BlastFlags& flags) {
  StatusOr<BlastOptions> options = ParseBlastFlags(flags);
  HOOKFAN_CHECK(options.ok());
  return std::move(*options);
}

// What "the open model holds this rate" means, for a run of `planned` requests (one second
// or more). The assertions are the bug's signature, not timings: on a loaded 2-core machine
// running other test processes a woken thread may wait many milliseconds for a core, so
// how late sends are and how long responses take depend on the machine's load (the strict
// targets, late < 1% and corrected p99 < 5 ms at 100,000/s, are benchmarks:
// bench/net/blast_open_model.sh).
void ExpectHeld(const BlastSummary& summary, double rate, std::uint64_t planned) {
  const BlastResult& r = summary.result;
  EXPECT_EQ(r.planned, planned);
  // Nothing timed out (the starved loop ended most requests in total_timeout).
  EXPECT_EQ(r.ok, planned) << "errors: " << r.errors() << " unfinished " << r.unfinished;
  EXPECT_EQ(r.dropped, 0u);
  // Sends kept the planned pace: never faster, and not collapsed (a machine starved of CPU
  // stretches the window; the starved loop sent on time but read nothing).
  EXPECT_LE(summary.achieved_rate, rate * 1.01);
  EXPECT_GE(summary.achieved_rate, rate * 0.5);
  // Responses read as they arrive, while sends are still due: the starved loop read
  // almost none before the schedule was over (the receiver saw 16 requests per interval,
  // then all the rest in one burst at the end). Even with every send late by a loaded
  // machine's scheduling delays, most of the first second's requests are answered in it.
  ASSERT_FALSE(summary.timeline.empty());
  const BlastPoint& first = summary.timeline[0];
  EXPECT_GE(static_cast<double>(first.completed), 0.25 * static_cast<double>(first.sent))
      << first.completed << " of " << first.sent;
  ::testing::Test::RecordProperty("late", std::to_string(r.late));
  ::testing::Test::RecordProperty("corrected_p99_us", std::to_string(r.corrected.Percentile(99)));
}

TEST(BlastRatesTest, HalfARequestPerSecondLeavesTwoSecondsApart) {
  testing::TestReceiver receiver(
      [](const testing::ReceivedRequest&) { return testing::ReceiverReply(200); });
  BlastFlags flags;
  flags.url = receiver.Url();
  flags.rate = "0.5";
  flags.count = "2";
  BlastSummary summary = RunBlast(Parse(flags), 0.5, false);
  ASSERT_EQ(summary.result.ok, 2u);
  std::vector<testing::ReceivedRequest> requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 2u);
  const DurationMs gap = requests[1].at_ms - requests[0].at_ms;
  EXPECT_GE(gap, 1990);
  EXPECT_LE(gap, 2100);
  EXPECT_LE(summary.result.late, 1u);  // a woken thread may wait for a core on a busy machine
}

// One second of the open model at `rate` against the in-process sink: held, and every
// planned request reached the receiver.
void ExpectOpenModelHoldsForOneSecond(int rate, int connections) {
  InProcessSink sink;
  BlastFlags flags;
  flags.url = sink.Url();
  flags.rate = std::to_string(rate);
  flags.duration = "1s";
  flags.connections = std::to_string(connections);
  BlastSummary summary = RunBlast(Parse(flags), rate, false);
  ExpectHeld(summary, rate, static_cast<std::uint64_t>(rate));
  EXPECT_EQ(sink.Stats().requests, static_cast<std::uint64_t>(rate));
}

TEST(BlastRatesTest, OpenModelHolds2000PerSecond) { ExpectOpenModelHoldsForOneSecond(2000, 8); }

TEST(BlastRatesTest, OpenModelHolds20000PerSecond) { ExpectOpenModelHoldsForOneSecond(20000, 32); }

TEST(BlastRatesTest, OpenModelHoldsMostOfTheClosedModelMaximum) {
  // The highest rate this machine holds, whatever the build (ASan is several times slower):
  // the closed model's rate measured just before, less a margin for the noise of a shared
  // machine.
  InProcessSink sink;
  BlastFlags closed;
  closed.url = sink.Url();
  closed.max = true;
  closed.duration = "500ms";
  closed.connections = "32";
  const double max_rate = RunBlast(Parse(closed), 0, false).achieved_rate;
  ASSERT_GT(max_rate, 1000);
  const double rate = std::floor(max_rate * 0.5);
  BlastFlags open;
  open.url = sink.Url();
  open.rate = std::to_string(rate);
  open.duration = "1s";
  open.connections = "32";
  BlastSummary summary = RunBlast(Parse(open), rate, false);
  ExpectHeld(summary, rate, summary.result.planned);
  EXPECT_NEAR(static_cast<double>(summary.result.planned), rate, 1.0);
  RecordProperty("closed_max_rate", std::to_string(max_rate));
}

// With a generous p99 bound the limit --find-max reports must be the receiver's (the closed
// model's rate against it, measured just before), not the 1,000/s at which the starved
// schedule used to break. Returns the closed-model rate for the record.
double ExpectFindMaxReachesHalfOfMax(const std::string& url) {
  BlastFlags closed;
  closed.url = url;
  closed.max = true;
  closed.duration = "500ms";
  closed.connections = "32";
  const double max_rate = RunBlast(Parse(closed), 0, false).achieved_rate;
  EXPECT_GT(max_rate, 1000);
  BlastFlags flags;
  flags.url = url;
  flags.find_max = true;
  flags.rate = std::to_string(std::floor(max_rate / 16));
  flags.duration = "400ms";
  flags.connections = "32";
  flags.p99_bound = "250ms";
  FindMaxResult found = FindMaxRate(Parse(flags), false);
  EXPECT_TRUE(found.best.has_value());
  if (!found.best.has_value()) return max_rate;
  EXPECT_GE(found.best->planned_rate, 0.5 * max_rate) << "closed-model max " << max_rate;
  // The passing step really delivered at that rate: every request answered 200.
  EXPECT_EQ(found.best->result.ok, found.best->result.planned);
  // Doubling from max/16, the search must have gone past the old 1,000/s ceiling and kept
  // going until a step failed (the bound was reached) rather than stopping at the first.
  EXPECT_GE(found.steps.size(), 5u);
  return max_rate;
}

TEST(BlastRatesTest, FindMaxReportsTheSinksLimitNotBlasts) {
  InProcessSink sink;
  RecordProperty("closed_max_rate", std::to_string(ExpectFindMaxReachesHalfOfMax(sink.Url())));
}

TEST(BlastRatesTest, FindMaxReportsNginxsLimitNotBlasts) {
  NginxReceiver nginx;
  ASSERT_TRUE(nginx.ok()) << nginx.error();
  RecordProperty("closed_max_rate", std::to_string(ExpectFindMaxReachesHalfOfMax(nginx.Url())));
}

TEST(BlastRatesTest, LinearRampAndStagesFollowTheirRatePerSecond) {
  InProcessSink sink;
  BlastFlags ramp;
  ramp.url = sink.Url();
  ramp.rate = "1000:3000";  // 1,500 in the first second, 2,500 in the second
  ramp.duration = "2s";
  ramp.connections = "16";
  BlastOptions ramp_options = Parse(ramp);
  BlastSummary ramped = RunBlast(ramp_options, ramp_options.rate, false);
  EXPECT_EQ(ramped.result.planned, 4000u);
  EXPECT_EQ(ramped.result.ok, 4000u);
  ASSERT_GE(ramped.timeline.size(), 2u);
  EXPECT_NEAR(ramped.timeline[0].planned, 1500, 1);
  EXPECT_NEAR(ramped.timeline[1].planned, 2500, 1);
  // Sends per second follow the ramp. The tolerance is for a loaded machine, where sends
  // due at the end of a second may leave early in the next; a constant rate (2,000 and
  // 2,000) is still far outside it.
  EXPECT_NEAR(static_cast<double>(ramped.timeline[0].sent), 1500, 1500 * 0.15);
  EXPECT_NEAR(static_cast<double>(ramped.timeline[1].sent), 2500, 2500 * 0.15);

  BlastFlags staged;
  staged.url = sink.Url();
  staged.stages = "1s@2000,1s@2000,1s@0";  // up to 2,000/s, hold, down: 1,000 + 2,000 + 1,000
  staged.connections = "16";
  BlastOptions stage_options = Parse(staged);
  EXPECT_EQ(stage_options.duration_ms, 3000);
  BlastSummary summary = RunBlast(stage_options, stage_options.rate, false);
  EXPECT_EQ(summary.result.planned, 4000u);
  EXPECT_EQ(summary.result.ok, 4000u);
  ASSERT_GE(summary.timeline.size(), 3u);
  const double expected[] = {1000, 2000, 1000};
  for (int s = 0; s < 3; ++s) {
    EXPECT_NEAR(summary.timeline[s].planned, expected[s], 1) << s;
    EXPECT_NEAR(static_cast<double>(summary.timeline[s].sent), expected[s], expected[s] * 0.15)
        << s;
    EXPECT_GT(summary.timeline[s].completed, 0u);
    EXPECT_EQ(summary.timeline[s].errors, 0u);
    EXPECT_GT(summary.timeline[s].p99_us, 0);
  }
}

}  // namespace
}  // namespace hookfan::tools
