#pragma once
// TimingWheel: a hierarchical timing wheel for millions of pending timers (retries,
// timeouts), millisecond resolution, driven by an explicit `now`.
//
//   struct Delivery : TimerNode { ... };                 // or embed a TimerNode member
//   void OnRetryDue(TimerNode* node, TimeMs now) {
//     auto* delivery = static_cast<Delivery*>(node);    // may Schedule/Cancel any timer
//     ...
//   }
//   TimingWheel wheel(MonotonicNowMs());
//   wheel.Schedule(delivery, MonotonicNowMs() + 5 * kSecondMs, OnRetryDue);
//   // one loop timer, re-armed after each Advance for NextDeadline() - now (if any):
//   wheel.Advance(MonotonicNowMs());
//
// Contract
// - Threads: not thread-safe; one wheel belongs to one worker loop and all calls (and all
//   callbacks) happen on that thread.
// - Nodes: a TimerNode lives in the caller's record; the wheel keeps a pointer to it while
//   it is armed and nothing else. Arming allocates nothing per timer: the wheel files node
//   pointers in 512-byte blocks it recycles (one block per 60 timers, kept on a free list).
// - Lifetime: free a node's memory only while it is not armed (Cancel it first, or free it
//   from its own callback, where it is already disarmed). The one exception is teardown:
//   the destructor frees the wheel's blocks without touching any node, so a worker may
//   destroy its records and its wheel in either order as long as it makes no other call
//   in between. Nodes still armed when their wheel died must not be scheduled again.
// - Order: timers fire in deadline order; equal deadlines fire in the order they were
//   (last) scheduled, however long ago and at whatever distance.
// - Advance(now) first collects every timer due at or before `now`, then calls their
//   callbacks one by one with that `now`; a node is disarmed just before its callback.
//   A callback may Schedule or Cancel any node, itself included; cancelling a collected
//   timer that has not fired yet stops it from firing. A timer scheduled from a callback
//   with a deadline <= now fires on the next Advance (never in the same one, so a
//   callback re-arming itself at `now` cannot loop forever). Callbacks must not call
//   Advance, must not throw, and must not destroy the wheel.
// - Time: Advance with a `now` earlier than now() does not move time back; it only fires
//   timers already due. A deadline earlier than now() is stored as now() (deadline()
//   reports the stored value) and fires on the next Advance. Times are >= 0; any deadline
//   up to kNoDeadline is exact (seven levels cover all of int64).
// - Cost: Schedule and Cancel are O(1); Advance is O(timers fired + timers moved between
//   levels + levels). A timer due in 65 s to 49 days moves twice before it fires (first
//   within the 65 s before its deadline, then within the last 256 ms), a nearer one at most
//   once. One Advance can thus move up to every timer due in a 65 s window (every 65 s), or
//   at a 49.7-day boundary of the clock every timer pending beyond it.
// - Memory: the node (24 bytes) plus 9-11 bytes per pending timer in blocks, plus 1.6 MB
//   per wheel (the slot table). A block lives while any of its cells is armed, so
//   cancelling most timers but a scattered few can hold up to one block (512 bytes) per
//   survivor until they fire.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>

#include "net/base/clock.h"

namespace hookfan::engine {

constexpr TimeMs kNoDeadline = std::numeric_limits<TimeMs>::max();

class TimingWheel;

// Embed in (or derive) the record that owns the timer. Do not copy or move it while armed.
class TimerNode {
 public:
  using Callback = void (*)(TimerNode* node, TimeMs now);

  TimerNode() = default;
  TimerNode(const TimerNode&) = delete;
  TimerNode& operator=(const TimerNode&) = delete;

  bool armed() const { return cell_ != nullptr; }
  // The deadline given to the last Schedule (raised to now() if it was in the past).
  TimeMs deadline() const { return deadline_; }

 private:
  friend class TimingWheel;
  TimerNode** cell_ = nullptr;  // where the wheel files this node; null when not armed
  TimeMs deadline_ = 0;
  Callback callback_ = nullptr;
};

static_assert(sizeof(TimerNode) <= 48, "a timer node must stay small: 10 million are pending");

class TimingWheel {
 public:
  explicit TimingWheel(TimeMs now);
  ~TimingWheel();
  TimingWheel(const TimingWheel&) = delete;
  TimingWheel& operator=(const TimingWheel&) = delete;

  // Arms `node` to call `callback` at `deadline`; re-arms (moving it behind other timers of
  // the same deadline) if it is armed already.
  void Schedule(TimerNode* node, TimeMs deadline, TimerNode::Callback callback);
  // Disarms `node`; no-op if it is not armed.
  void Cancel(TimerNode* node);
  // Fires everything due at or before `now` (see the contract above); returns how many
  // callbacks ran.
  size_t Advance(TimeMs now);

  // kNoDeadline when nothing is pending; now() when timers are due already; otherwise a
  // time T with now() < T <= the earliest pending deadline such that Advance(T) makes
  // progress (fires a timer or moves timers to a finer level). T is exact whenever the
  // earliest timer sits in the finest level (due within the current aligned 256 ms) or
  // nothing was cancelled from its coarser bucket since it was last empty; a stale T
  // costs the loop one wake-up that fires nothing. O(1): a few bit scans, no timer walk.
  TimeMs NextDeadline() const;

  size_t size() const { return size_; }  // armed timers, including collected ones not fired
  bool empty() const { return size_ == 0; }
  TimeMs now() const { return now_; }
  // Bytes the wheel holds besides the nodes: slot table and blocks (free ones included).
  size_t MemoryBytes() const;

 private:
  struct Block;
  struct Slot;
  // Levels are digits of the time in ms, finest first: 8, 8, 16, 8, 8, 8, 8 bits. The
  // 16-bit third digit (65.5 s slots up to 49.7 days) keeps retries of seconds to weeks
  // within three levels, so no cascade ever moves more than the timers due in one 65.5 s
  // window, except at 49.7-day boundaries.
  static constexpr int kLevels = 7;
  static constexpr int kWheelSlots = 2 * 256 + 65536 + 4 * 256;

  void PlaceInWheel(TimerNode* node);
  void MarkOccupied(int level, int at);
  TimerNode** Append(Slot* slot, TimerNode* node);
  Block* AddBlock(Slot* slot);
  void ReleaseBlock(Block* block);
  void FreeBlock(Block* block);
  void MarkEmpty(Slot* slot);
  void SpliceInto(Slot* from, Slot* to);
  void Collect(TimeMs now);
  void Redistribute(Block* chain);
  size_t FireCollected();
  int FirstOccupied(int level) const;  // global slot number, or -1
  TimeMs SlotStart(int level, int slot) const;

  TimeMs now_;
  size_t size_ = 0;
  std::unique_ptr<Slot[]> slots_;   // kWheelSlots wheel slots, then `due`, then `firing`
  Slot* due_;                       // scheduled with deadline <= now_: next Advance fires them
  Slot* firing_;                    // collected by the running Advance, in firing order
  Block* firing_cursor_ = nullptr;  // block whose cells are being fired: never released
  bool advancing_ = false;
  // <= the start of the earliest occupied wheel slot (kNoDeadline if none): an Advance to
  // an earlier time has nothing to collect. Exact after Collect; filing can only lower it,
  // and a slot emptied by Cancel leaves it low, which merely costs one slow Advance.
  TimeMs next_event_ = kNoDeadline;
  std::uint32_t level_mask_ = 0;                              // bit k: level k has an occupied slot
  int occupied_slots_[kLevels] = {};                          // per level, slots holding blocks
  std::uint64_t summary_[(kWheelSlots / 64 + 63) / 64] = {};  // bit w: occupied_[w] != 0
  std::uint64_t occupied_[kWheelSlots / 64] = {};             // bit s: slots_[s] has blocks
  Block* free_blocks_ = nullptr;
  size_t free_count_ = 0;
  size_t allocated_blocks_ = 0;
};

}  // namespace hookfan::engine
