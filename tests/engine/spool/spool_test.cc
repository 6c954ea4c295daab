// The durable spool on a real temporary directory: what is appended and recorded comes back
// after a reopen (pending deliveries with attempts and due times, dead letters, finished
// events gone); torn and corrupt records are reported with what was kept; the disk budget
// refuses with kResourceExhausted and frees once events finish (segments deleted after a
// checkpoint); a write error is a Status, never a crash.
#include "engine/spool/spool.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace hookfan::engine::spool {
namespace {

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/hookfan_spool_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    options_.mode = SpoolMode::kDisk;
    options_.dir = std::string(pattern) + "/data";
    options_.segment_bytes = 64 * 1024;
    options_.max_bytes = 64 << 20;
    options_.commit_interval_ms = 1;
  }
  void TearDown() override {
    std::filesystem::remove_all(std::filesystem::path(options_.dir).parent_path());
  }

  std::unique_ptr<Spool> OpenSpool(SpoolTuning tuning = {}) {
    auto spool = Spool::Open(options_, true, tuning);
    EXPECT_TRUE(spool.ok()) << spool.status().ToString();
    if (!spool.ok()) return nullptr;
    return std::move(*spool);
  }
  static Event MakeTestEvent(int i) {
    Event event;
    event.id = "msg_" + std::to_string(i);
    event.type = "order.created";
    event.channels = {"eu"};
    event.payload = R"({"order":)" + std::to_string(i) + "}";
    event.received_unix_ms = 1700000000000 + i;
    event.owner = i % 2 ? "tenant" : "";
    return event;
  }
  // Appends and waits for durability; returns the sequence.
  static std::uint64_t AppendDurable(Spool& spool, const Event& event,
                                     const std::vector<std::string>& endpoints) {
    std::atomic<bool> done{false};
    Status result = Status::Internal("no callback");
    auto sequence = spool.AppendEvent(event, endpoints, [&](const Status& s) {
      result = s;
      done = true;
    });
    EXPECT_TRUE(sequence.ok()) << sequence.status().ToString();
    EXPECT_TRUE(spool.Flush().ok());
    EXPECT_TRUE(done.load());
    EXPECT_TRUE(result.ok()) << result.ToString();
    return sequence.ok() ? *sequence : 0;
  }
  std::vector<std::string> Segments() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(options_.dir)) {
      if (e.path().extension() == ".log") names.push_back(e.path().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  SpoolOptions options_;
};

TEST_F(SpoolTest, LiveDeliveriesRetriesAndDeadLettersSurviveAReopen) {
  std::uint64_t delivered_all = 0, retried = 0, dead = 0;
  {
    auto spool = OpenSpool();
    ASSERT_NE(spool, nullptr);
    spool->Start();
    delivered_all = AppendDurable(*spool, MakeTestEvent(1), {"a", "b"});
    retried = AppendDurable(*spool, MakeTestEvent(2), {"a", "b", "c"});
    dead = AppendDurable(*spool, MakeTestEvent(3), {"a"});
    spool->RecordDelivered(delivered_all, "a");
    spool->RecordDelivered(delivered_all, "b");
    spool->RecordDelivered(retried, "a");
    spool->RecordRetry(retried, "b", 3, 1700000999000);
    spool->RecordDeadLetter(dead, "a",
                            DeadLetterInfo{.letter_sequence = 9,
                                           .attempts = 5,
                                           .last_status = 500,
                                           .reason = "http_500",
                                           .unix_ms = 1700000000123});
    spool->RecordDelivered(12345, "nobody");  // unknown: ignored, not a failure
    ASSERT_TRUE(spool->Flush().ok());
    EXPECT_EQ(spool->Stats().pending_deliveries, 2u);
    EXPECT_EQ(spool->Stats().ignored_entries, 1u);
  }
  auto spool = OpenSpool();
  ASSERT_NE(spool, nullptr);
  const RecoveryReport& report = spool->recovery();
  EXPECT_EQ(report.events, 2u);
  EXPECT_EQ(report.pending_deliveries, 2u);
  EXPECT_EQ(report.dead_letters, 1u);
  EXPECT_TRUE(report.problems.empty()) << report.Summary();
  const LiveSet& live = spool->recovered();
  EXPECT_EQ(live.Find(delivered_all), nullptr) << "a finished event is not recovered";
  const LiveEvent* two = live.Find(retried);
  ASSERT_NE(two, nullptr);
  ASSERT_NE(two->event, nullptr);
  EXPECT_EQ(two->event->id, "msg_2");
  EXPECT_EQ(two->event->payload, R"({"order":2})");
  EXPECT_EQ(two->event->channels, std::vector<std::string>{"eu"});
  EXPECT_EQ(two->event->owner, "");
  EXPECT_EQ(two->event->received_unix_ms, 1700000000002);
  ASSERT_EQ(two->slots.size(), 3u);
  EXPECT_EQ(two->slots[0].state, SlotState::kDone);
  EXPECT_EQ(two->slots[1].state, SlotState::kPending);
  EXPECT_EQ(two->slots[1].attempts, 3);
  EXPECT_EQ(two->slots[1].due_unix_ms, 1700000999000);
  EXPECT_EQ(live.EndpointName(two->slots[1].endpoint), "b");
  EXPECT_EQ(two->slots[2].state, SlotState::kPending);
  EXPECT_EQ(two->slots[2].attempts, 0);
  const LiveEvent* three = live.Find(dead);
  ASSERT_NE(three, nullptr);
  EXPECT_EQ(three->event->owner, "tenant");
  const DeadLetterInfo* letter = live.DeadLetter(dead, 0);
  ASSERT_NE(letter, nullptr);
  EXPECT_EQ(letter->letter_sequence, 9u);
  EXPECT_EQ(letter->reason, "http_500");
  EXPECT_EQ(letter->last_status, 500);
  EXPECT_EQ(letter->attempts, 5u);
  // New sequences never reuse recovered ones.
  spool->Start();
  const std::uint64_t next = AppendDurable(*spool, MakeTestEvent(4), {"a"});
  EXPECT_GT(next, dead);
}

// The event-done signal (and a batch the engine refused) ends what is still pending of an
// event, but not its kept dead letter.
TEST_F(SpoolTest, EventDoneEndsPendingDeliveriesAndKeepsDeadLetters) {
  std::uint64_t gathered = 0, lettered = 0, untouched = 0;
  {
    auto spool = OpenSpool();
    ASSERT_NE(spool, nullptr);
    spool->Start();
    gathered = AppendDurable(*spool, MakeTestEvent(1), {"a", "b", "c"});
    lettered = AppendDurable(*spool, MakeTestEvent(2), {"a", "b"});
    untouched = AppendDurable(*spool, MakeTestEvent(3), {"a"});
    spool->RecordDelivered(gathered, "a");
    spool->RecordRetry(gathered, "b", 2, 1700000999000);
    spool->RecordEventDone(gathered);
    spool->RecordDeadLetter(lettered, "b",
                            DeadLetterInfo{.letter_sequence = 7,
                                           .attempts = 1,
                                           .last_status = 500,
                                           .reason = "http_500",
                                           .unix_ms = 1});
    spool->RecordEventDone(lettered);
    spool->RecordEventDone(gathered);  // again: nothing left, not an error
    ASSERT_TRUE(spool->Flush().ok());
    EXPECT_EQ(spool->Stats().pending_deliveries, 1u);
    EXPECT_EQ(spool->Stats().ignored_entries, 0u);
  }
  auto spool = OpenSpool();
  ASSERT_NE(spool, nullptr);
  const LiveSet& live = spool->recovered();
  EXPECT_EQ(live.Find(gathered), nullptr);
  const LiveEvent* two = live.Find(lettered);
  ASSERT_NE(two, nullptr);
  EXPECT_EQ(two->slots[0].state, SlotState::kDone);
  EXPECT_EQ(two->slots[1].state, SlotState::kDead);
  ASSERT_NE(live.Find(untouched), nullptr);
  EXPECT_EQ(live.Find(untouched)->slots[0].state, SlotState::kPending);
  ASSERT_NE(two->event, nullptr);
  EXPECT_EQ(two->event->spool_sequence, lettered) << "recovered events carry their sequence";
}

TEST_F(SpoolTest, FinishedSegmentsAreDeletedAfterACheckpointAndStateSurvivesIt) {
  SpoolTuning tuning;
  tuning.checkpoint_interval_ms = 0;
  std::uint64_t keeper = 0;
  {
    auto spool = OpenSpool(tuning);
    ASSERT_NE(spool, nullptr);
    spool->Start();
    keeper = AppendDurable(*spool, MakeTestEvent(0), {"slow", "fast"});
    std::vector<std::uint64_t> sequences;
    for (int i = 1; i < 5000; ++i) {  // about six 64 KiB segments
      auto s = spool->AppendEvent(MakeTestEvent(i), {"fast"}, nullptr);
      ASSERT_TRUE(s.ok());
      sequences.push_back(*s);
    }
    ASSERT_TRUE(spool->Flush().ok());
    const std::size_t before = Segments().size();
    EXPECT_GE(before, 4u);
    spool->RecordDelivered(keeper, "fast");
    spool->RecordRetry(keeper, "slow", 7, 1800000000000);  // in the first segment only
    for (std::uint64_t s : sequences) spool->RecordDelivered(s, "fast");
    ASSERT_TRUE(spool->Flush().ok());
    ASSERT_TRUE(spool->Flush().ok());  // the compaction after the commit has run
    const SpoolStats stats = spool->Stats();
    EXPECT_GE(stats.checkpoints, 1u);
    EXPECT_GE(stats.segments_deleted, before - 3) << "all but the first and the active go";
    EXPECT_TRUE(std::filesystem::exists(SegmentPath(options_.dir, 1))) << "keeper lives there";
  }
  auto spool = OpenSpool(tuning);
  ASSERT_NE(spool, nullptr);
  EXPECT_EQ(spool->recovery().events, 1u) << spool->recovery().Summary();
  EXPECT_EQ(spool->recovery().pending_deliveries, 1u);
  EXPECT_EQ(spool->recovery().retries_waiting, 1u);
  const LiveEvent* event = spool->recovered().Find(keeper);
  ASSERT_NE(event, nullptr);
  EXPECT_EQ(event->slots[0].attempts, 7) << "the retry record's segment may be gone; the "
                                            "checkpoint carried it";
  EXPECT_EQ(event->slots[0].due_unix_ms, 1800000000000);
  EXPECT_EQ(event->slots[1].state, SlotState::kDone);
}

TEST_F(SpoolTest, TornTailAndCorruptMiddleAreReportedWithWhatWasKept) {
  {
    auto spool = OpenSpool();
    ASSERT_NE(spool, nullptr);
    spool->Start();
    for (int i = 0; i < 100; ++i)
      ASSERT_TRUE(spool->AppendEvent(MakeTestEvent(i), {"a"}, nullptr).ok());
    ASSERT_TRUE(spool->Flush().ok());
  }
  ASSERT_EQ(Segments().size(), 1u);
  const std::string path = Segments()[0];
  auto contents = ReadSegment(path);
  ASSERT_TRUE(contents.ok());
  ASSERT_EQ(contents->scan.records.size(), 100u);
  const std::uint64_t record40 = contents->scan.records[40].offset;
  // A flipped byte in record 40, and the last record torn by a crash mid-write.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(record40 + kFrameHeaderBytes + 3));
    f.put('\x7f');
  }
  // The torn tail goes in a second segment so that both cases show in one recovery.
  std::filesystem::copy_file(path, SegmentPath(options_.dir, 2));
  std::filesystem::resize_file(SegmentPath(options_.dir, 2), contents->scan.records[10].offset + 7);
  auto spool = OpenSpool();
  ASSERT_NE(spool, nullptr);
  const RecoveryReport& report = spool->recovery();
  ASSERT_EQ(report.problems.size(), 2u) << report.Summary();
  EXPECT_NE(
      report.problems[0].find("segment 1: checksum mismatch at offset " + std::to_string(record40)),
      std::string::npos)
      << report.problems[0];
  EXPECT_NE(report.problems[0].find("corrupt, not a torn tail"), std::string::npos);
  EXPECT_NE(report.problems[0].find("40 records before it kept"), std::string::npos);
  EXPECT_NE(report.problems[1].find("segment 2: torn record header"), std::string::npos)
      << report.problems[1];
  EXPECT_NE(report.problems[1].find("torn tail"), std::string::npos);
  EXPECT_NE(report.Summary().find("skipped"), std::string::npos);
  // Records 0..39 of segment 1 are kept; segment 2 repeats sequences 1..10 (same events).
  EXPECT_EQ(report.events, 40u);
  for (std::uint64_t s = 1; s <= 40; ++s) EXPECT_NE(spool->recovered().Find(s), nullptr) << s;
  EXPECT_EQ(spool->recovered().Find(41), nullptr);
  EXPECT_EQ(std::filesystem::file_size(path), record40) << "cut at the corrupt record";
}

TEST_F(SpoolTest, BudgetRefusesWithResourceExhaustedAndResumesOnceEventsFinish) {
  options_.max_bytes = 256 * 1024;
  SpoolTuning tuning;
  tuning.checkpoint_interval_ms = 60000;  // only the budget may force the checkpoint
  auto spool = OpenSpool(tuning);
  ASSERT_NE(spool, nullptr);
  spool->Start();
  std::vector<std::uint64_t> accepted;
  Status refused;
  for (int i = 0; i < 100000 && refused.ok(); ++i) {
    auto s = spool->AppendEvent(MakeTestEvent(i), {"a", "b"}, nullptr);
    if (s.ok()) {
      accepted.push_back(*s);
    } else {
      refused = s.status();
    }
    if (i % 200 == 0) {
      ASSERT_TRUE(spool->Flush().ok());
    }
  }
  ASSERT_EQ(refused.code(), StatusCode::kResourceExhausted) << refused.ToString();
  EXPECT_NE(refused.message().find("spool.max_bytes"), std::string::npos);
  ASSERT_TRUE(spool->Flush().ok());
  EXPECT_EQ(spool->Stats().pending_deliveries, 2 * accepted.size()) << "nothing dropped";
  EXPECT_LE(spool->Stats().bytes, options_.max_bytes);
  EXPECT_FALSE(spool->AppendEvent(MakeTestEvent(-1), {"a"}, nullptr).ok());

  for (std::uint64_t s : accepted) {
    spool->RecordDelivered(s, "a");
    spool->RecordDelivered(s, "b");
  }
  ASSERT_TRUE(spool->Flush().ok());
  Status resumed = Status::Internal("never tried");
  for (int tries = 0; tries < 200 && !resumed.ok(); ++tries) {
    auto s = spool->AppendEvent(MakeTestEvent(-2), {"a"}, nullptr);
    resumed = s.ok() ? Status::Ok() : s.status();
    if (!resumed.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(resumed.ok()) << resumed.ToString();
  EXPECT_GE(spool->Stats().segments_deleted, 1u);
  EXPECT_GE(spool->Stats().budget_refusals, 1u);
}

TEST_F(SpoolTest, AWriteErrorIsAStatusAndTheEventIsNotAccepted) {
  // A file size limit makes write(2) fail with EFBIG, like a full disk, without root.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{16 * 1024, 16 * 1024};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    auto opened = Spool::Open(options_);
    if (!opened.ok()) ::_exit(3);
    Spool& spool = **opened;
    spool.Start();
    int failures = 0, successes = 0;
    for (int i = 0; i < 400; ++i) {
      std::atomic<int> result{-1};
      auto s = spool.AppendEvent(MakeTestEvent(i), {"a"},
                                 [&](const Status& st) { result = st.ok() ? 1 : 0; });
      if (!s.ok()) ::_exit(4);
      if (!spool.Flush().ok() && result.load() == 1) ::_exit(5);
      (result.load() == 1 ? successes : failures)++;
    }
    const bool reported =
        !spool.Health().ok() && spool.Health().message().find("cannot write") != std::string::npos;
    ::_exit(successes > 0 && failures > 0 && reported ? 0 : 6);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the writer crashed";
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // What was acknowledged is readable; the failed tail left no half frame.
  auto spool = OpenSpool();
  ASSERT_NE(spool, nullptr);
  EXPECT_TRUE(spool->recovery().problems.empty()) << spool->recovery().Summary();
  EXPECT_GT(spool->recovery().events, 0u);
}

TEST_F(SpoolTest, AWriterKilledMidStreamKeepsEveryEventWhoseCallbackFired) {
  for (FsyncPolicy policy : {FsyncPolicy::kBatch, FsyncPolicy::kNever}) {
    std::filesystem::remove_all(options_.dir);
    options_.fsync = policy;
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(pipe_fds[0]);
      auto opened = Spool::Open(options_);
      if (!opened.ok()) ::_exit(3);
      (*opened)->Start();
      for (int i = 0;; ++i) {  // until killed
        const int fd = pipe_fds[1];
        auto s = (*opened)->AppendEvent(MakeTestEvent(i), {"a", "b"}, [fd, i](const Status& st) {
          if (st.ok()) (void)!::write(fd, &i, sizeof i);  // acknowledged: must survive
        });
        if (!s.ok()) ::_exit(4);
        if (i % 3 == 0) (*opened)->RecordDelivered(*s, "a");
      }
    }
    ::close(pipe_fds[1]);
    std::vector<int> acknowledged;
    int value = 0;
    while (acknowledged.size() < 3000 &&
           ::read(pipe_fds[0], &value, sizeof value) == sizeof value) {
      acknowledged.push_back(value);
    }
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    while (::read(pipe_fds[0], &value, sizeof value) == sizeof value) acknowledged.push_back(value);
    ::close(pipe_fds[0]);
    ASSERT_GE(acknowledged.size(), 3000u);

    auto spool = OpenSpool();
    ASSERT_NE(spool, nullptr);
    std::set<std::string> recovered_ids;
    spool->recovered().ForEach(
        [&](std::uint64_t, const LiveEvent& e) { recovered_ids.insert(e.event->id); });
    std::size_t missing = 0;
    for (int i : acknowledged) missing += !recovered_ids.contains("msg_" + std::to_string(i));
    EXPECT_EQ(missing, 0u) << FsyncPolicyName(policy) << ": " << spool->recovery().Summary();
    spool.reset();
  }
}

TEST_F(SpoolTest, BadInputStopsWithOneLineNamingWhat) {
  {
    auto spool = OpenSpool();
    ASSERT_NE(spool, nullptr);
    // A second holder of the directory is refused while the first one runs.
    auto second = Spool::Open(options_);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(second.status().message().find("already in use"), std::string::npos);
    spool->Start();
    ASSERT_TRUE(spool->AppendEvent(MakeTestEvent(1), {"a"}, nullptr).ok());
    ASSERT_TRUE(spool->Flush().ok());
  }
  // A checkpoint behind a valid checksum that does not decode: refuse to guess.
  const std::string extra = SegmentPath(options_.dir, 90);
  {
    std::string framed;
    AppendFrame(RecordType::kCheckpoint, std::string("\x01\x01\x05\x01\x02\x09", 6), &framed);
    std::ofstream(extra, std::ios::binary) << framed;
  }
  auto corrupt = Spool::Open(options_);
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.status().code(), StatusCode::kFailedPrecondition);
  const std::string& message = corrupt.status().message();
  EXPECT_EQ(message.rfind("spool.dir " + options_.dir + ": recovery stopped: " + extra +
                              ": record at offset 0: corrupt checkpoint",
                          0),
            0u)
      << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << "one line";
  // A record type from a newer version: refused, the file left as it was.
  {
    std::string framed;
    AppendFrame(static_cast<RecordType>(77), "newer", &framed);
    std::ofstream(extra, std::ios::binary) << framed;
  }
  auto newer = Spool::Open(options_);
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.status().message().find("unknown record type 77"), std::string::npos)
      << newer.status().message();
  EXPECT_EQ(std::filesystem::file_size(extra), kFrameHeaderBytes + 5);
}

TEST_F(SpoolTest, ManyPendingDeliveriesRecover) {
  constexpr int kEvents = 20000;
  const std::vector<std::string> endpoints = {"e0", "e1", "e2", "e3", "e4",
                                              "e5", "e6", "e7", "e8", "e9"};
  options_.segment_bytes = 4 << 20;
  {
    auto spool = OpenSpool();
    ASSERT_NE(spool, nullptr);
    spool->Start();
    for (int i = 0; i < kEvents; ++i) {
      auto s = spool->AppendEvent(MakeTestEvent(i), endpoints, nullptr);
      ASSERT_TRUE(s.ok());
      if (i % 2 == 0) spool->RecordRetry(*s, "e3", 2, 1900000000000 + i);
    }
    ASSERT_TRUE(spool->Flush().ok());
  }
  auto spool = OpenSpool();
  ASSERT_NE(spool, nullptr);
  EXPECT_EQ(spool->recovery().pending_deliveries, 10u * kEvents);
  EXPECT_EQ(spool->recovery().retries_waiting, kEvents / 2u);
  EXPECT_EQ(spool->recovery().events, static_cast<std::uint64_t>(kEvents));
  std::size_t with_retry = 0;
  spool->recovered().ForEach(
      [&](std::uint64_t, const LiveEvent& e) { with_retry += e.slots[3].attempts == 2; });
  EXPECT_EQ(with_retry, kEvents / 2u);
}

}  // namespace
}  // namespace hookfan::engine::spool
