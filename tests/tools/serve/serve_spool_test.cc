// serve with its durable spool (the default): a restart keeps pending retries with their
// attempt counts and due times and sends overdue ones at once; dead letters survive; a second
// serve on the same spool stops with one line; at the disk budget ingest answers 503 and
// loses nothing, then resumes once deliveries finish; a write error is a 500 and a 503 from
// /healthz, never a crash or a 202 for what was not written; a corrupt segment is reported
// at recovery with what was kept; memory mode writes no log.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "tests/support/loopback_guard.h"
#include "tests/tools/serve/spool_serve.h"
#include "tests/tools/temp_files.h"

namespace hookfan {
namespace {

using test::AcceptedIds;
using test::ChildProcess;
using test::Http;
using test::MakeTempDir;
using test::RecordingReceiver;
using test::SpoolServe;
using test::StatsNumber;
using test::WaitUntil;

std::string Endpoint(const std::string& id, const std::string& url, const std::string& retry) {
  return "[[endpoints]]\nid = \"" + id + "\"\nurl = \"" + url + "\"\nretry = " + retry + "\n";
}

std::string Config(const std::string& endpoints, const std::string& spool = "") {
  return std::string(testing::kAllowLoopbackToml) +
         "[engine]\nworkers = 1\nshutdown_grace = \"0s\"\n[spool]\ncommit_interval = \"1ms\"\n" +
         spool + "\n" + endpoints;
}

std::vector<std::string> Post(int port, int events, std::size_t payload_bytes = 8) {
  std::string body = "[";
  for (int i = 0; i < events; ++i) {
    if (i > 0) body += ",";
    body += R"({"type":"order.paid","payload":")" + std::string(payload_bytes, 'x') + "\"}";
  }
  body += "]";
  return AcceptedIds(Http(port, "POST", "/v1/events", body));
}

std::vector<std::filesystem::path> Segments(const std::string& dir) {
  std::vector<std::filesystem::path> segments;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".log") segments.push_back(entry.path());
  }
  std::sort(segments.begin(), segments.end());
  return segments;
}

TEST(ServeSpoolTest, ARestartKeepsAttemptCountsAndDueTimesAndSendsOverdueRetriesAtOnce) {
  // Every delivery fails twice. "later" retries in an hour; "soon" after 1 s and has two
  // attempts in all, so its second one (after the restart) must dead-letter it: with the
  // attempt count lost it would retry a third time instead.
  RecordingReceiver receiver(/*failures=*/2);
  const std::string config =
      Config(Endpoint("later", receiver.Url("/later"),
                      R"({ attempts = 5, initial_delay = "1h", multiplier = 1.0, jitter = 0.0 })") +
             Endpoint("soon", receiver.Url("/soon"),
                      R"({ attempts = 2, initial_delay = "1s", multiplier = 1.0, jitter = 0.0 })"));
  SpoolServe serve(MakeTempDir(), config);
  const std::vector<std::string> ids = Post(serve.port(), 3);
  ASSERT_EQ(ids.size(), 3u);
  ASSERT_TRUE(WaitUntil([&] {
    return StatsNumber(serve.port(), {"total", "pending_retries"}) == 6;
  }));
  ASSERT_EQ(serve.Term(), 0) << serve.stderr_text();
  EXPECT_NE(serve.stderr_text().find("6 pending deliveries and 0 dead letters kept"),
            std::string::npos)
      << serve.stderr_text();
  // Let "soon"'s retries fall due while serve is down.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));

  ASSERT_TRUE(serve.Start());
  EXPECT_NE(serve.stderr_text().find("recovered 6 pending deliveries of 3 events (3 retries not "
                                     "yet due), 0 dead letters"),
            std::string::npos)
      << serve.stderr_text();
  // Overdue: sent at once, and dead-lettered by its (restored) second attempt.
  ASSERT_TRUE(WaitUntil([&] { return StatsNumber(serve.port(), {"dead_letters_kept"}) == 3; }))
      << serve.stderr_text();
  EXPECT_EQ(StatsNumber(serve.port(), {"total", "pending_retries"}), 3);
  const auto attempts = receiver.Attempts();
  for (const std::string& id : ids) {
    EXPECT_EQ(attempts.at({"/soon", id}), 2) << id;
    EXPECT_EQ(attempts.at({"/later", id}), 1) << id << ": due in an hour, not re-sent";
  }
  ASSERT_EQ(serve.Term(), 0);

  // Dead letters and the hour-long retries survive another restart, and the letters replay.
  ASSERT_TRUE(serve.Start());
  EXPECT_NE(serve.stderr_text().find("3 pending deliveries of 3 events (3 retries not yet due), "
                                     "3 dead letters"),
            std::string::npos)
      << serve.stderr_text();
  EXPECT_EQ(StatsNumber(serve.port(), {"dead_letters_kept"}), 3);
  EXPECT_EQ(StatsNumber(serve.port(), {"total", "pending_retries"}), 3);
  test::RawResponse replay =
      Http(serve.port(), "POST", "/v1/dead-letters/replay", R"({"endpoint":"soon"})");
  EXPECT_EQ(replay.status, 200) << replay.body;
  // "soon" x 3: the third attempt succeeds. Counted by serve, not only seen by the receiver:
  // an attempt still in flight at the SIGTERM below would rightly be sent again.
  ASSERT_TRUE(WaitUntil([&] {
    return StatsNumber(serve.port(), {"total", "delivered"}) == 3;
  })) << replay.body;
  EXPECT_EQ(receiver.Delivered().size(), 3u);
  ASSERT_EQ(serve.Term(), 0);
  ASSERT_TRUE(serve.Start());
  EXPECT_NE(serve.stderr_text().find("3 pending deliveries of 3 events (3 retries not yet due), "
                                     "0 dead letters"),
            std::string::npos)
      << "replayed and delivered letters are gone: " << serve.stderr_text();
}

TEST(ServeSpoolTest, ADeadLetterEvictedFromAFullListIsForgottenByTheSpoolToo) {
  // Otherwise each evicted letter would keep its event, and its segment, for ever, and come
  // back at every start.
  RecordingReceiver receiver;
  receiver.SetFailing(true);
  const std::string config =
      "[engine]\nworkers = 1\nmax_dead_letters = 2\nshutdown_grace = \"0s\"\n" +
      Endpoint("a", receiver.Url("/a"), "{ attempts = 1 }");
  SpoolServe serve(MakeTempDir(), config);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(Post(serve.port(), 1).size(), 1u);
  ASSERT_TRUE(WaitUntil([&] { return StatsNumber(serve.port(), {"dead_letters_evicted"}) == 3; }));
  ASSERT_EQ(serve.Term(), 0);
  EXPECT_NE(serve.stderr_text().find("0 pending deliveries and 2 dead letters kept"),
            std::string::npos)
      << serve.stderr_text();
  ASSERT_TRUE(serve.Start());
  EXPECT_NE(serve.stderr_text().find("recovered 0 pending deliveries of 2 events (0 retries not "
                                     "yet due), 2 dead letters"),
            std::string::npos)
      << serve.stderr_text();
  EXPECT_EQ(StatsNumber(serve.port(), {"dead_letters_kept"}), 2);
}

TEST(ServeSpoolTest, ASecondServeOnTheSameSpoolStopsWithOneLine) {
  RecordingReceiver receiver;
  const std::string dir = MakeTempDir();
  SpoolServe serve(dir, Config(Endpoint("a", receiver.Url("/a"), "{ attempts = 1 }")));
  ChildProcess second(
      {HOOKFAN_BINARY, "serve", "--config", dir + "/hookfan.toml", "--listen", "127.0.0.1:0"}, dir);
  EXPECT_EQ(second.Wait(), 2);
  EXPECT_EQ(second.stderr_text(),
            "hookfan serve: spool.dir hookfan-data: already in use by another hookfan process "
            "(hookfan-data/LOCK is locked)\n");
  EXPECT_EQ(Post(serve.port(), 1).size(), 1u) << "the first one is unaffected";
}

TEST(ServeSpoolTest, MemoryModeWritesNoLog) {
  RecordingReceiver receiver;
  SpoolServe serve(MakeTempDir(), Config(Endpoint("a", receiver.Url("/a"), "{ attempts = 1 }"),
                                         "mode = \"memory\""));
  ASSERT_EQ(Post(serve.port(), 2).size(), 2u);
  ASSERT_TRUE(WaitUntil([&] { return receiver.Delivered().size() == 2; }));
  ASSERT_EQ(serve.Term(), 0);
  if (std::filesystem::exists(serve.spool_dir())) {
    EXPECT_TRUE(Segments(serve.spool_dir()).empty());
    EXPECT_FALSE(std::filesystem::exists(serve.spool_dir() + "/LOCK"));
  }
  EXPECT_EQ(serve.stderr_text().find("spool hookfan-data"), std::string::npos);
}

TEST(ServeSpoolTest, AtTheDiskBudgetIngestAnswers503LosesNothingAndResumesOnceSpaceIsFreed) {
  RecordingReceiver receiver;
  receiver.SetFailing(true);
  SpoolServe serve(
      MakeTempDir(),
      Config(
          Endpoint("a", receiver.Url("/a"),
                   R"({ attempts = 100, initial_delay = "50ms", multiplier = 1.0, jitter = 0.0 })"),
          "max_bytes = \"1MiB\"\nsegment_bytes = \"64KiB\""));
  std::set<std::string> accepted;
  test::RawResponse refused;
  for (int i = 0; i < 400 && refused.status == 0; ++i) {
    std::string body = R"({"type":"order.paid","payload":")" + std::string(8000, 'x') + "\"}";
    test::RawResponse response = Http(serve.port(), "POST", "/v1/events", body);
    if (response.status == 202) {
      for (const std::string& id : AcceptedIds(response)) accepted.insert(id);
    } else {
      refused = response;
    }
  }
  ASSERT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.Header("retry-after"), "1");
  EXPECT_NE(refused.body.find("spool.max_bytes"), std::string::npos) << refused.body;
  const std::string metrics = Http(serve.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("\nhookfan_spool_budget_refusals_total 1\n"), std::string::npos)
      << metrics;
  EXPECT_GT(accepted.size(), 64u) << "1 MiB holds more than 64 events of 8 KB";

  receiver.SetFailing(false);
  ASSERT_TRUE(WaitUntil([&] { return receiver.Delivered().size() == accepted.size(); }, 15000))
      << receiver.Delivered().size() << " of " << accepted.size();
  for (const auto& [key, count] : receiver.Delivered()) {
    EXPECT_TRUE(accepted.contains(key.second)) << key.second;
  }
  // Finished segments go at the next checkpoint: ingest takes events again.
  ASSERT_TRUE(WaitUntil([&] { return Post(serve.port(), 1, 8000).size() == 1; }, 15000));
  EXPECT_EQ(Http(serve.port(), "GET", "/healthz").status, 200);
}

TEST(ServeSpoolTest, AWriteErrorIsA500AndHealthzSaysSoAndEvery202SurvivesIt) {
  // A file size limit (prlimit --fsize) makes the spool's writes fail with EFBIG once its
  // segment reaches it, as a full disk would; SIGXFSZ is ignored so that the write fails
  // instead of killing serve (the child inherits the disposition).
  ::signal(SIGXFSZ, SIG_IGN);
  RecordingReceiver receiver;
  receiver.SetFailing(true);
  SpoolServe serve(
      MakeTempDir(),
      Config(Endpoint("a", receiver.Url("/a"),
                      R"({ attempts = 100, initial_delay = "200ms", multiplier = 1.0 })")),
      {"/usr/bin/prlimit", "--fsize=131072", "--"});
  std::set<std::string> accepted;
  test::RawResponse failed;
  for (int i = 0; i < 400 && failed.status == 0; ++i) {
    std::string body = R"({"type":"order.paid","payload":")" + std::string(1000, 'x') + "\"}";
    test::RawResponse response = Http(serve.port(), "POST", "/v1/events", body);
    if (response.status == 202) {
      for (const std::string& id : AcceptedIds(response)) accepted.insert(id);
    } else {
      failed = response;
    }
  }
  ASSERT_EQ(failed.status, 500) << failed.body;
  EXPECT_NE(failed.body.find("File too large"), std::string::npos) << failed.body;
  test::RawResponse health = Http(serve.port(), "GET", "/healthz");
  EXPECT_EQ(health.status, 503);
  EXPECT_NE(health.body.find(R"("status":"error")"), std::string::npos) << health.body;
  EXPECT_NE(health.body.find("File too large"), std::string::npos) << health.body;
  EXPECT_EQ(
      Http(serve.port(), "GET", "/metrics").body.find("\nhookfan_spool_write_errors_total 0\n"),
      std::string::npos);
  EXPECT_GT(accepted.size(), 20u);
  ASSERT_EQ(serve.Term(), 0) << "no crash: " << serve.stderr_text();

  // Without the limit: every event answered 202 is there, and is delivered.
  serve.SetWrapper({});
  ASSERT_TRUE(serve.Start());
  EXPECT_NE(serve.stderr_text().find("nothing skipped"), std::string::npos) << serve.stderr_text();
  EXPECT_EQ(Http(serve.port(), "GET", "/healthz").status, 200);
  receiver.SetFailing(false);
  ASSERT_TRUE(WaitUntil([&] {
    const auto delivered = receiver.Delivered();
    for (const std::string& id : accepted) {
      if (!delivered.contains({"/a", id})) return false;
    }
    return true;
  })) << receiver.Delivered().size()
      << " of " << accepted.size() << "\n"
      << serve.stderr_text();
}

TEST(ServeSpoolTest, ACorruptSegmentIsReportedAtRecoveryWithWhatWasKept) {
  RecordingReceiver receiver;
  receiver.SetFailing(true);
  SpoolServe serve(MakeTempDir(),
                   Config(Endpoint("a", receiver.Url("/a"),
                                   R"({ attempts = 5, initial_delay = "1h", multiplier = 1.0 })")));
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    for (const std::string& id : Post(serve.port(), 1, 1000)) ids.push_back(id);
  }
  ASSERT_EQ(ids.size(), 40u);
  ASSERT_EQ(serve.Term(), 0);
  const std::vector<std::filesystem::path> segments = Segments(serve.spool_dir());
  ASSERT_EQ(segments.size(), 1u);
  const std::uintmax_t size = std::filesystem::file_size(segments[0]);
  {
    std::fstream file(segments[0], std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(size / 2));
    file.put('\x5a');
  }
  // And a torn tail: the last bytes of the last record gone.
  std::filesystem::resize_file(segments[0], size - 3);

  ASSERT_TRUE(serve.Start());
  const std::string log = serve.stderr_text();
  EXPECT_EQ(log.find("nothing skipped"), std::string::npos) << log;
  EXPECT_NE(log.find("skipped"), std::string::npos) << log;
  EXPECT_NE(log.find("segment 1"), std::string::npos) << log;
  // What precedes the flipped byte is kept and delivered again.
  const std::int64_t pending = StatsNumber(serve.port(), {"total", "pending"});
  EXPECT_GT(pending, 5) << log;
  EXPECT_LT(pending, 40) << log;
}

}  // namespace
}  // namespace hookfan
