// `hookfan serve`'s admin API end to end: the real binary with [auth] tokens and a state
// directory of its own, real sockets, a scripted receiver, and Python's hmac (outside the
// project) to check the signatures after a secret rotation.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

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
using hookfan::testing::kAllowLoopbackToml;
using hookfan::testing::ReceivedRequest;
using hookfan::testing::ReceiverReply;
using hookfan::testing::TestReceiver;

constexpr char kAdmin[] = "admin-token-4f9b2c71d0e8";
constexpr char kTenantA[] = "tenant-a-token-8c1d2e3f4a";
constexpr char kTenantB[] = "tenant-b-token-1a2b3c4d5e";
constexpr char kConfigSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

std::string Config(const std::string& state_dir, const std::string& config_url) {
  return std::string(kAllowLoopbackToml) +
         "[engine]\nworkers = 1\nshutdown_grace = \"1s\"\n"
         "[auth]\nadmin_token = \"" +
         std::string(kAdmin) + "\"\ntokens = [\"" + kTenantA + "\", \"" + kTenantB +
         "\"]\n[admin]\nstate_dir = \"" + state_dir +
         "\"\n[[endpoints]]\nid = \"from-config\"\nurl = \"" + config_url + "\"\nsecret = \"" +
         kConfigSecret + "\"\n";
}

RawResponse Http(int port, std::string_view method, std::string_view path, std::string_view token,
                 std::string_view body = {}) {
  RawHttpClient client(port);
  EXPECT_TRUE(client.connected());
  std::string request = std::string(method) + " " + std::string(path) +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!token.empty()) request += "Authorization: Bearer " + std::string(token) + "\r\n";
  request += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n\r\n" + std::string(body);
  EXPECT_TRUE(client.Send(request));
  std::optional<RawResponse> response = client.ReadResponse();
  EXPECT_TRUE(response.has_value()) << method << " " << path;
  return response.value_or(RawResponse{});
}

std::string Field(const std::string& json, const char* key) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view value;
  if (parser.parse(json).get(root) || root[key].get(value)) return "";
  return std::string(value);
}

class Serve {
 public:
  explicit Serve(const std::string& config_text, const std::string& dir)
      : config_path_(dir + "/hookfan.toml") {
    std::ofstream(config_path_) << config_text;
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{HOOKFAN_BINARY, "serve", "--config", config_path_, "--listen",
                                 "127.0.0.1:0"},
        dir);
    std::optional<std::string> line = process_->ReadStdoutLine();
    constexpr std::string_view kPrefix = "hookfan serve: listening on 127.0.0.1:";
    if (line && line->starts_with(kPrefix)) port_ = std::atoi(line->c_str() + kPrefix.size());
    EXPECT_GT(port_, 0) << line.value_or("") << process_->stderr_text();
  }
  ~Serve() { Stop(); }
  // Stops it and returns everything it wrote on stderr.
  std::string Stop() {
    if (!stopped_) {
      stopped_ = true;
      process_->Signal(SIGTERM);
      EXPECT_EQ(process_->Wait(), 0) << process_->stderr_text();
    }
    return process_->stderr_text();
  }
  int port() const { return port_; }

 private:
  std::string config_path_;
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
  bool stopped_ = false;
};

// Every secret and token the test used must be absent from serve's stderr.
void ExpectNoSecretIn(const std::string& log, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    ASSERT_FALSE(secret.empty());
    EXPECT_EQ(log.find(secret), std::string::npos) << "leaked: " << secret;
  }
}

// Standard Webhooks verification by Python's hmac, independent of the project's code.
bool PythonVerifies(const std::string& secret, const ReceivedRequest& request) {
  const std::string dir = MakeTempDir();
  std::ofstream(dir + "/body", std::ios::binary) << request.body;
  const std::string script =
      "import base64,hashlib,hmac,sys\n"
      "secret,msg_id,ts,sigs=sys.argv[1:5]\n"
      "body=open(sys.argv[5],'rb').read()\n"
      "key=base64.b64decode(secret[len('whsec_'):])\n"
      "mac=base64.b64encode(hmac.new(key,msg_id.encode()+b'.'+ts.encode()+b'.'+body,"
      "hashlib.sha256).digest()).decode()\n"
      "ok=any(hmac.compare_digest(s.split(',',1)[1],mac) for s in sigs.split(' ') if "
      "s.startswith('v1,'))\n"
      "sys.exit(0 if ok else 1)\n";
  std::ofstream(dir + "/verify.py") << script;
  ChildProcess python({"/usr/bin/env", "python3", dir + "/verify.py", secret,
                       request.Header("webhook-id"), request.Header("webhook-timestamp"),
                       request.Header("webhook-signature"), dir + "/body"});
  return python.Wait() == 0;
}

TEST(ServeAdminTest, TenantsSeeAndChangeOnlyTheirEndpointsAndReceiveOnlyTheirEvents) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  const std::string dir = MakeTempDir();
  Serve serve(Config(dir + "/state", receiver.Url("/config")), dir);
  const int port = serve.port();

  EXPECT_EQ(Http(port, "GET", "/v1/endpoints", "").status, 401);
  RawResponse wrong = Http(port, "GET", "/v1/endpoints", "tenant-a-token-8c1d2e3f4b");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.Header("www-authenticate"), "Bearer");

  RawResponse created =
      Http(port, "POST", "/v1/endpoints", kTenantA,
           R"({"id":"a-orders","url":")" + receiver.Url("/a") + R"(","event_types":["order.*"]})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string secret = Field(created.body, "secret");
  ASSERT_TRUE(secret.starts_with("whsec_")) << created.body;

  // B cannot see or touch it: 404, as if it did not exist.
  EXPECT_EQ(Http(port, "GET", "/v1/endpoints/a-orders", kTenantB).status, 404);
  EXPECT_EQ(
      Http(port, "PATCH", "/v1/endpoints/a-orders", kTenantB, R"({"max_in_flight":2})").status,
      404);
  EXPECT_EQ(Http(port, "DELETE", "/v1/endpoints/a-orders", kTenantB).status, 404);
  EXPECT_EQ(Http(port, "POST", "/v1/endpoints/a-orders/disable", kTenantB).status, 404);
  RawResponse b_list = Http(port, "GET", "/v1/endpoints", kTenantB);
  EXPECT_EQ(b_list.body, R"({"endpoints":[],"next_cursor":null})");
  // A sees its own, never the secret again; the admin sees it and the config endpoint.
  RawResponse a_get = Http(port, "GET", "/v1/endpoints/a-orders", kTenantA);
  EXPECT_EQ(a_get.status, 200);
  EXPECT_EQ(a_get.body.find(secret), std::string::npos);
  EXPECT_EQ(a_get.body.find("\"secret"), std::string::npos);
  RawResponse admin_list = Http(port, "GET", "/v1/endpoints", kAdmin);
  EXPECT_NE(admin_list.body.find("\"id\":\"a-orders\""), std::string::npos);
  EXPECT_NE(admin_list.body.find("\"id\":\"from-config\""), std::string::npos);
  EXPECT_EQ(Http(port, "GET", "/v1/endpoints", kTenantA).body.find("from-config"),
            std::string::npos);

  // Bad bodies name the field; unknown fields are errors.
  RawResponse bad =
      Http(port, "POST", "/v1/endpoints", kTenantA, R"({"url":"http://x","retri":{}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("endpoints.retri: unknown field"), std::string::npos) << bad.body;
  bad = Http(port, "POST", "/v1/endpoints", kTenantA, R"({"url":7})");
  EXPECT_NE(bad.body.find("endpoints.url: must be a string"), std::string::npos) << bad.body;
  EXPECT_EQ(Http(port, "POST", "/v1/endpoints", kTenantB,
                 R"({"id":"a-orders","url":"http://127.0.0.1:1/"})")
                .status,
            409);

  // Events: B's event reaches no endpoint of A; A's reaches only A's; the admin's only the
  // config endpoint.
  EXPECT_EQ(
      Http(port, "POST", "/v1/events", kTenantB, R"({"type":"order.paid","payload":1})").status,
      202);
  EXPECT_EQ(
      Http(port, "POST", "/v1/events", kTenantA, R"({"type":"order.paid","payload":2})").status,
      202);
  EXPECT_EQ(Http(port, "POST", "/v1/events", kAdmin, R"({"type":"order.paid","payload":3})").status,
            202);
  ASSERT_TRUE(receiver.WaitForCount(2, 5000));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a wrong third would show up
  std::vector<ReceivedRequest> got = receiver.Requests();
  ASSERT_EQ(got.size(), 2u);
  std::set<std::string> seen;
  for (const ReceivedRequest& r : got) seen.insert(r.target + "=" + r.body);
  EXPECT_EQ(seen, (std::set<std::string>{"/a=2", "/config=3"}));
  for (const ReceivedRequest& r : got) {
    if (r.target == "/a") {
      EXPECT_TRUE(PythonVerifies(secret, r));
    }
  }

  // The admin can change and delete A's endpoint.
  EXPECT_EQ(Http(port, "PATCH", "/v1/endpoints/a-orders", kAdmin, R"({"max_in_flight":2})").status,
            200);
  EXPECT_EQ(Http(port, "DELETE", "/v1/endpoints/a-orders", kAdmin).status, 204);
  EXPECT_EQ(Http(port, "GET", "/v1/endpoints/a-orders", kTenantA).status, 404);
  ExpectNoSecretIn(serve.Stop(), {secret, kAdmin, kTenantA, kTenantB, kConfigSecret});
}

TEST(ServeAdminTest, PatchKeepsQueuedDeliveriesAndPendingRetries) {
  // The first attempt of every event fails, so each is waiting for its retry when the
  // PATCH lands; every one must still arrive, and the retries carry the new header.
  std::mutex mutex;
  std::set<std::string> failed_once;
  TestReceiver receiver([&](const ReceivedRequest& r) {
    std::lock_guard<std::mutex> lock(mutex);
    return ReceiverReply{failed_once.insert(r.Header("webhook-id")).second ? 500 : 200};
  });
  const std::string dir = MakeTempDir();
  Serve serve(Config(dir + "/state", receiver.Url("/config")), dir);
  const int port = serve.port();
  RawResponse created = Http(
      port, "POST", "/v1/endpoints", kTenantA,
      R"({"id":"p","url":")" + receiver.Url("/p") + R"(","retry":{"delays":["300ms","300ms"]}})");
  ASSERT_EQ(created.status, 201) << created.body;
  constexpr int kEvents = 20;
  std::string batch = "[";
  for (int i = 0; i < kEvents; ++i) {
    // Piece by piece: GCC 12 reports a false -Wrestrict on chained operator+.
    if (i > 0) batch += ',';
    batch += R"({"type":"t","payload":)";
    batch += std::to_string(i);
    batch += '}';
  }
  batch += "]";
  ASSERT_EQ(Http(port, "POST", "/v1/events", kTenantA, batch).status, 202);
  ASSERT_TRUE(receiver.WaitForCount(kEvents, 5000));  // every first attempt failed
  RawResponse patched =
      Http(port, "PATCH", "/v1/endpoints/p", kTenantA,
           R"({"headers":{"X-Version":"2"},"url":")" + receiver.Url("/p2") + R"("})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  ASSERT_TRUE(receiver.WaitForCount(2 * kEvents, 5000));
  std::set<std::string> delivered;
  for (const ReceivedRequest& r : receiver.Requests()) {
    if (r.target == "/p2") {
      EXPECT_EQ(r.Header("x-version"), "2");
      delivered.insert(r.Header("webhook-id"));
    }
  }
  EXPECT_EQ(delivered.size(), static_cast<std::size_t>(kEvents));
  ExpectNoSecretIn(serve.Stop(), {Field(created.body, "secret"), kAdmin, kTenantA});
}

TEST(ServeAdminTest, RotatedSecretsBothSignDuringTheGraceThenOnlyTheNewOne) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  const std::string dir = MakeTempDir();
  Serve serve(Config(dir + "/state", receiver.Url("/config")), dir);
  const int port = serve.port();
  RawResponse created = Http(port, "POST", "/v1/endpoints", kTenantA,
                             R"({"id":"r","url":")" + receiver.Url("/r") + R"("})");
  ASSERT_EQ(created.status, 201);
  const std::string old_secret = Field(created.body, "secret");
  RawResponse rotated =
      Http(port, "POST", "/v1/endpoints/r/secret/rotate", kTenantA, R"({"grace":"1500ms"})");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string new_secret = Field(rotated.body, "secret");
  ASSERT_TRUE(new_secret.starts_with("whsec_"));
  ASSERT_NE(new_secret, old_secret);

  ASSERT_EQ(Http(port, "POST", "/v1/events", kTenantA, R"({"type":"t","payload":1})").status, 202);
  ASSERT_TRUE(receiver.WaitForCount(1, 5000));
  const ReceivedRequest during = receiver.Requests()[0];
  EXPECT_TRUE(PythonVerifies(old_secret, during)) << during.Header("webhook-signature");
  EXPECT_TRUE(PythonVerifies(new_secret, during));

  // After the grace the old secret is retired by the server itself.
  bool retired = false;
  for (int i = 0; i < 100 && !retired; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    retired = Http(port, "GET", "/v1/endpoints/r", kTenantA).body.find("previous_secret") ==
              std::string::npos;
  }
  ASSERT_TRUE(retired);
  ASSERT_EQ(Http(port, "POST", "/v1/events", kTenantA, R"({"type":"t","payload":2})").status, 202);
  ASSERT_TRUE(receiver.WaitForCount(2, 5000));
  const ReceivedRequest after = receiver.Requests()[1];
  EXPECT_FALSE(PythonVerifies(old_secret, after));
  EXPECT_TRUE(PythonVerifies(new_secret, after));
  ExpectNoSecretIn(serve.Stop(), {old_secret, new_secret, kAdmin, kTenantA});
}

TEST(ServeAdminTest, ApiEndpointsAndTheirDisabledStateSurviveARestart) {
  TestReceiver receiver([](const ReceivedRequest&) { return ReceiverReply{200}; });
  const std::string dir = MakeTempDir();
  const std::string config = Config(dir + "/state", receiver.Url("/config"));
  std::string secret;
  {
    Serve serve(config, dir);
    RawResponse created = Http(serve.port(), "POST", "/v1/endpoints", kTenantA,
                               R"({"id":"keep","url":")" + receiver.Url("/keep") + R"("})");
    ASSERT_EQ(created.status, 201);
    secret = Field(created.body, "secret");
    ASSERT_EQ(Http(serve.port(), "POST", "/v1/endpoints", kTenantA,
                   R"({"id":"off","url":")" + receiver.Url("/off") + R"("})")
                  .status,
              201);
    ASSERT_EQ(Http(serve.port(), "POST", "/v1/endpoints/off/disable", kTenantA).status, 200);
  }
  Serve again(config, dir);
  RawResponse off = Http(again.port(), "GET", "/v1/endpoints/off", kTenantA);
  ASSERT_EQ(off.status, 200);
  EXPECT_NE(off.body.find("\"enabled\":false"), std::string::npos) << off.body;
  EXPECT_EQ(Http(again.port(), "GET", "/v1/endpoints/keep", kTenantB).status, 404);
  ASSERT_EQ(
      Http(again.port(), "POST", "/v1/events", kTenantA, R"({"type":"t","payload":5})").status,
      202);
  ASSERT_TRUE(receiver.WaitForCount(1, 5000));
  const ReceivedRequest request = receiver.Requests()[0];
  EXPECT_EQ(request.target, "/keep");  // not /off: still disabled
  EXPECT_TRUE(PythonVerifies(secret, request));
  ExpectNoSecretIn(again.Stop(), {secret, kAdmin, kTenantA, kTenantB});
}

TEST(ServeAdminTest, AttemptsListEachStatusOrTypedErrorNewestFirst) {
  // "fail once, then succeed" on one endpoint; nothing listens on the other's port.
  std::mutex mutex;
  bool failed = false;
  TestReceiver receiver([&](const ReceivedRequest&) {
    std::lock_guard<std::mutex> lock(mutex);
    const bool first = !failed;
    failed = true;
    return ReceiverReply{first ? 503 : 200};
  });
  const std::string dir = MakeTempDir();
  Serve serve(Config(dir + "/state", receiver.Url("/config")), dir);
  const int port = serve.port();
  ASSERT_EQ(
      Http(port, "POST", "/v1/endpoints", kTenantA,
           R"({"id":"flaky","url":")" + receiver.Url("/f") + R"(","retry":{"delays":["50ms"]}})")
          .status,
      201);
  ASSERT_EQ(Http(port, "POST", "/v1/endpoints", kTenantA,
                 R"({"id":"gone","url":"http://127.0.0.1:1/","retry":{"delays":["50ms"]}})")
                .status,
            201);
  RawResponse published =
      Http(port, "POST", "/v1/events", kTenantA, R"({"id":"evt_1","type":"t","payload":1})");
  ASSERT_EQ(published.status, 202) << published.body;
  ASSERT_TRUE(receiver.WaitForCount(2, 5000));

  // Both attempts of each endpoint, newest first, with the event id and attempt number.
  auto attempts_of = [&](const std::string& id, const std::string& query = "") {
    RawResponse r = Http(port, "GET", "/v1/endpoints/" + id + "/attempts" + query, kTenantA);
    EXPECT_EQ(r.status, 200) << r.body;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    EXPECT_FALSE(parser.parse(r.body).get(root)) << r.body;
    std::vector<std::string> rows;
    for (simdjson::dom::element a : root["attempts"].get_array()) {
      std::string row = std::string(a["event_id"].get_string().value()) + "#" +
                        std::to_string(a["attempt"].get_int64().value()) + " ";
      row += a["status"].is_null() ? "-" : std::to_string(a["status"].get_int64().value());
      row += " ";
      row += a["error"].is_null() ? "-" : std::string(a["error"].get_string().value());
      EXPECT_GE(a["duration_ms"].get_double().value(), 0.0);
      EXPECT_GT(a["unix_ms"].get_int64().value(), 1'700'000'000'000);
      EXPECT_TRUE(a["response_body"].is_null());
      rows.push_back(row);
    }
    return rows;
  };
  std::vector<std::string> flaky;
  for (int i = 0; i < 100 && flaky.size() < 2; ++i) {
    flaky = attempts_of("flaky");
    if (flaky.size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(flaky, (std::vector<std::string>{"evt_1#2 200 -", "evt_1#1 503 -"}));
  std::vector<std::string> gone;
  for (int i = 0; i < 100 && gone.size() < 2; ++i) {
    gone = attempts_of("gone");
    if (gone.size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(gone,
            (std::vector<std::string>{"evt_1#2 - connect_refused", "evt_1#1 - connect_refused"}));
  EXPECT_EQ(attempts_of("flaky", "?limit=1"), (std::vector<std::string>{"evt_1#2 200 -"}));

  // Another tenant cannot read them; bad queries name the parameter.
  EXPECT_EQ(Http(port, "GET", "/v1/endpoints/flaky/attempts", kTenantB).status, 404);
  RawResponse bad = Http(port, "GET", "/v1/endpoints/flaky/attempts?limit=0", kTenantA);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("limit"), std::string::npos) << bad.body;
  bad = Http(port, "GET", "/v1/endpoints/flaky/attempts?colour=red", kTenantA);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("colour: unknown query parameter"), std::string::npos) << bad.body;
  EXPECT_EQ(Http(port, "POST", "/v1/endpoints/flaky/attempts", kTenantA).status, 405);

  // A deleted endpoint's history is gone with it (a new endpoint with its id starts empty).
  ASSERT_EQ(Http(port, "DELETE", "/v1/endpoints/gone", kTenantA).status, 204);
  ASSERT_EQ(
      Http(port, "POST", "/v1/endpoints", kTenantB, R"({"id":"gone","url":"http://127.0.0.1:1/"})")
          .status,
      201);
  EXPECT_EQ(Http(port, "GET", "/v1/endpoints/gone/attempts", kTenantB).body, R"({"attempts":[]})");
  serve.Stop();
}

// The dead-letter ids listed for `endpoint`, newest first, each with its last_error.
std::vector<std::string> DeadLetters(int port, const std::string& endpoint,
                                     std::string_view token) {
  RawResponse r = Http(port, "GET", "/v1/dead-letters?endpoint=" + endpoint, token);
  EXPECT_EQ(r.status, 200) << r.body;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::vector<std::string> out;
  if (parser.parse(r.body).get(root)) return out;
  for (simdjson::dom::element letter : root["dead_letters"].get_array()) {
    out.push_back(std::string(letter["id"].get_string().value()) + " " +
                  std::string(letter["event_id"].get_string().value()) + " " +
                  std::string(letter["last_error"].get_string().value()));
  }
  return out;
}

TEST(ServeAdminTest, AReplayedDeadLetterIsDeliveredOnceAndLeavesTheList) {
  std::atomic<bool> healthy{false};
  TestReceiver receiver([&](const ReceivedRequest&) { return ReceiverReply{healthy ? 200 : 500}; });
  const std::string dir = MakeTempDir();
  Serve serve(Config(dir + "/state", receiver.Url("/config")), dir);
  const int port = serve.port();
  ASSERT_EQ(Http(port, "POST", "/v1/endpoints", kTenantA,
                 R"({"id":"r","url":")" + receiver.Url("/r") + R"(","retry":{"attempts":1}})")
                .status,
            201);
  ASSERT_EQ(Http(port, "POST", "/v1/events", kTenantA,
                 R"([{"id":"evt_r","type":"t","payload":1},{"id":"evt_s","type":"t","payload":2}])")
                .status,
            202);
  std::vector<std::string> letters;
  for (int i = 0; i < 200 && letters.size() < 2; ++i) {
    letters = DeadLetters(port, "r", kTenantA);
    if (letters.size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(letters.size(), 2u);
  std::map<std::string, std::string> id_of;  // event id -> dead letter id
  for (const std::string& row : letters) {
    const std::size_t space = row.find(' ');
    const std::string event = row.substr(space + 1, row.rfind(' ') - space - 1);
    id_of[event] = row.substr(0, space);
    EXPECT_TRUE(row.ends_with(" http_500")) << row;
  }
  ASSERT_EQ(id_of.size(), 2u);
  // B: the endpoint is not there, and neither are its letters.
  EXPECT_EQ(Http(port, "GET", "/v1/dead-letters?endpoint=r", kTenantB).status, 404);
  EXPECT_EQ(Http(port, "GET", "/v1/dead-letters", kTenantB).body,
            R"({"dead_letters":[],"next_cursor":null})");
  EXPECT_EQ(Http(port, "POST", "/v1/dead-letters/replay", kTenantB,
                 R"({"ids":[")" + id_of["evt_r"] + R"("]})")
                .status,
            404);

  // Refused while the endpoint is disabled, before anything is sent.
  ASSERT_EQ(Http(port, "POST", "/v1/endpoints/r/disable", kTenantA).status, 200);
  RawResponse refused = Http(port, "POST", "/v1/dead-letters/replay", kTenantA,
                             R"({"ids":[")" + id_of["evt_s"] + R"("]})");
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.body.find("'r' is disabled"), std::string::npos) << refused.body;
  ASSERT_EQ(Http(port, "POST", "/v1/endpoints/r/enable", kTenantA).status, 200);

  healthy = true;
  RawResponse replayed = Http(port, "POST", "/v1/dead-letters/replay", kTenantA,
                              R"({"ids":[")" + id_of["evt_r"] + R"("]})");
  ASSERT_EQ(replayed.status, 200) << replayed.body;
  EXPECT_EQ(replayed.body, R"({"replayed":[")" + id_of["evt_r"] + R"("]})");
  ASSERT_TRUE(receiver.WaitForCount(3, 5000));
  // Gone from the list; a second replay of it is a 404, not a second delivery.
  EXPECT_EQ(DeadLetters(port, "r", kTenantA),
            (std::vector<std::string>{id_of["evt_s"] + " evt_s http_500"}));
  RawResponse again = Http(port, "POST", "/v1/dead-letters/replay", kTenantA,
                           R"({"ids":[")" + id_of["evt_r"] + R"("]})");
  EXPECT_EQ(again.status, 404) << again.body;
  // By endpoint: only what is still there (evt_s), then nothing.
  replayed = Http(port, "POST", "/v1/dead-letters/replay", kTenantA, R"({"endpoint":"r"})");
  EXPECT_EQ(replayed.body, R"({"replayed":[")" + id_of["evt_s"] + R"("]})");
  ASSERT_TRUE(receiver.WaitForCount(4, 5000));
  replayed = Http(port, "POST", "/v1/dead-letters/replay", kTenantA, R"({"endpoint":"r"})");
  EXPECT_EQ(replayed.body, R"({"replayed":[]})");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a duplicate would show up
  std::map<std::string, int> successes;  // attempts per event: one failure, one success
  for (const ReceivedRequest& r : receiver.Requests()) {
    if (r.target == "/r") ++successes[r.Header("webhook-id")];
  }
  EXPECT_EQ(receiver.count(), 4u);
  EXPECT_EQ(successes, (std::map<std::string, int>{{"evt_r", 2}, {"evt_s", 2}}));
  EXPECT_TRUE(DeadLetters(port, "r", kTenantA).empty());
  serve.Stop();
}

TEST(ServeAdminTest, ANonLoopbackListenWithoutAuthIsRefused) {
  const std::string dir = MakeTempDir();
  const std::string path = dir + "/hookfan.toml";
  std::ofstream(path) << "[admin]\nstate_dir = \"" + dir + "/state\"\n";
  ChildProcess serve({HOOKFAN_BINARY, "serve", "--config", path, "--listen", "0.0.0.0:0"},
                     MakeTempDir());
  EXPECT_EQ(serve.Wait(), 2);
  EXPECT_NE(serve.stderr_text().find("--listen: '0.0.0.0' is not a loopback address"),
            std::string::npos)
      << serve.stderr_text();
}

}  // namespace
}  // namespace hookfan::tools
