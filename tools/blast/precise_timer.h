#pragma once
// PreciseTimer: a one-shot timer on a libuv loop with nanosecond deadlines, made of a
// timerfd (CLOCK_MONOTONIC, the clock of MonotonicNowNs) watched by a uv_poll_t.
//
//   PreciseTimer timer(&loop, [](void* self) { static_cast<Worker*>(self)->OnTick(); }, this);
//   timer.ArmAt(MonotonicNowNs() + 50'000);   // 50 µs from now; a past time fires at once
//   ...
//   timer.Close();                             // before the loop is closed
//
// Why not uv_timer_t: libuv timers have whole-millisecond resolution, and with libuv 1.44
// (Debian 12) a timer re-armed with 0 ms from its own callback runs again inside the same
// timer phase (its timeout equals the cached loop time), so a schedule that waits out the
// last sub-millisecond that way spins in the timer phase and never lets the loop poll for
// I/O: responses pile up unread. A timerfd is just another descriptor in the poll phase, so
// sends and reads take turns on every loop iteration, at any rate.
// Loop thread only.

#include <uv.h>

#include <cstdint>

namespace hookfan::tools {

class PreciseTimer {
 public:
  using Callback = void (*)(void* context);

  PreciseTimer(uv_loop_t* loop, Callback callback, void* context);
  ~PreciseTimer();  // Close() must have run and the loop must have turned since
  PreciseTimer(const PreciseTimer&) = delete;
  PreciseTimer& operator=(const PreciseTimer&) = delete;

  // Fires once at `deadline_ns` on the monotonic clock (replacing any earlier deadline).
  void ArmAt(std::int64_t deadline_ns);
  void Disarm();
  // Stops watching the descriptor; the callback will not run again.
  void Close();

 private:
  static void OnReadable(uv_poll_t* poll, int status, int events);

  Callback callback_;
  void* context_;
  int fd_ = -1;
  uv_poll_t poll_;
  bool closed_ = false;
};

}  // namespace hookfan::tools
