#pragma once
// Tests of serve's durable spool (tests only): a `hookfan serve` child running in a directory
// of the test's own (its spool is <dir>/hookfan-data), restartable on the same directory,
// stopped with SIGTERM or SIGKILL; a receiver that counts what it saw per endpoint and
// webhook-id; plain HTTP calls and a number out of GET /v1/stats.
//
//   RecordingReceiver receiver(/*failures_per_delivery=*/0);
//   SpoolServe serve(dir, config_text);           // started, listening
//   std::string id = PostEvent(serve.port(), R"({"type":"a","payload":1})");
//   serve.Kill();  serve.Start();                 // the same spool, recovered

#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/net/raw_http_client.h"
#include "tests/support/test_receiver.h"
#include "tests/tools/child_process.h"

namespace hookfan::test {

inline RawResponse Http(int port, std::string_view method, std::string_view path,
                        std::string_view body = {}) {
  RawHttpClient client(port);
  if (!client.connected()) return RawResponse{};
  std::string request = std::string(method) + " " + std::string(path) +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!body.empty() || method == "POST") {
    request +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n";
  request += body;
  if (!client.Send(request)) return RawResponse{};
  return client.ReadResponse().value_or(RawResponse{});
}

// The ids of a 202 body ({"accepted":N,"ids":[...]}); empty for any other answer.
inline std::vector<std::string> AcceptedIds(const RawResponse& response) {
  std::vector<std::string> ids;
  if (response.status != 202) return ids;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array array;
  if (parser.parse(response.body).get(root) || root["ids"].get(array)) return ids;
  for (simdjson::dom::element id : array) ids.emplace_back(std::string_view(id.get_string()));
  return ids;
}

// A number at `path` (e.g. {"total", "pending_retries"}) of GET /v1/stats; -1 when absent.
inline std::int64_t StatsNumber(int port, std::vector<std::string> path) {
  RawResponse response = Http(port, "GET", "/v1/stats");
  simdjson::dom::parser parser;
  simdjson::dom::element node;
  if (response.status != 200 || parser.parse(response.body).get(node)) return -1;
  for (const std::string& key : path) {
    if (node[key].get(node)) return -1;
  }
  uint64_t value = 0;
  if (node.get(value)) return -1;
  return static_cast<std::int64_t>(value);
}

// Polls `done` every 5 ms, at most `timeout_ms` (a safety bound, not a speed assertion).
template <typename Predicate>
bool WaitUntil(Predicate done, int timeout_ms = 10000) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

// A serve child in `dir` (cwd: its spool is dir/hookfan-data), restartable.
class SpoolServe {
 public:
  // `wrapper`: a command serve runs under (e.g. prlimit), until SetWrapper changes it.
  SpoolServe(std::string dir, const std::string& config_text, std::vector<std::string> wrapper = {})
      : dir_(std::move(dir)), wrapper_(std::move(wrapper)) {
    std::ofstream(dir_ + "/hookfan.toml") << config_text;
    Start();
  }
  void SetWrapper(std::vector<std::string> wrapper) { wrapper_ = std::move(wrapper); }
  ~SpoolServe() {
    if (process_) Term();
  }
  SpoolServe(const SpoolServe&) = delete;
  SpoolServe& operator=(const SpoolServe&) = delete;

  // Starts serve and reads its listening line (recovery runs before it).
  bool Start() {
    port_ = 0;
    std::vector<std::string> argv = wrapper_;
    for (const char* arg : {HOOKFAN_BINARY, "serve", "--config"}) argv.emplace_back(arg);
    argv.push_back(dir_ + "/hookfan.toml");
    argv.emplace_back("--listen");
    argv.emplace_back("127.0.0.1:0");
    process_ = std::make_unique<ChildProcess>(std::move(argv), dir_);
    std::optional<std::string> line = process_->ReadStdoutLine();
    constexpr std::string_view kPrefix = "hookfan serve: listening on 127.0.0.1:";
    if (line && line->starts_with(kPrefix)) port_ = std::atoi(line->c_str() + kPrefix.size());
    EXPECT_GT(port_, 0) << line.value_or("") << process_->stderr_text();
    return port_ > 0;
  }
  // SIGKILL: nothing gets to run.
  void Kill() {
    process_->Signal(SIGKILL);
    EXPECT_EQ(process_->Wait(), 128 + SIGKILL);
    last_stderr_ = process_->stderr_text();
    process_.reset();
  }
  // SIGTERM: the drain; returns the exit code.
  int Term() {
    process_->Signal(SIGTERM);
    const int code = process_->Wait();
    last_stderr_ = process_->stderr_text();
    last_stdout_ = process_->stdout_text();
    process_.reset();
    return code;
  }

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string spool_dir() const { return dir_ + "/hookfan-data"; }
  // stderr of the running child so far, or of the last one stopped.
  std::string stderr_text() const { return process_ ? process_->stderr_text() : last_stderr_; }
  const std::string& last_stdout() const { return last_stdout_; }

 private:
  std::string dir_;
  std::vector<std::string> wrapper_;
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
  std::string last_stderr_;
  std::string last_stdout_;
};

// A receiver that answers 503 to the first `failures` attempts of each (path, webhook-id)
// and 200 after, counting every attempt and every success.
class RecordingReceiver {
 public:
  explicit RecordingReceiver(int failures = 0)
      : failures_(failures), receiver_([this](const testing::ReceivedRequest& request) {
          std::lock_guard<std::mutex> guard(mu_);
          const auto key = std::make_pair(request.target, request.Header("webhook-id"));
          const int seen = attempts_[key]++;
          if (seen < failures_ || failing_) return testing::ReceiverReply{503};
          ++delivered_[key];
          return testing::ReceiverReply{200};
        }) {}

  std::string Url(std::string_view path) const { return receiver_.Url(path); }
  // While set, every request fails (503).
  void SetFailing(bool failing) {
    std::lock_guard<std::mutex> guard(mu_);
    failing_ = failing;
  }
  using Key = std::pair<std::string, std::string>;  // path, webhook-id
  std::map<Key, int> Delivered() const {
    std::lock_guard<std::mutex> guard(mu_);
    return delivered_;
  }
  std::map<Key, int> Attempts() const {
    std::lock_guard<std::mutex> guard(mu_);
    return attempts_;
  }
  std::size_t total() const { return receiver_.count(); }

 private:
  const int failures_;
  mutable std::mutex mu_;
  bool failing_ = false;
  std::map<Key, int> attempts_;
  std::map<Key, int> delivered_;
  testing::TestReceiver receiver_;  // last: its thread stops before the maps go
};

}  // namespace hookfan::test
