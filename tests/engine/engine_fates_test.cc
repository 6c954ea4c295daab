// Exactly one fate per accepted delivery, and exactly one "event done" per event: the
// sequences that used to lose or strand work (issue 9's defects 1-5, 7 and 9), each
// against real workers and real receivers on loopback.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "engine/hookfan.h"
#include "net/base/clock.h"
#include "tests/support/engine_fixture.h"
#include "tests/support/test_receiver.h"

namespace hookfan::engine {
namespace {

using hookfan::testing::EndpointFor;
using hookfan::testing::Outcomes;
using hookfan::testing::ReceivedRequest;
using hookfan::testing::ReceiverReply;
using hookfan::testing::TestReceiver;

// Counts on_event_done per event id, and checks each came after all its outcomes.
class DoneLog {
 public:
  void Outcome(const DeliveryOutcome& o) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++outcomes_[o.event.id];
  }
  void Done(const Event& event) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++done_[event.id];
    outcomes_at_done_[event.id] = outcomes_[event.id];
    changed_.notify_all();
  }
  bool WaitForEvents(std::size_t n, int timeout_ms = 10000) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                             [&] { return done_.size() >= n; });
  }
  int done(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    return done_.count(id) ? done_[id] : 0;
  }
  int outcomes_at_done(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    return outcomes_at_done_[id];
  }
  std::size_t events_done() {
    std::lock_guard<std::mutex> lock(mutex_);
    return done_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, int> outcomes_;
  std::map<std::string, int> done_;
  std::map<std::string, int> outcomes_at_done_;
};

struct Harness {
  Outcomes outcomes;
  DoneLog done;
  std::atomic<std::uint64_t> seq_of_last_dead_letter{0};
  std::unique_ptr<Engine> engine;

  explicit Harness(std::size_t max_dead_letters = 1000, int workers = 2) {
    EngineConfig config;
    config.workers = workers;
    config.seed = 7;
    config.max_dead_letters = max_dead_letters;
    config.http.connect_timeout = 2000;
    config.http.response_timeout = 5000;
    config.http.total_timeout = 10000;
    config.http.address_policy = testing::LoopbackAllowedPolicy();
    config.http.address_policy = testing::LoopbackAllowedPolicy();
    config.on_outcome = [this](const DeliveryOutcome& o) {
      if (o.fate == Fate::kDeadLettered) seq_of_last_dead_letter = o.dead_letter_sequence;
      done.Outcome(o);
      outcomes.Add(o);
    };
    config.on_event_done = [this](const Event& e) { done.Done(e); };
    auto started = Engine::Start(std::move(config));
    HOOKFAN_CHECK(started.ok());
    engine = std::move(*started);
  }
};

// Defect 1: the router used to stop matching a disabled endpoint, so events published
// after the disable were answered "accepted" and then vanished.
TEST(EngineFatesTest, EventsPublishedAfterAnEndpointIsDisabledAreDeadLettered) {
  TestReceiver failing([](const ReceivedRequest&) { return ReceiverReply{500}; });
  Harness h;
  EndpointConfig config = EndpointFor("flaky", failing.Url());
  config.disable_after_failures = 1;
  ASSERT_TRUE(h.engine->AddEndpoint(config).ok());
  ASSERT_TRUE(h.engine->Publish(MakeEvent("a", "{}")).ok());
  ASSERT_TRUE(h.outcomes.WaitFor(1));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(h.engine->Publish(MakeEvent("a", "{}")).ok());
  ASSERT_TRUE(h.outcomes.WaitFor(6));
  const auto records = h.outcomes.records();
  for (std::size_t i = 1; i < records.size(); ++i) {
    EXPECT_EQ(records[i].kind, DeliveryOutcome::Kind::kDeadLettered);
    EXPECT_EQ(records[i].reason, "endpoint_disabled");
  }
  EngineStats stats = h.engine->Stats();
  EXPECT_EQ(stats.published_events, 6u);
  EXPECT_EQ(stats.total.dead_lettered, 6u);
  EXPECT_EQ(stats.total.pending, 0u);
  EXPECT_FALSE(stats.endpoints[0].enabled);
  EXPECT_EQ(failing.count(), 1u);  // nothing is sent to a disabled endpoint
  ASSERT_TRUE(h.done.WaitForEvents(6));
}

// Defect 2: Stats held the engine's mutex while waiting on the workers; a worker disabling
// an endpoint, or an on_outcome that publishes, needed the same mutex.
TEST(EngineFatesTest, StatsNeverDeadlocksWithPublishesFromOnOutcomeOrDisables) {
  TestReceiver failing([](const ReceivedRequest&) { return ReceiverReply{500}; });
  TestReceiver ok([](const ReceivedRequest&) { return ReceiverReply{200}; });
  std::atomic<Engine*> self{nullptr};
  std::atomic<int> republished{0};
  EngineConfig config;
  config.workers = 2;
  config.http.address_policy = testing::LoopbackAllowedPolicy();
  config.on_outcome = [&](const DeliveryOutcome& o) {
    // Publish from inside on_outcome is allowed: a chain of follow-up events.
    if (o.event.type == "chain" && republished.fetch_add(1) < 300) {
      (void)self.load()->Publish(MakeEvent("chain", "{}"));
    }
  };
  auto engine = Engine::Start(std::move(config));
  ASSERT_TRUE(engine.ok());
  self = engine->get();
  for (int i = 0; i < 20; ++i) {
    EndpointConfig flaky = EndpointFor("flaky" + std::to_string(i), failing.Url(), {"chain"});
    flaky.disable_after_failures = 1;
    ASSERT_TRUE((*engine)->AddEndpoint(flaky).ok());
  }
  ASSERT_TRUE((*engine)->AddEndpoint(EndpointFor("ok", ok.Url(), {"chain"})).ok());
  auto stats_loop = std::async(std::launch::async, [&] {
    for (int i = 0; i < 300 && republished.load() < 300; ++i) {
      (void)(*engine)->Stats();
      (void)(*engine)->DeadLetters(10);
    }
  });
  ASSERT_TRUE((*engine)->Publish(MakeEvent("chain", "{}")).ok());
  ASSERT_EQ(stats_loop.wait_for(std::chrono::seconds(30)), std::future_status::ready)
      << "Stats/DeadLetters did not return: deadlock";
  for (int i = 0; i < 200 && republished.load() < 300; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE(republished.load(), 300);
}

// Defect 3: a removal used to overtake the deliveries published before it (dropped with no
// outcome), and an attempt in flight at the removal got no outcome either.
TEST(EngineFatesTest, RemoveEndpointGivesEveryQueuedDeliveryAnOutcome) {
  TestReceiver slow([](const ReceivedRequest&) { return ReceiverReply{200, {}, 5}; });
  Harness h;
  EndpointConfig config = EndpointFor("gone", slow.Url());
  config.max_in_flight = 1;
  ASSERT_TRUE(h.engine->AddEndpoint(config).ok());
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(h.engine->Publish(MakeEvent("a", "{}")).ok());
  ASSERT_TRUE(h.engine->RemoveEndpoint("gone").ok());
  ASSERT_TRUE(h.outcomes.WaitFor(200));
  int delivered = 0, removed = 0;
  for (const auto& record : h.outcomes.records()) {
    if (record.kind == DeliveryOutcome::Kind::kDelivered) ++delivered;
    if (record.reason == "endpoint_removed") ++removed;
  }
  EXPECT_EQ(delivered + removed, 200);
  EXPECT_GT(removed, 0);
  ASSERT_TRUE(h.done.WaitForEvents(200));
  EXPECT_EQ(h.engine->PendingDeliveries(), 0u);
}

TEST(EngineFatesTest, AnAttemptInFlightAtRemovalStillGetsItsOutcomeAndDrainWaitsForIt) {
  TestReceiver slow([](const ReceivedRequest&) { return ReceiverReply{200, {}, 400}; });
  Harness h;
  ASSERT_TRUE(h.engine->AddEndpoint(EndpointFor("a", slow.Url())).ok());
  ASSERT_TRUE(h.engine->Publish(MakeEvent("t", "{}")).ok());
  ASSERT_TRUE(slow.WaitForCount(1, 5000));
  ASSERT_TRUE(h.engine->RemoveEndpoint("a").ok());
  // The index is reused at once: the removed endpoint's attempt must still be waited for.
  TestReceiver other([](const ReceivedRequest&) { return ReceiverReply{200}; });
  ASSERT_TRUE(h.engine->AddEndpoint(EndpointFor("b", other.Url())).ok());
  DrainReport report = h.engine->DrainAndStop(5000);
  EXPECT_EQ(report.cancelled_in_flight, 0u);
  EXPECT_EQ(report.delivered_during_drain, 1u);
  ASSERT_TRUE(h.outcomes.WaitFor(1));
  EXPECT_EQ(h.outcomes.records()[0].kind, DeliveryOutcome::Kind::kDelivered);
}

// Defect 4: calls made while DrainAndStop runs used to post to a closed uv_async (abort).
TEST(EngineFatesTest, CallsDuringDrainAnswerInsteadOfAborting) {
  TestReceiver slow([](const ReceivedRequest&) { return ReceiverReply{200, {}, 300}; });
  Harness h;
  ASSERT_TRUE(h.engine->AddEndpoint(EndpointFor("a", slow.Url(), {"t"})).ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(h.engine->Publish(MakeEvent("t", "{}")).ok());
  ASSERT_TRUE(slow.WaitForCount(1, 5000));
  auto drain = std::async(std::launch::async, [&] { return h.engine->DrainAndStop(3000); });
  // Publish refuses once the drain has begun: from then on every call below runs during it.
  while (h.engine->Publish(MakeEvent("probe", "{}")).code() != StatusCode::kUnavailable) {
    ASSERT_NE(drain.wait_for(std::chrono::milliseconds(0)), std::future_status::ready);
  }
  int calls = 0;
  while (drain.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) {
    (void)h.engine->Stats();
    (void)h.engine->DeadLetters();
    EXPECT_FALSE(h.engine->SetEndpointEnabled("a", false).ok());
    EXPECT_FALSE(h.engine->RemoveEndpoint("a").ok());
    EXPECT_EQ(h.engine->Replay(1 << 8).code(), StatusCode::kUnavailable);
    ++calls;
  }
  EXPECT_GT(calls, 0);
  DrainReport report = drain.get();
  EXPECT_GE(report.delivered_during_drain, 4u);
  // After the stop too: answers from the final state, never an abort.
  EngineStats stats = h.engine->Stats();
  EXPECT_EQ(stats.total.delivered, report.delivered_during_drain);
  EXPECT_EQ(stats.total.pending, 0u);
  EXPECT_EQ(h.engine->RemoveEndpoint("a").code(), StatusCode::kUnavailable);
  EXPECT_EQ(h.engine->Publish(MakeEvent("t", "{}")).code(), StatusCode::kUnavailable);
}

// Defect 5: a 410 for a removed endpoint `a` used to disable the re-added `a` in the router.
TEST(EngineFatesTest, AGoneAnswerForARemovedEndpointLeavesItsSuccessorEnabled) {
  TestReceiver gone([](const ReceivedRequest&) { return ReceiverReply{410, {}, 300}; });
  TestReceiver ok([](const ReceivedRequest&) { return ReceiverReply{200}; });
  Harness h;
  ASSERT_TRUE(h.engine->AddEndpoint(EndpointFor("a", gone.Url())).ok());
  ASSERT_TRUE(h.engine->Publish(MakeEvent("t", "{}")).ok());
  ASSERT_TRUE(gone.WaitForCount(1, 5000));
  ASSERT_TRUE(h.engine->RemoveEndpoint("a").ok());
  ASSERT_TRUE(h.engine->AddEndpoint(EndpointFor("a", ok.Url())).ok());
  ASSERT_TRUE(h.outcomes.WaitFor(1));  // the old one's 410
  ASSERT_TRUE(h.engine->Publish(MakeEvent("t", "{}")).ok());
  ASSERT_TRUE(h.outcomes.WaitFor(2));
  EXPECT_EQ(h.outcomes.records()[1].kind, DeliveryOutcome::Kind::kDelivered);
  EngineStats stats = h.engine->Stats();
  ASSERT_EQ(stats.endpoints.size(), 1u);
  EXPECT_TRUE(stats.endpoints[0].enabled);
  EXPECT_EQ(ok.count(), 1u);
}

// Defect 7: one id rule at every entry point; a CR/LF never reaches a request header.
TEST(EngineFatesTest, PublishRefusesIdsAndTypesThatBreakTheRule) {
  TestReceiver ok([](const ReceivedRequest&) { return ReceiverReply{200}; });
  Harness h;
  ASSERT_TRUE(h.engine->AddEndpoint(EndpointFor("a", ok.Url())).ok());
  Status injected = h.engine->Publish(MakeEvent("t", "{}", "msg_1\r\nX-Evil: 1"));
  EXPECT_EQ(injected.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(injected.message(),
            "id: byte 0x0d at offset 5 is not allowed (only letters, digits and _ : -)");
  EXPECT_EQ(h.engine->Publish(MakeEvent("t", "{}", "msg.1")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(h.engine->Publish(MakeEvent("bad type", "{}")).code(), StatusCode::kInvalidArgument);
  const EventPtr batch[] = {MakeEvent("t", "{}"), MakeEvent("t", "{}", "a\nb")};
  Status refused = h.engine->PublishBatch(batch);
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("events[1]"), std::string::npos) << refused.message();
  ASSERT_TRUE(h.engine->Publish(MakeEvent("t", "{}", "msg_ok-1:2")).ok());
  ASSERT_TRUE(h.outcomes.WaitFor(1));
  EXPECT_EQ(ok.count(), 1u);  // the refused batch sent nothing
  EXPECT_EQ(h.engine->Stats().published_events, 1u);
}

// Defect 9: evictions are counted; a replay takes the letter out of the list (a second one
// is refused, never a second delivery) and refuses a disabled endpoint.
TEST(EngineFatesTest, DeadLettersCountEvictionsAndReplayOnlyOnce) {
  std::atomic<bool> failing{true};
  TestReceiver receiver(
      [&](const ReceivedRequest&) { return ReceiverReply{failing.load() ? 400 : 200}; });
  Harness h(/*max_dead_letters=*/2, /*workers=*/1);
  EndpointConfig config = EndpointFor("a", receiver.Url());
  config.retry = {};
  config.retry.attempts = 1;  // no retries: one request per dead letter
  config.retry.initial_delay = 10;
  ASSERT_TRUE(h.engine->AddEndpoint(config).ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(h.engine->Publish(MakeEvent("t", "{}")).ok());
  ASSERT_TRUE(h.outcomes.WaitFor(3));
  EngineStats stats = h.engine->Stats();
  EXPECT_EQ(stats.dead_letters_kept, 2u);
  EXPECT_EQ(stats.dead_letters_evicted, 1u);
  auto letters = h.engine->DeadLetters();
  ASSERT_EQ(letters.size(), 2u);
  EXPECT_EQ(h.seq_of_last_dead_letter.load(), letters[0].sequence);  // newest first

  failing = false;
  ASSERT_TRUE(h.engine->Replay(letters[0].sequence).ok());
  EXPECT_EQ(h.engine->Replay(letters[0].sequence).code(), StatusCode::kNotFound);
  ASSERT_TRUE(h.outcomes.WaitFor(4));
  EXPECT_EQ(h.outcomes.records()[3].kind, DeliveryOutcome::Kind::kDelivered);
  EXPECT_EQ(h.outcomes.records()[3].event_id, letters[0].event->id);

  ASSERT_TRUE(h.engine->SetEndpointEnabled("a", false).ok());
  EXPECT_EQ(h.engine->Replay(letters[1].sequence).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(h.engine->DeadLetters().size(), 1u);  // refused: still listed
  EXPECT_EQ(receiver.count(), 4u);
}

// The event-done signal: once per event, after all its outcomes; at once for an event that
// matched nothing; for each event a notification batch gathered; never for an event whose
// delivery was cancelled by shutdown.
TEST(EngineFatesTest, EachEventIsDoneExactlyOnceAfterAllItsOutcomes) {
  TestReceiver ok([](const ReceivedRequest&) { return ReceiverReply{200}; });
  TestReceiver failing([](const ReceivedRequest&) { return ReceiverReply{400}; });
  Harness h;
  ASSERT_TRUE(h.engine->AddEndpoint(EndpointFor("ok1", ok.Url(), {"t"})).ok());
  ASSERT_TRUE(h.engine->AddEndpoint(EndpointFor("ok2", ok.Url(), {"t"})).ok());
  ASSERT_TRUE(h.engine->AddEndpoint(EndpointFor("bad", failing.Url(), {"t"})).ok());
  EndpointConfig batch = EndpointFor("batch", ok.Url("/batch"), {"n"});
  batch.payload_mode = PayloadMode::kNotification;
  batch.notification.max_batch = 5;
  batch.notification.max_wait_ms = 60000;
  ASSERT_TRUE(h.engine->AddEndpoint(batch).ok());

  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    EventPtr event = MakeEvent("t", "{}");
    ids.push_back(event->id);
    ASSERT_TRUE(h.engine->Publish(event).ok());
  }
  EventPtr nobody = MakeEvent("unrouted", "{}");
  ASSERT_TRUE(h.engine->Publish(nobody).ok());
  EXPECT_EQ(h.done.done(nobody->id), 1);  // on the publishing thread, at once
  std::vector<std::string> gathered;
  for (int i = 0; i < 5; ++i) {
    EventPtr event = MakeEvent("n", "{}");
    gathered.push_back(event->id);
    ASSERT_TRUE(h.engine->Publish(event).ok());
  }
  ASSERT_TRUE(h.done.WaitForEvents(26));
  for (const std::string& id : ids) {
    EXPECT_EQ(h.done.done(id), 1) << id;
    EXPECT_EQ(h.done.outcomes_at_done(id), 3) << id;
  }
  for (const std::string& id : gathered) EXPECT_EQ(h.done.done(id), 1) << id;
  EXPECT_EQ(h.done.events_done(), 26u);
}

TEST(EngineFatesTest, AnEventCancelledByShutdownIsNotDone) {
  TestReceiver failing([](const ReceivedRequest&) { return ReceiverReply{500}; });
  Harness h;
  EndpointConfig config = EndpointFor("a", failing.Url());
  config.retry.delays = std::vector<DurationMs>{60000};  // the retry would be a minute away
  ASSERT_TRUE(h.engine->AddEndpoint(config).ok());
  EventPtr event = MakeEvent("t", "{}");
  ASSERT_TRUE(h.engine->Publish(event).ok());
  ASSERT_TRUE(failing.WaitForCount(1, 5000));
  for (int i = 0; i < 100 && h.engine->Stats().total.pending_retries == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  DrainReport report = h.engine->DrainAndStop(1000);
  EXPECT_EQ(report.still_pending, 1u);
  EXPECT_EQ(h.done.done(event->id), 0);
  EXPECT_TRUE(h.outcomes.records().empty());
}

// A spool's recovery: restored deliveries keep their attempt count and their due time,
// and a target whose endpoint is gone is dead-lettered so that the event still finishes.
TEST(EngineFatesTest, PublishTargetsKeepsAttemptsAndDueTimes) {
  TestReceiver ok([](const ReceivedRequest&) { return ReceiverReply{200}; });
  Harness h;
  ASSERT_TRUE(h.engine->AddEndpoint(EndpointFor("a", ok.Url())).ok());
  EventPtr event = MakeEvent("t", "{}");
  EXPECT_EQ(h.engine->MatchEndpoints(*event), std::vector<std::string>{"a"});
  const std::int64_t start_ms = WallNowMs();
  const Engine::Target targets[] = {{"a", 2, start_ms + 400}, {"deleted", 1, 0}};
  ASSERT_TRUE(h.engine->PublishTargets(event, targets).ok());
  ASSERT_TRUE(h.done.WaitForEvents(1));
  EXPECT_GE(WallNowMs() - start_ms, 350);  // not sent early
  ASSERT_EQ(ok.count(), 1u);
  EXPECT_EQ(ok.Requests()[0].Header("webhook-id"), event->id);
  std::map<std::string, Outcomes::Record> by_endpoint;
  for (const auto& record : h.outcomes.records()) by_endpoint.emplace(record.endpoint_id, record);
  EXPECT_EQ(by_endpoint.at("a").attempts, 3);
  EXPECT_EQ(by_endpoint.at("deleted").reason, "endpoint_removed");
  EXPECT_EQ(h.engine->DeadLetters().size(), 1u);
}

}  // namespace
}  // namespace hookfan::engine
