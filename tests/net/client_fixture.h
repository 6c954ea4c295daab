#pragma once
// Shared scaffolding for HttpClient / OriginPool tests: a private libuv loop, a scripted
// RawHttpPeer on it, a client, and request records shaped like the engine's (the request
// embedded, the outcome recorded by the callback). TearDown closes everything and checks
// that the loop has no handle left (uv_loop_close == 0); ASan checks the memory.

#include <gtest/gtest.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "net/client/http_client.h"
#include "tests/net/raw_http_peer.h"

namespace hookfan::net::testing {

inline constexpr std::string_view kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

// One attempt as the engine would hold it.
struct TestAttempt {
  explicit TestAttempt(std::string payload = R"({"event":1})") : body(std::move(payload)) {
    request.body = body;
    request.context = this;
    request.on_complete = &OnComplete;
  }
  TestAttempt(const TestAttempt&) = delete;
  TestAttempt& operator=(const TestAttempt&) = delete;

  static void OnComplete(HttpRequest* request, const RequestOutcome& outcome) {
    auto* self = static_cast<TestAttempt*>(request->context);
    ++self->calls;
    self->outcome = outcome;
    self->body_prefix = std::string(request->response_body_prefix());
    if (self->then) self->then(*self);
  }

  HttpRequest request;
  std::string body;
  int calls = 0;
  RequestOutcome outcome;
  std::string body_prefix;
  std::function<void(TestAttempt&)> then;  // runs inside the callback
};

class ClientFixture : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(uv_loop_init(&loop_), 0); }

  void TearDown() override {
    if (client_ != nullptr && !client_close_started_) CloseClient();
    if (client_ != nullptr) RunUntil([&] { return client_closed_; });
    client_.reset();
    if (peer_ != nullptr) {
      peer_->Close();
      RunUntil([&] { return peer_->closed(); });
      peer_.reset();
    }
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle was left open";
  }

  void StartPeer(RawHttpPeer::Script script) {
    peer_ = std::make_unique<RawHttpPeer>(&loop_, std::move(script));
  }
  // A peer answering every request with `reply`.
  void StartPeer(std::string_view reply) {
    StartPeer([reply = std::string(reply)](const RawHttpPeer::Request&) {
      return RawHttpPeer::Reply::Answer(reply);
    });
  }

  void StartClient(ClientOptions options = {}) {
    client_ = std::make_unique<HttpClient>(&loop_, std::move(options));
  }

  OriginPool* PoolFor(std::string_view url_text) {
    StatusOr<Url> url = Url::Parse(url_text);
    EXPECT_TRUE(url.ok()) << url.status().ToString();
    StatusOr<OriginPool*> pool = client_->PoolFor(*url);
    EXPECT_TRUE(pool.ok()) << pool.status().ToString();
    return pool.ok() ? *pool : nullptr;
  }

  void Send(OriginPool* pool, TestAttempt& attempt) {
    Status status = client_->Send(pool, &attempt.request);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  // Sends one request and runs the loop until its callback has run.
  void SendAndWait(OriginPool* pool, TestAttempt& attempt) {
    const int before = attempt.calls;
    Send(pool, attempt);
    RunUntil([&] { return attempt.calls > before; });
  }

  void CloseClient() {
    client_close_started_ = true;
    client_->Close([this] { client_closed_ = true; });
  }

  // Runs the loop for `ms` milliseconds (a timer keeps it from running out of work).
  void RunFor(std::uint64_t ms) {
    uv_timer_t timer;
    bool fired = false;
    ASSERT_EQ(uv_timer_init(&loop_, &timer), 0);
    timer.data = &fired;
    uv_timer_start(
        &timer, [](uv_timer_t* t) { *static_cast<bool*>(t->data) = true; }, ms, 0);
    RunUntil([&] { return fired; });
    bool closed = false;
    timer.data = &closed;
    uv_close(reinterpret_cast<uv_handle_t*>(&timer),
             [](uv_handle_t* h) { *static_cast<bool*>(h->data) = true; });
    RunUntil([&] { return closed; });
  }

  // Runs the loop until `done()`; fails (instead of hanging) if the loop runs out of work.
  template <typename Done>
  void RunUntil(Done done) {
    while (!done()) {
      if (uv_run(&loop_, UV_RUN_ONCE) == 0 && !done()) {
        ADD_FAILURE() << "the loop ran out of work before the condition held";
        return;
      }
    }
  }

  uv_loop_t loop_;
  std::unique_ptr<RawHttpPeer> peer_;
  std::unique_ptr<HttpClient> client_;
  bool client_close_started_ = false;
  bool client_closed_ = false;
};

}  // namespace hookfan::net::testing
