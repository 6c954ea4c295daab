#pragma once
// LoopThreadCheck: remembers which thread runs a libuv loop, for the debug checks of objects
// that may only be used from that thread (HttpClient, HttpServer).
//
//   LoopThreadCheck loop_thread_;                   // a member; constructed on any thread
//   HOOKFAN_DCHECK(loop_thread_.OnLoopThread());    // in every loop-thread-only method
//
// Objects are often built on one thread and then handed to the thread that runs their loop
// (an engine worker is constructed by Engine::Start, its loop runs on the worker's thread),
// so the constructing thread says nothing. libuv does not record which thread runs a loop,
// hence the first check binds: the first thread to ask is the loop's thread, and every later
// call from another thread answers false. Works the same with or without NDEBUG (the same
// layout, the same answers); only the HOOKFAN_DCHECKs around it disappear in Release.

#include <atomic>
#include <thread>

namespace hookfan::net {

class LoopThreadCheck {
 public:
  // True on the loop's thread; the first call decides which thread that is.
  bool OnLoopThread() const {
    const std::thread::id self = std::this_thread::get_id();
    std::thread::id bound{};
    // Relaxed is enough: a thread compares against its own id or one it failed to replace.
    if (bound_.compare_exchange_strong(bound, self, std::memory_order_relaxed)) return true;
    return bound == self;
  }

  // Whether a thread has been bound yet (for tests).
  bool bound() const { return bound_.load(std::memory_order_relaxed) != std::thread::id{}; }

 private:
  mutable std::atomic<std::thread::id> bound_{};
};

}  // namespace hookfan::net
