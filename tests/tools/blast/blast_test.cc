#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "tests/support/test_receiver.h"
#include "tests/tools/blast/in_process_sink.h"
#include "tools/blast/blast_options.h"
#include "tools/blast/blast_run.h"
#include "tools/sink/sink.h"

namespace hookfan::tools {
namespace {

constexpr char kSecret[] = "whsec_YSB0ZXN0IGtleSBvZiAyNCBieXRlcy4u";

BlastOptions Parse(const BlastFlags& flags) {
  StatusOr<BlastOptions> options = ParseBlastFlags(flags);
  HOOKFAN_CHECK(options.ok());
  return std::move(*options);
}

std::string ParseError(const BlastFlags& flags) {
  StatusOr<BlastOptions> options = ParseBlastFlags(flags);
  return options.ok() ? std::string("(accepted)") : options.status().message();
}

std::string WriteTempFile(const std::string& name, const std::string& content) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(BlastOptionsTest, ParsesRatesDurationsHeadersAndSigning) {
  BlastFlags flags;
  flags.url = "http://127.0.0.1:9/hook?x=1";
  flags.rate = "0.5";
  flags.count = "3";
  flags.workers = "2";
  flags.connections = "5";
  flags.secret = kSecret;
  flags.headers = {"X-Tenant: acme", "X-Trace:1"};
  BlastOptions options = Parse(flags);
  EXPECT_DOUBLE_EQ(options.rate, 0.5);
  EXPECT_EQ(options.count, 3u);
  EXPECT_EQ(options.ConnectionsOf(0), 3u);
  EXPECT_EQ(options.ConnectionsOf(1), 2u);
  ASSERT_TRUE(options.signer.has_value());
  EXPECT_EQ(options.signer->scheme(), engine::SigningScheme::kStandard);
  EXPECT_EQ(options.extra_headers, "X-Tenant: acme\r\nX-Trace: 1\r\n");
  EXPECT_EQ(options.url.path_and_query, "/hook?x=1");
  ASSERT_EQ(options.bodies.size(), 1u);
  EXPECT_EQ(options.bodies[0].payload.size(), 256u);
}

TEST(BlastOptionsTest, EventFilesGiveOneBodyPerLineWithTheirIds) {
  BlastFlags flags;
  flags.url = "http://127.0.0.1:9/";
  flags.rate = "10";
  flags.duration = "1s";
  flags.events = WriteTempFile("events_ok.ndjson",
                               "{\"id\":\"evt_1\",\"type\":\"a.b\",\"payload\":{\"n\":1}}\n\n"
                               "{\"type\":\"a.c\",\"payload\":[2]}\n");
  BlastOptions options = Parse(flags);
  ASSERT_EQ(options.bodies.size(), 2u);
  EXPECT_EQ(options.bodies[0].id, "evt_1");
  EXPECT_EQ(options.bodies[0].payload, "{\"n\":1}");
  EXPECT_EQ(options.bodies[1].payload, "[2]");
}

TEST(BlastOptionsTest, BadInputIsRefusedNamingTheFlag) {
  BlastFlags good;
  good.url = "http://127.0.0.1:9/";
  good.rate = "10";
  good.duration = "1s";
  ASSERT_EQ(ParseError(good), "(accepted)");
  struct Case {
    std::function<void(BlastFlags&)> change;
    std::string expected;  // a part of the message
  };
  const std::vector<Case> cases = {
      {[](BlastFlags& f) { f.url = "not a url"; }, "url:"},
      {[](BlastFlags& f) { f.url = "ftp://127.0.0.1/"; }, "unsupported scheme 'ftp'"},
      {[](BlastFlags& f) { f.url = "https://127.0.0.1/"; }, "url: unsupported scheme 'https'"},
      {[](BlastFlags& f) { f.rate = "0"; }, "--rate: must be positive"},
      {[](BlastFlags& f) { f.rate = "-5"; }, "--rate: must be positive"},
      {[](BlastFlags& f) { f.rate = "fast"; }, "--rate: \"fast\" is not a number"},
      {[](BlastFlags& f) { f.duration.clear(); }, "--duration: give --duration or --count"},
      {[](BlastFlags& f) { f.count = "10"; }, "not both"},
      {[](BlastFlags& f) { f.payload = "/nonexistent/body.json"; }, "--payload: cannot read"},
      {[](BlastFlags& f) { f.secret = "nope"; }, "--secret: must start with \"whsec_\""},
      {[](BlastFlags& f) { f.signing = "jwt"; }, "--signing: "},
      {[](BlastFlags& f) { f.signing = "standard"; }, "--secret: required"},
      {[](BlastFlags& f) { f.headers = {"NoColon"}; }, "--header:"},
      {[](BlastFlags& f) { f.workers = "4", f.connections = "2"; }, "--connections: must be"},
      {[](BlastFlags& f) { f.max_p99 = "soon"; }, "--max-p99:"},
      {[](BlastFlags& f) { f.max_error_rate = "2"; }, "--max-error-rate:"},
  };
  for (const Case& c : cases) {
    BlastFlags flags = good;
    c.change(flags);
    EXPECT_NE(ParseError(flags).find(c.expected), std::string::npos)
        << ParseError(flags) << " should contain " << c.expected;
  }
}

TEST(BlastOptionsTest, MalformedNdjsonReportsTheLineNumber) {
  StatusOr<std::vector<BlastBody>> bodies =
      ParseEventLines("{\"type\":\"a\",\"payload\":1}\n{\"type\":\"a\",\"payload\":\n");
  ASSERT_FALSE(bodies.ok());
  EXPECT_EQ(bodies.status().message().rfind("--events: line 2:", 0), 0u)
      << bodies.status().message();
}

TEST(BlastRunTest, OpenModelSendsAtThePlannedRate) {
  InProcessSink sink;
  BlastFlags flags;
  flags.url = sink.Url();
  flags.rate = "500";
  flags.duration = "2s";
  flags.workers = "2";
  flags.connections = "4";
  BlastSummary summary = RunBlast(Parse(flags), 500, false);
  // The schedule is exact: requests 0..999 are planned inside the 2 seconds.
  EXPECT_EQ(summary.result.planned, 1000u);
  EXPECT_EQ(summary.result.ok, 1000u);
  EXPECT_EQ(summary.result.dropped, 0u);
  EXPECT_NEAR(summary.achieved_rate, 500, 500 * 0.03);
  EXPECT_EQ(summary.result.corrected.count(), 1000u);
  EXPECT_EQ(sink.Stats().requests, 1000u);
}

TEST(BlastRunTest, RateBelowTheWorkerCountIsStillExact) {
  InProcessSink sink;
  BlastFlags flags;
  flags.url = sink.Url();
  flags.rate = "2";
  flags.duration = "1600ms";
  flags.workers = "4";
  flags.connections = "4";
  BlastSummary summary = RunBlast(Parse(flags), 2, false);
  // Planned at 0, 0.5, 1.0 and 1.5 s: one each for workers 0..3.
  EXPECT_EQ(summary.result.planned, 4u);
  EXPECT_EQ(summary.result.ok, 4u);
  EXPECT_EQ(sink.Stats().requests, 4u);
}

TEST(BlastRunTest, CorrectedLatencyShowsAStallThatUncorrectedHides) {
  std::atomic<int> seen{0};
  testing::TestReceiver receiver([&seen](const testing::ReceivedRequest&) {
    // The 50th request is held 300 ms; with one connection, the requests planned meanwhile
    // wait in the pool.
    return testing::ReceiverReply(200, {}, ++seen == 50 ? 300 : 0);
  });
  BlastFlags flags;
  flags.url = receiver.Url();
  flags.rate = "200";
  flags.count = "300";
  flags.connections = "1";
  BlastSummary summary = RunBlast(Parse(flags), 200, false);
  const BlastResult& r = summary.result;
  ASSERT_EQ(r.ok, 300u);
  EXPECT_GT(r.queued, 30u);
  // About 60 requests were planned during the stall: their corrected latency counts it.
  // (The receiver's 300 ms is a libuv timer from its cached loop time: it may answer up to
  // a millisecond early, measured from the send.)
  EXPECT_GE(r.corrected.max(), 298'000);
  EXPECT_GE(r.corrected.Percentile(90), 100'000);
  // Only the held request itself waited 300 ms once it was on the wire.
  EXPECT_GE(r.uncorrected.max(), 298'000);
  EXPECT_LT(r.uncorrected.Percentile(90), 100'000);
}

TEST(BlastRunTest, ClosedModelKeepsEveryConnectionBusy) {
  InProcessSink sink;
  BlastFlags flags;
  flags.url = sink.Url();
  flags.max = true;
  flags.count = "400";
  flags.connections = "4";
  flags.workers = "2";
  BlastOptions options = Parse(flags);
  BlastSummary summary = RunBlast(options, 0, false);
  EXPECT_EQ(summary.result.ok, 400u);
  EXPECT_EQ(summary.result.queued, 0u);  // never more requests than connections
  EXPECT_GT(summary.achieved_rate, 0);
  EXPECT_EQ(sink.Stats().requests, 400u);
}

TEST(BlastRunTest, SignsEveryRequestTheSinkVerifies) {
  SinkOptions sink_options;
  sink_options.secret = kSecret;
  InProcessSink sink(sink_options);
  BlastFlags flags;
  flags.url = sink.Url();
  flags.rate = "400";
  flags.count = "100";
  flags.secret = kSecret;
  BlastSummary summary = RunBlast(Parse(flags), 400, false);
  EXPECT_EQ(summary.result.by_status[200], 100u);
  EXPECT_EQ(sink.Stats().bad_signatures, 0u);
  EXPECT_EQ(sink.Stats().duplicates, 0u);
}

TEST(BlastRunTest, RetriesFollowThePolicyUntilDeadLetter) {
  testing::TestReceiver receiver(
      [](const testing::ReceivedRequest&) { return testing::ReceiverReply(500); });
  BlastFlags flags;
  flags.url = receiver.Url();
  flags.rate = "100";
  flags.count = "5";
  flags.retries = true;
  flags.retry_preset = "ionic";   // 1 + 3 retries, 30 min apart
  flags.retry_scale = "0.00005";  // 90 ms apart
  flags.secret = kSecret;
  BlastSummary summary = RunBlast(Parse(flags), 100, false);
  const BlastResult& r = summary.result;
  ASSERT_EQ(r.attempts_by_number.size(), 5u);
  for (int n = 1; n <= 4; ++n) EXPECT_EQ(r.attempts_by_number[n], 5u) << n;
  EXPECT_EQ(r.retries_sent, 15u);
  EXPECT_EQ(r.dead_letters, 5u);
  EXPECT_EQ(r.by_status[500], 20u);
  ASSERT_EQ(receiver.count(), 20u);
  // A retry keeps its webhook-id.
  std::vector<testing::ReceivedRequest> requests = receiver.Requests();
  std::map<std::string, int> per_id;
  for (const auto& request : requests) ++per_id[request.Header("webhook-id")];
  EXPECT_EQ(per_id.size(), 5u);
  for (const auto& [id, n] : per_id) EXPECT_EQ(n, 4) << id;
}

TEST(BlastRunTest, MaxErrorRateJudgesFinalOutcomesAfterRetries) {
  // Every request's first attempt gets a 503, its retry a 200: half the attempts fail, no
  // request does.
  std::mutex mutex;
  std::set<std::string> seen;
  testing::TestReceiver receiver([&](const testing::ReceivedRequest& request) {
    std::lock_guard lock(mutex);
    return testing::ReceiverReply(seen.insert(request.Header("webhook-id")).second ? 503 : 200);
  });
  BlastFlags flags;
  flags.url = receiver.Url();
  flags.rate = "200";
  flags.count = "60";
  flags.retries = true;
  flags.retry_scale = "0.0001";
  flags.secret = kSecret;
  flags.max_error_rate = "0";
  BlastSummary summary = RunBlast(Parse(flags), 200, false);
  const BlastResult& r = summary.result;
  EXPECT_EQ(r.completed, 120u);
  EXPECT_EQ(r.by_status[503], 60u);
  EXPECT_EQ(r.final_ok, 60u);
  EXPECT_EQ(r.final_failed, 0u);
  EXPECT_EQ(r.delivered_after_retry, 60u);
  EXPECT_DOUBLE_EQ(summary.attempt_error_rate, 0.5);
  EXPECT_DOUBLE_EQ(summary.final_error_rate, 0.0);
  EXPECT_TRUE(summary.threshold_failures.empty()) << summary.threshold_failures[0];
  // Without retries the same receiver fails half the requests, finally.
  seen.clear();
  flags.retries = false;
  BlastSummary plain = RunBlast(Parse(flags), 200, false);
  EXPECT_EQ(plain.result.final_failed, 60u);
  EXPECT_DOUBLE_EQ(plain.final_error_rate, 1.0);  // each id is new: all 60 get a 503
  ASSERT_EQ(plain.threshold_failures.size(), 1u);
  EXPECT_NE(plain.threshold_failures[0].find("final error rate"), std::string::npos);
}

TEST(BlastRunTest, FindMaxStopsBelowTheReceiversCapacity) {
  // 2 connections to a receiver that takes 20 ms per request: capacity 100/s.
  testing::TestReceiver receiver(
      [](const testing::ReceivedRequest&) { return testing::ReceiverReply(200, {}, 20); });
  BlastFlags flags;
  flags.url = receiver.Url();
  flags.find_max = true;
  flags.rate = "25";
  flags.duration = "300ms";
  flags.connections = "2";
  flags.p99_bound = "100ms";
  FindMaxResult found = FindMaxRate(Parse(flags), false);
  ASSERT_TRUE(found.best.has_value());
  EXPECT_GE(found.best->planned_rate, 25);
  EXPECT_LT(found.best->planned_rate, 200);
  EXPECT_GE(found.steps.size(), 3u);
}

// The real `hookfan blast` process: exit code, stdout, stderr.
struct ProcessResult {
  int code = -1;
  std::string out;
  std::string err;
};

ProcessResult RunHookfan(std::vector<std::string> args) {
  int out[2];
  int err[2];
  HOOKFAN_CHECK(pipe(out) == 0 && pipe(err) == 0);
  const pid_t pid = fork();
  HOOKFAN_CHECK(pid >= 0);
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]);
    close(err[0]);
    std::string binary = HOOKFAN_BINARY;
    std::vector<char*> argv{binary.data()};
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  ProcessResult result;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* into[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0 && poll(fds, 2, 30'000) > 0) {
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char chunk[4096];
      const ssize_t n = read(fds[i].fd, chunk, sizeof(chunk));
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        into[i]->append(chunk, static_cast<size_t>(n));
      }
    }
  }
  for (pollfd& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

TEST(BlastCommandTest, JsonReportHasTheDocumentedFields) {
  InProcessSink sink;
  ProcessResult run = RunHookfan(
      {"blast", sink.Url(), "--rate", "200", "--count", "50", "--json", "--secret", kSecret});
  ASSERT_EQ(run.code, 0) << run.err;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(run.out).get(root), simdjson::SUCCESS) << run.out;
  EXPECT_EQ(std::string_view(root["model"].get_string().value()), "open");
  EXPECT_EQ(root["url"].get_string().value(), sink.Url());
  EXPECT_EQ(root["workers"].get_uint64().value(), 1u);
  EXPECT_DOUBLE_EQ(root["rate"]["planned"].get_double().value(), 200.0);
  EXPECT_GT(root["rate"]["achieved"].get_double().value(), 0);
  EXPECT_EQ(root["requests"]["planned"].get_uint64().value(), 50u);
  EXPECT_EQ(root["requests"]["ok"].get_uint64().value(), 50u);
  for (const char* field :
       {"sent", "completed", "errors", "late", "queued", "dropped", "unfinished"}) {
    EXPECT_TRUE(root["requests"][field].is_uint64()) << field;
  }
  for (const char* kind : {"corrected", "uncorrected"}) {
    simdjson::dom::element latency = root["latency_us"][kind];
    EXPECT_EQ(latency["count"].get_uint64().value(), 50u) << kind;
    for (const char* p : {"min", "p50", "p90", "p99", "p99_9", "p99_99", "max"}) {
      EXPECT_TRUE(latency[p].is_int64()) << kind << " " << p;
    }
    EXPECT_LE(latency["p50"].get_int64().value(), latency["max"].get_int64().value());
  }
  EXPECT_EQ(root["status"]["200"].get_uint64().value(), 50u);
  EXPECT_TRUE(root["errors"].is_object());
  EXPECT_DOUBLE_EQ(root["error_rate"].get_double().value(), 0.0);
  EXPECT_DOUBLE_EQ(root["attempt_error_rate"].get_double().value(), 0.0);
  EXPECT_EQ(root["final"]["ok"].get_uint64().value(), 50u);
  EXPECT_EQ(root["final"]["failed"].get_uint64().value(), 0u);
  EXPECT_EQ(root["final"]["lost"].get_uint64().value(), 0u);
  EXPECT_TRUE(root["retries"].is_null());
  EXPECT_TRUE(root["thresholds"]["passed"].get_bool().value());
}

TEST(BlastCommandTest, ErrorRateAboveTheThresholdExitsOne) {
  SinkOptions sink_options;
  sink_options.fail_rate = 1;
  InProcessSink sink(sink_options);
  ProcessResult run = RunHookfan(
      {"blast", sink.Url(), "--rate", "200", "--count", "20", "--max-error-rate", "0.01"});
  EXPECT_EQ(run.code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("FAILED --max-error-rate"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("500=20"), std::string::npos) << run.out;
}

TEST(BlastCommandTest, P99AboveTheThresholdExitsOneAndWithinExitsZero) {
  SinkOptions sink_options;
  sink_options.latency_ms = 30;
  InProcessSink sink(sink_options);
  ProcessResult slow = RunHookfan(
      {"blast", sink.Url(), "--rate", "100", "--count", "10", "--max-p99", "10ms", "--json"});
  EXPECT_EQ(slow.code, 1) << slow.out << slow.err;
  EXPECT_NE(slow.out.find("--max-p99: corrected p99"), std::string::npos) << slow.out;
  ProcessResult fine =
      RunHookfan({"blast", sink.Url(), "--rate", "100", "--count", "10", "--max-p99", "10s"});
  EXPECT_EQ(fine.code, 0) << fine.out << fine.err;
}

TEST(BlastCommandTest, BadInputExitsTwoWithOneLineBeforeAnyTraffic) {
  const std::string ndjson =
      WriteTempFile("events_bad.ndjson", "{\"type\":\"a\",\"payload\":1}\n{oops}\n");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"blast", "http://127.0.0.1:1/", "--rate", "0", "--count", "1"}, "--rate"},
      {{"blast", "http://127.0.0.1:1/", "--rate", "-3", "--count", "1"}, "--rate"},
      {{"blast", "gopher://127.0.0.1:1/", "--rate", "1", "--count", "1"}, "scheme"},
      {{"blast", "http://127.0.0.1:1/", "--rate", "1"}, "--duration"},
      {{"blast", "http://127.0.0.1:1/", "--rate", "1", "--count", "1", "--payload", "/nope"},
       "--payload"},
      {{"blast", "http://127.0.0.1:1/", "--rate", "1", "--count", "1", "--events", ndjson},
       "line 2"},
      {{"blast", "http://127.0.0.1:1/", "--rate", "1", "--count", "1", "--secret", "bad"},
       "--secret"},
      {{"blast", "http://127.0.0.1:1/", "--stages", "10s1000"}, "--stages: stage 1"},
      {{"blast", "http://127.0.0.1:1/", "--stages", "1s@5,2s@x"}, "--stages: stage 2"},
      {{"blast", "http://127.0.0.1:1/", "--stages", "0s@5"}, "--stages: stage 1"},
      {{"blast", "http://127.0.0.1:1/", "--stages", "1s@5", "--duration", "2s"}, "--duration"},
      {{"blast", "http://127.0.0.1:1/", "--rate", "5:x", "--duration", "1s"}, "--rate"},
      {{"blast", "http://127.0.0.1:1/", "--rate", "0:0", "--duration", "1s"}, "--rate"},
      {{"blast", "http://127.0.0.1:1/", "--rate", "1:5", "--count", "3"}, "--rate"},
      {{"blast", "http://127.0.0.1:1/", "--rate", "1:5", "--max"}, "--rate"},
      {{"blast", "http://127.0.0.1:1/", "--rate", "1", "--count", "1", "--report",
        "/nonexistent/dir/report.html"},
       "--report: cannot write"},
      {{"blast", "http://127.0.0.1:1/", "--rate", "1", "--count", "1", "--hdr-log",
        "/nonexistent/dir/run.hlog"},
       "--hdr-log: cannot write"},
      {{"blast", "http://127.0.0.1:1/", "--find-max", "--p99-bound", "50ms", "--duration", "1s",
        "--hdr-log", "/nonexistent/dir/run.hlog"},
       "--hdr-log: not with --find-max"},
  };
  for (const auto& [args, expected] : cases) {
    ProcessResult run = RunHookfan(args);
    EXPECT_EQ(run.code, 2) << expected;
    EXPECT_EQ(run.out, "") << expected;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
    EXPECT_NE(run.err.find(expected), std::string::npos) << run.err;
  }
}

}  // namespace
}  // namespace hookfan::tools
