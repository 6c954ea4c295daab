#include "tests/support/test_receiver.h"

#include <uv.h>

#include <deque>
#include <future>

#include "net/base/check.h"
#include "net/server/http_server.h"

namespace hookfan::testing {

namespace {
bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}
}  // namespace

std::string ReceivedRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

struct TestReceiver::Loop {
  uv_loop_t loop{};
  uv_async_t stop{};
  uv_timer_t tick{};  // answers delayed replies
  std::unique_ptr<net::HttpServer> server;
  struct Delayed {
    TimeMs due;
    net::HttpResponder responder;
    ReceiverReply reply;
  };
  std::deque<Delayed> delayed;
};

namespace {
void Answer(net::HttpResponder& responder, const ReceiverReply& reply) {
  if (!responder.pending()) return;
  net::HttpHeader headers[1];
  std::size_t count = 0;
  if (!reply.retry_after.empty()) headers[count++] = {"Retry-After", reply.retry_after};
  responder.Respond(net::HttpResponse{.status = reply.status,
                                      .headers = std::span(headers, count),
                                      .content_type = "text/plain",
                                      .body = "ok"});
}
}  // namespace

TestReceiver::TestReceiver(Handler handler)
    : handler_(std::move(handler)), loop_(std::make_unique<Loop>()) {
  std::promise<int> bound;
  auto port = bound.get_future();
  thread_ = std::thread([this, &bound] {
    Loop& l = *loop_;
    HOOKFAN_CHECK(uv_loop_init(&l.loop) == 0);
    uv_async_init(&l.loop, &l.stop, [](uv_async_t* handle) {
      auto* self = static_cast<TestReceiver*>(handle->data);
      Loop& inner = *self->loop_;
      for (auto& d : inner.delayed) d.responder = net::HttpResponder();  // dropped: 500
      inner.delayed.clear();
      uv_close(reinterpret_cast<uv_handle_t*>(&inner.stop), nullptr);
      uv_close(reinterpret_cast<uv_handle_t*>(&inner.tick), nullptr);
      inner.server->Close([] {});
    });
    l.stop.data = this;
    uv_timer_init(&l.loop, &l.tick);
    l.tick.data = this;
    uv_timer_start(
        &l.tick,
        [](uv_timer_t* timer) {
          auto* self = static_cast<TestReceiver*>(timer->data);
          Loop& inner = *self->loop_;
          const TimeMs now = MonotonicNowMs();
          // Answer in due order; a later-due reply waits even if the queue is unsorted.
          for (auto it = inner.delayed.begin(); it != inner.delayed.end();) {
            if (it->due <= now) {
              Answer(it->responder, it->reply);
              it = inner.delayed.erase(it);
            } else {
              ++it;
            }
          }
        },
        2, 2);
    net::HttpServerOptions options;
    auto server = net::HttpServer::Listen(
        &l.loop, options, [this](const net::ServerRequest& request, net::HttpResponder responder) {
          ReceivedRequest received;
          received.method = std::string(request.method());
          received.target = std::string(request.target());
          for (const auto& header : request.headers()) {
            received.headers.emplace_back(std::string(header.name), std::string(header.value));
          }
          received.body = std::string(request.body());
          received.at_ms = MonotonicNowMs();
          ReceiverReply reply = handler_(received);
          {
            std::lock_guard<std::mutex> lock(mutex_);
            requests_.push_back(std::move(received));
          }
          arrived_.notify_all();
          if (reply.delay_ms > 0) {
            loop_->delayed.push_back(
                Loop::Delayed{MonotonicNowMs() + reply.delay_ms, std::move(responder), reply});
          } else {
            Answer(responder, reply);
          }
        });
    HOOKFAN_CHECK(server.ok());
    l.server = std::move(*server);
    bound.set_value(l.server->port());
    uv_run(&l.loop, UV_RUN_DEFAULT);
    l.server.reset();
    HOOKFAN_CHECK(uv_loop_close(&l.loop) == 0);
  });
  port_ = port.get();
}

TestReceiver::~TestReceiver() {
  uv_async_send(&loop_->stop);
  thread_.join();
}

std::string TestReceiver::Url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::vector<ReceivedRequest> TestReceiver::Requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

std::size_t TestReceiver::count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_.size();
}

bool TestReceiver::WaitForCount(std::size_t n, DurationMs timeout_ms) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return arrived_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                           [&] { return requests_.size() >= n; });
}

}  // namespace hookfan::testing
