#pragma once
// A scripted webhook receiver for integration tests: the project's own net::HttpServer on
// 127.0.0.1 (port 0), on its own thread and libuv loop. A handler decides each reply (status,
// Retry-After, delay), so tests can say "fail twice, then succeed" deterministically; every
// request is recorded for the test to inspect.
//
//   TestReceiver receiver([](const ReceivedRequest& r) { return ReceiverReply{200}; });
//   config.url = receiver.Url("/hooks");
//   ASSERT_TRUE(receiver.WaitForCount(3, 5000));
//   EXPECT_EQ(receiver.Requests()[0].Header("webhook-id"), event->id);

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "net/base/clock.h"

namespace hookfan::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  TimeMs at_ms = 0;  // monotonic, when the request arrived
  // The first header with this name (case-insensitive), or "" when absent.
  std::string Header(std::string_view name) const;
};

struct ReceiverReply {
  ReceiverReply(int status_code = 200, std::string retry_after_value = {}, DurationMs delay = 0)
      : status(status_code), retry_after(std::move(retry_after_value)), delay_ms(delay) {}
  int status = 200;
  std::string retry_after;  // sent as Retry-After when not empty
  DurationMs delay_ms = 0;  // answer this much later
};

class TestReceiver {
 public:
  // Called on the receiver's thread, one request at a time.
  using Handler = std::function<ReceiverReply(const ReceivedRequest& request)>;

  explicit TestReceiver(Handler handler);
  ~TestReceiver();
  TestReceiver(const TestReceiver&) = delete;
  TestReceiver& operator=(const TestReceiver&) = delete;

  int port() const { return port_; }
  std::string Url(std::string_view path = "/hook") const;

  std::vector<ReceivedRequest> Requests() const;
  std::size_t count() const;
  // Waits until at least `n` requests arrived; false on timeout.
  bool WaitForCount(std::size_t n, DurationMs timeout_ms) const;

 private:
  struct Loop;
  Handler handler_;
  std::unique_ptr<Loop> loop_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  std::vector<ReceivedRequest> requests_;
};

}  // namespace hookfan::testing
