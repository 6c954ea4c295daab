#pragma once
// LoopThread (tests only): a libuv loop running on its own thread, so a test can drive blocking
// socket clients from the test thread while the code under test runs on the loop. Header-only
// because the build turns every tests/**/*_test.cc into its own binary and has no test
// library to put a .cc in.
//
//   LoopThread loop;
//   auto server = loop.Run([&] { return HttpServer::Listen(loop.loop(), options, handler); });
//   ... blocking client on the test thread ...
//   loop.Run([&] { (*server)->Close([&] { server_closed = true; }); });
//   loop.Stop();   // returns once every handle is closed; then reading loop objects is safe
//
// Run() executes a function on the loop thread and waits for its result: the only way the
// test thread touches loop objects while the loop runs.

#include <uv.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>

#include "net/base/check.h"

namespace hookfan::test {

class LoopThread {
 public:
  LoopThread() {
    HOOKFAN_CHECK(uv_loop_init(&loop_) == 0);
    HOOKFAN_CHECK(uv_async_init(&loop_, &async_, &LoopThread::OnAsync) == 0);
    async_.data = this;
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
  }
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;
  ~LoopThread() { Stop(); }

  uv_loop_t* loop() { return &loop_; }

  template <typename F>
  auto Run(F function) -> std::invoke_result_t<F> {
    using Result = std::invoke_result_t<F>;
    std::packaged_task<Result()> task(std::move(function));
    std::future<Result> result = task.get_future();
    Post([&task] { task(); });
    return result.get();
  }

  // Closes the wake-up handle and waits for the loop to run out of handles. Everything else
  // on the loop (servers, sinks) must be closed first, or this waits for them.
  void Stop() {
    if (!thread_.joinable()) return;
    Post([this] { uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr); });
    thread_.join();
    HOOKFAN_CHECK(uv_loop_close(&loop_) == 0);
  }

 private:
  void Post(std::function<void()> function) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(function));
    }
    uv_async_send(&async_);
  }

  static void OnAsync(uv_async_t* async) {
    auto* self = static_cast<LoopThread*>(async->data);
    std::deque<std::function<void()>> work;
    {
      std::lock_guard<std::mutex> lock(self->mutex_);
      work.swap(self->queue_);
    }
    for (auto& function : work) function();
  }

  uv_loop_t loop_;
  uv_async_t async_;
  std::mutex mutex_;
  std::deque<std::function<void()>> queue_;
  std::thread thread_;
};

}  // namespace hookfan::test
