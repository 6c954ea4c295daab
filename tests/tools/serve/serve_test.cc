// `hookfan serve` end to end: the real binary on 127.0.0.1 port 0, endpoints pointing at a
// scripted receiver in this process, and a raw HTTP/1.1 client speaking to its API.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "engine/signing/signer.h"
#include "tests/net/raw_http_client.h"
#include "tests/support/loopback_guard.h"
#include "tests/support/test_receiver.h"
#include "tests/tools/child_process.h"
#include "tests/tools/temp_files.h"

namespace hookfan::tools {
namespace {

using hookfan::test::ChildProcess;
using hookfan::test::MakeTempDir;
using hookfan::test::RawHttpClient;
using hookfan::test::RawResponse;
using hookfan::test::WriteTempFile;
using hookfan::testing::kAllowLoopbackToml;
using hookfan::testing::ReceivedRequest;
using hookfan::testing::ReceiverReply;
using hookfan::testing::TestReceiver;

constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

// A config with one endpoint "orders" at `url`; `extra` is appended to [engine] and [ingest].
std::string Config(const std::string& url, const std::string& engine_extra = "",
                   const std::string& ingest_extra = "") {
  return std::string(kAllowLoopbackToml) + "[engine]\nworkers = 1\nshutdown_grace = \"2s\"\n" +
         engine_extra + "\n[ingest]\nmax_payload_bytes = 64\nmax_batch_events = 3\n" +
         ingest_extra + "\n[[endpoints]]\nid = \"orders\"\nurl = \"" + url + "\"\nsecret = \"" +
         kSecret + "\"\nretry = { delays = [\"10ms\"] }\n";
}

RawResponse Http(int port, std::string_view method, std::string_view path,
                 std::string_view body = {}) {
  RawHttpClient client(port);
  EXPECT_TRUE(client.connected());
  std::string request = std::string(method) + " " + std::string(path) +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!body.empty() || method == "POST") {
    request +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n";
  request += body;
  EXPECT_TRUE(client.Send(request));
  std::optional<RawResponse> response = client.ReadResponse();
  EXPECT_TRUE(response.has_value()) << method << " " << path << ": no response";
  return response.value_or(RawResponse{});
}

// The "message" of a {"error":{"status":N,"message":"..."}} body, checking its status.
std::string ErrorMessage(const RawResponse& response) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(response.body).get(root)) return "(not JSON: " + response.body + ")";
  int64_t status = 0;
  std::string_view message;
  if (root["error"]["status"].get(status) || root["error"]["message"].get(message)) {
    return "(not an error body: " + response.body + ")";
  }
  EXPECT_EQ(status, response.status);
  EXPECT_EQ(response.Header("content-type"), "application/json");
  return std::string(message);
}

// The ids of a 202 {"accepted":N,"ids":[...]} body, checking N.
std::vector<std::string> AcceptedIds(const RawResponse& response) {
  EXPECT_EQ(response.status, 202) << response.body;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::vector<std::string> ids;
  if (parser.parse(response.body).get(root)) return ids;
  uint64_t accepted = 0;
  EXPECT_FALSE(root["accepted"].get(accepted));
  simdjson::dom::array array;
  EXPECT_FALSE(root["ids"].get(array));
  for (simdjson::dom::element id : array) ids.emplace_back(std::string_view(id.get_string()));
  EXPECT_EQ(accepted, ids.size());
  return ids;
}

// A running `hookfan serve`; the destructor stops it with SIGTERM and checks a clean exit.
class Serve {
 public:
  explicit Serve(const std::string& config_text)
      : config_path_(WriteTempFile("hookfan.toml", config_text)),
        process_({HOOKFAN_BINARY, "serve", "--config", config_path_, "--listen", "127.0.0.1:0"},
                 MakeTempDir()) {
    std::optional<std::string> line = process_.ReadStdoutLine();
    EXPECT_TRUE(line.has_value()) << process_.stderr_text();
    constexpr std::string_view kPrefix = "hookfan serve: listening on 127.0.0.1:";
    if (line && line->starts_with(kPrefix)) port_ = std::atoi(line->c_str() + kPrefix.size());
    EXPECT_GT(port_, 0) << "the listening line names the bound port: " << line.value_or("");
  }
  Serve(const Serve&) = delete;
  Serve& operator=(const Serve&) = delete;
  ~Serve() {
    if (!stopped_) Stop();
  }

  int port() const { return port_; }

  // SIGTERM; returns the drain summary line after checking exit status 0.
  std::string Stop() {
    stopped_ = true;
    process_.Signal(SIGTERM);
    EXPECT_EQ(process_.Wait(), 0) << process_.stderr_text();
    const std::string& out = process_.stdout_text();
    const std::size_t start = out.find("hookfan serve: stopped;");
    EXPECT_NE(start, std::string::npos) << out;
    return start == std::string::npos ? "" : out.substr(start, out.find('\n', start) - start);
  }
  const std::string& stderr_text() const { return process_.stderr_text(); }

  // Polls GET /v1/stats until `done` holds for its parsed body (bounded: 5000 tries).
  template <typename Predicate>
  bool WaitForStats(Predicate done) {
    for (int i = 0; i < 5000; ++i) {
      RawResponse response = Http(port_, "GET", "/v1/stats");
      simdjson::dom::parser parser;
      simdjson::dom::element root;
      if (response.status == 200 && !parser.parse(response.body).get(root) && done(root)) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }
  bool WaitForDelivered(uint64_t n) {
    return WaitForStats([n](simdjson::dom::element stats) {
      uint64_t delivered = 0;
      return !stats["total"]["delivered"].get(delivered) && delivered >= n;
    });
  }

 private:
  std::string config_path_;
  ChildProcess process_;
  int port_ = 0;
  bool stopped_ = false;
};

TestReceiver::Handler AlwaysOk() {
  return [](const ReceivedRequest&) { return ReceiverReply{200}; };
}

TEST(ServeTest, PrintsTheBoundPortAndAnswersHealthz) {
  TestReceiver receiver(AlwaysOk());
  Serve serve(Config(receiver.Url()));
  RawResponse health = Http(serve.port(), "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"ok"})");
}

TEST(ServeTest, DeliversOneEventByteForByteWithAValidSignature) {
  TestReceiver receiver(AlwaysOk());
  Serve serve(Config(receiver.Url("/hooks")));
  const std::string payload = R"({"order": 42,  "note":"caf\u00e9"})";
  RawResponse response = Http(serve.port(), "POST", "/v1/events",
                              R"({"type":"order.paid","payload":)" + payload + "}");
  std::vector<std::string> ids = AcceptedIds(response);
  ASSERT_EQ(ids.size(), 1u);

  ASSERT_TRUE(receiver.WaitForCount(1, 5000));
  const ReceivedRequest request = receiver.Requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/hooks");
  EXPECT_EQ(request.body, payload);
  EXPECT_EQ(request.Header("webhook-id"), ids[0]);
  StatusOr<bool> verified = engine::VerifyStandardSignature(
      kSecret, request.Header("webhook-id"), request.Header("webhook-timestamp"), request.body,
      request.Header("webhook-signature"));
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(*verified) << request.Header("webhook-signature");
}

TEST(ServeTest, AcceptsAnArrayAndDeliversEveryEvent) {
  TestReceiver receiver(AlwaysOk());
  Serve serve(Config(receiver.Url()));
  RawResponse response = Http(serve.port(), "POST", "/v1/events",
                              R"([{"type":"a","payload":1},{"id":"evt_b","type":"b","payload":2},)"
                              R"({"type":"c","payload":3}])");
  std::vector<std::string> ids = AcceptedIds(response);
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[1], "evt_b");

  ASSERT_TRUE(receiver.WaitForCount(3, 5000));
  std::set<std::string> received;
  for (const ReceivedRequest& r : receiver.Requests()) received.insert(r.Header("webhook-id"));
  EXPECT_EQ(received, std::set<std::string>(ids.begin(), ids.end()));
}

TEST(ServeTest, BadEventsGetA400NamingTheProblem) {
  TestReceiver receiver(AlwaysOk());
  Serve serve(Config(receiver.Url()));
  RawResponse malformed = Http(serve.port(), "POST", "/v1/events", R"({"type":"a",)");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_TRUE(ErrorMessage(malformed).starts_with("body: malformed JSON")) << malformed.body;

  RawResponse missing = Http(serve.port(), "POST", "/v1/events", R"({"payload":{}})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(ErrorMessage(missing), "event.type: missing");

  RawResponse unknown =
      Http(serve.port(), "POST", "/v1/events", R"({"type":"a","payload":1,"colour":"red"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(ErrorMessage(unknown),
            "event.colour: unknown field (known: id, type, channels, payload)");
}

TEST(ServeTest, RejectedBatchesDeliverNothing) {
  TestReceiver receiver(AlwaysOk());
  Serve serve(Config(receiver.Url()));
  // The third event is bad: the first two must not be delivered either.
  RawResponse bad = Http(serve.port(), "POST", "/v1/events",
                         R"([{"type":"a","payload":1},{"type":"b","payload":2},{"payload":3}])");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(ErrorMessage(bad), "events[2].type: missing");

  const std::string big_payload = "\"" + std::string(100, 'x') + "\"";
  RawResponse too_big =
      Http(serve.port(), "POST", "/v1/events",
           R"([{"type":"a","payload":1},{"type":"big","payload":)" + big_payload + "}]");
  EXPECT_EQ(too_big.status, 413);
  EXPECT_TRUE(ErrorMessage(too_big).starts_with("events[1].payload: ")) << too_big.body;

  RawResponse too_many = Http(serve.port(), "POST", "/v1/events",
                              R"([{"type":"a","payload":1},{"type":"a","payload":2},)"
                              R"({"type":"a","payload":3},{"type":"a","payload":4}])");
  EXPECT_EQ(too_many.status, 413);
  EXPECT_TRUE(ErrorMessage(too_many).starts_with("events: 4 ")) << too_many.body;

  // A marker sent afterwards is the only thing the receiver ever sees.
  std::vector<std::string> marker = AcceptedIds(
      Http(serve.port(), "POST", "/v1/events", R"({"id":"marker","type":"m","payload":0})"));
  ASSERT_TRUE(serve.WaitForDelivered(1));
  ASSERT_EQ(receiver.count(), 1u);
  EXPECT_EQ(receiver.Requests()[0].Header("webhook-id"), "marker");
  EXPECT_NE(serve.Stop().find("accepted 1 events"), std::string::npos);
}

TEST(ServeTest, BodyOverMaxBodyBytesIs413FromTheServer) {
  TestReceiver receiver(AlwaysOk());
  Serve serve(Config(receiver.Url(), "", "max_body_bytes = 100\n"));
  RawResponse response = Http(serve.port(), "POST", "/v1/events", std::string(200, ' '));
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(response.body, R"({"error":"body: Content-Length 200 exceeds the limit of 100 bytes"})"
                           "\n");
  EXPECT_EQ(serve.Stop().find("accepted 0 events"), std::string("hookfan serve: stopped; ").size());
}

TEST(ServeTest, StatsAndMetricsCountDeliveries) {
  TestReceiver receiver(AlwaysOk());
  Serve serve(Config(receiver.Url()));
  AcceptedIds(Http(serve.port(), "POST", "/v1/events",
                   R"([{"type":"a","payload":1},{"type":"b","payload":2}])"));
  ASSERT_TRUE(serve.WaitForDelivered(2));

  RawResponse stats = Http(serve.port(), "GET", "/v1/stats");
  ASSERT_EQ(stats.status, 200);
  EXPECT_EQ(stats.Header("content-type"), "application/json");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_FALSE(parser.parse(stats.body).get(root)) << stats.body;
  EXPECT_EQ(uint64_t(root["published_events"]), 2u);
  EXPECT_EQ(uint64_t(root["rejected_events"]), 0u);
  EXPECT_EQ(uint64_t(root["dead_letters_evicted"]), 0u);
  EXPECT_EQ(uint64_t(root["total"]["delivered"]), 2u);
  EXPECT_EQ(uint64_t(root["total"]["dead_lettered"]), 0u);
  simdjson::dom::array endpoints = root["endpoints"];
  ASSERT_EQ(endpoints.size(), 1u);
  simdjson::dom::element orders = endpoints.at(0);
  EXPECT_EQ(std::string_view(orders["id"]), "orders");
  EXPECT_EQ(uint64_t(orders["delivered"]), 2u);
  EXPECT_EQ(int64_t(orders["last_status"]), 200);
  EXPECT_TRUE(bool(orders["enabled"]));

  RawResponse metrics = Http(serve.port(), "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_TRUE(metrics.Header("content-type").starts_with("text/plain"));
  EXPECT_NE(metrics.body.find("\nhookfan_delivered_total{endpoint=\"orders\"} 2\n"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("\nhookfan_published_events_total 2\n"), std::string::npos);
}

TEST(ServeTest, WrongMethodIs405AndUnknownPathIs404) {
  TestReceiver receiver(AlwaysOk());
  Serve serve(Config(receiver.Url()));
  RawResponse get_events = Http(serve.port(), "GET", "/v1/events");
  EXPECT_EQ(get_events.status, 405);
  EXPECT_EQ(get_events.Header("allow"), "POST");
  EXPECT_EQ(ErrorMessage(get_events), "/v1/events: use POST");

  RawResponse post_stats = Http(serve.port(), "POST", "/v1/stats", "{}");
  EXPECT_EQ(post_stats.status, 405);
  EXPECT_EQ(post_stats.Header("allow"), "GET, HEAD");
  EXPECT_EQ(ErrorMessage(post_stats), "/v1/stats: use GET");

  RawResponse unknown = Http(serve.port(), "GET", "/v2/nothing");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorMessage(unknown), "/v2/nothing: no such resource");

  // A POST to a path that does not exist is a 404 too, not "use GET" (issue 9, defect 11).
  RawResponse post_unknown = Http(serve.port(), "POST", "/v1/event", "{}");
  EXPECT_EQ(post_unknown.status, 404);
  EXPECT_EQ(post_unknown.Header("allow"), "");
  EXPECT_EQ(ErrorMessage(post_unknown), "/v1/event: no such resource");
}

TEST(ServeTest, FullPendingQueueAnswers503WithRetryAfter) {
  // The receiver holds the first delivery until the test lets it go, so the engine's single
  // pending slot stays taken.
  // (TestReceiver records a request once its handler returns, hence `entered`.)
  std::mutex mutex;
  std::condition_variable changed;
  bool entered = false;
  bool released = false;
  TestReceiver receiver([&](const ReceivedRequest&) {
    std::unique_lock<std::mutex> lock(mutex);
    entered = true;
    changed.notify_all();
    changed.wait(lock, [&] { return released; });
    return ReceiverReply{200};
  });
  auto release = [&] {
    std::lock_guard<std::mutex> lock(mutex);
    released = true;
    changed.notify_all();
  };
  {
    Serve serve(Config(receiver.Url(), "max_pending_deliveries = 1\n"));
    AcceptedIds(Http(serve.port(), "POST", "/v1/events", R"({"type":"a","payload":1})"));
    {
      std::unique_lock<std::mutex> lock(mutex);
      EXPECT_TRUE(changed.wait_for(lock, std::chrono::seconds(10), [&] { return entered; }));
    }

    RawResponse full = Http(serve.port(), "POST", "/v1/events", R"({"type":"a","payload":2})");
    EXPECT_EQ(full.status, 503);
    EXPECT_FALSE(full.Header("retry-after").empty());
    EXPECT_TRUE(ErrorMessage(full).starts_with("pending deliveries: ")) << full.body;

    release();
    ASSERT_TRUE(serve.WaitForDelivered(1));
    // Room again: the refused event can be sent once more and is delivered.
    AcceptedIds(Http(serve.port(), "POST", "/v1/events", R"({"type":"a","payload":2})"));
    ASSERT_TRUE(serve.WaitForDelivered(2));
    EXPECT_NE(serve.Stop().find("accepted 2 events"), std::string::npos);
  }
  release();
  EXPECT_EQ(receiver.count(), 2u);
}

TEST(ServeTest, SigtermDrainsAndExitsZero) {
  TestReceiver receiver(AlwaysOk());
  Serve serve(Config(receiver.Url()));
  AcceptedIds(Http(serve.port(), "POST", "/v1/events", R"({"type":"a","payload":1})"));
  ASSERT_TRUE(serve.WaitForDelivered(1));
  const std::string summary = serve.Stop();
  EXPECT_EQ(summary,
            "hookfan serve: stopped; accepted 1 events, delivered 0 during drain, 0 attempts "
            "cancelled, 0 deliveries still pending");
  EXPECT_NE(serve.stderr_text().find("hookfan serve: SIGTERM received, draining"),
            std::string::npos);
}

TEST(ServeTest, BadConfigExitsTwoWithOneLineNamingFileLineAndField) {
  const std::string path = WriteTempFile("bad.toml", "[engine]\nworkers = 1\nworkrs = 2\n");
  ChildProcess serve({HOOKFAN_BINARY, "serve", "--config", path, "--listen", "127.0.0.1:0"},
                     MakeTempDir());
  EXPECT_EQ(serve.Wait(), 2);
  EXPECT_EQ(serve.stderr_text(), "hookfan serve: " + path + ":3: engine.workrs: unknown field\n");
  EXPECT_EQ(serve.stdout_text(), "");
}

TEST(ServeTest, BadListenAddressExitsTwoNamingTheFlag) {
  TestReceiver receiver(AlwaysOk());
  const std::string path = WriteTempFile("hookfan.toml", Config(receiver.Url()));
  ChildProcess serve({HOOKFAN_BINARY, "serve", "--config", path, "--listen", "localhost"},
                     MakeTempDir());
  EXPECT_EQ(serve.Wait(), 2);
  EXPECT_EQ(serve.stderr_text(), "hookfan serve: --listen: 'localhost' is not host:port\n");
}

}  // namespace
}  // namespace hookfan::tools
