#include "engine/base/timing_wheel.h"

#include <array>
#include <new>

#include "net/base/check.h"

namespace hookfan::engine {

// Placement: a timer due at D > now_ goes to the level of the highest digit in which D
// and now_ differ, in the slot named by D's digit there. So every slot holds only
// deadlines later than now_, and all timers of one deadline always share one slot. When
// now_ reaches a slot's start, the slot is emptied at once (fired at level 0, re-filed one
// level down otherwise), in filing order: that keeps equal deadlines in arm order across
// levels, with no sequence numbers.
//
// Slots hold node pointers in blocks rather than linking the nodes themselves: moving or
// firing a slot then walks contiguous memory and prefetches the nodes ahead, instead of
// chasing one cache miss after another through 10 million cold nodes. Cancel leaves a null
// cell behind; a block is recycled when its last live cell goes.

namespace {
// Digit k of a time covers bits [kShift[k], kShift[k + 1]); its slots start at kFirst[k].
constexpr int kShift[] = {0, 8, 16, 32, 40, 48, 56, 64};
constexpr int kFirst[] = {0, 256, 512, 512 + 65536, 66304, 66560, 66816, 67072};

// The level of a timer whose deadline first differs from now_ at bit `bit`.
constexpr std::array<uint8_t, 64> kLevelOfBit = [] {
  std::array<uint8_t, 64> levels{};
  for (int bit = 0, level = 0; bit < 64; ++bit) {
    while (bit >= kShift[level + 1]) ++level;
    levels[bit] = static_cast<uint8_t>(level);
  }
  return levels;
}();

constexpr int LevelOfSlot(int at) {
  return at < kFirst[3] ? (at < kFirst[2] ? at >> 8 : 2) : 3 + ((at - kFirst[3]) >> 8);
}
static_assert(LevelOfSlot(255) == 0 && LevelOfSlot(256) == 1 && LevelOfSlot(512) == 2 &&
              LevelOfSlot(66047) == 2 && LevelOfSlot(66048) == 3 && LevelOfSlot(67071) == 6);

constexpr size_t kBlockBytes = 512;
constexpr size_t kCellsPerBlock = (kBlockBytes - 32) / sizeof(TimerNode*);
constexpr uint32_t kPrefetchAhead = 16;  // cells: enough misses in flight to hide latency
constexpr size_t kMinFreeBlocks = 16;
}  // namespace

struct TimingWheel::Slot {
  Block* head = nullptr;
  Block* tail = nullptr;
  // <= every deadline filed here since the slot was last empty: a lower bound that only a
  // Cancel can make stale, which is what NextDeadline reports.
  TimeMs min_deadline = kNoDeadline;
};

struct TimingWheel::Block {
  Block* prev;
  Block* next;
  Slot* slot;
  uint32_t size;  // cells used, live or null
  uint32_t live;  // cells still pointing at a node
  TimerNode* cells[kCellsPerBlock];
};

namespace {
// Blocks are aligned to their size, so a cell's address names its block.
template <typename Block>
Block* BlockOf(TimerNode** cell) {
  return reinterpret_cast<Block*>(reinterpret_cast<uintptr_t>(cell) & ~(kBlockBytes - 1));
}

// The cell `ahead` positions after `index`, possibly in the next block; null past the end.
template <typename Block>
TimerNode* CellAhead(const Block* block, uint32_t index) {
  uint32_t at = index + kPrefetchAhead;
  if (at < block->size) return block->cells[at];
  at -= block->size;
  block = block->next;
  return block != nullptr && at < block->size ? block->cells[at] : nullptr;
}
}  // namespace

TimingWheel::TimingWheel(TimeMs now) : now_(now), slots_(new Slot[kWheelSlots + 2]) {
  static_assert(sizeof(Block) == kBlockBytes);
  static_assert(kFirst[kLevels] == kWheelSlots && kShift[kLevels] == 64);
  static_assert(kFirst[3] - kFirst[2] == 1 << (kShift[3] - kShift[2]));
  HOOKFAN_CHECK(now >= 0);
  due_ = &slots_[kWheelSlots];
  firing_ = &slots_[kWheelSlots + 1];
}

TimingWheel::~TimingWheel() {
  // Frees the blocks only: pending nodes may belong to records that are gone already.
  for (int i = 0; i < kWheelSlots + 2; ++i) {
    for (Block* block = slots_[i].head; block != nullptr;) {
      Block* next = block->next;
      ::operator delete(block, std::align_val_t(kBlockBytes));
      block = next;
    }
  }
  while (free_blocks_ != nullptr) {
    Block* next = free_blocks_->next;
    ::operator delete(free_blocks_, std::align_val_t(kBlockBytes));
    free_blocks_ = next;
  }
}

void TimingWheel::Schedule(TimerNode* node, TimeMs deadline, TimerNode::Callback callback) {
  HOOKFAN_DCHECK(node != nullptr && callback != nullptr);
  if (node->cell_ != nullptr) Cancel(node);
  node->deadline_ = deadline > now_ ? deadline : now_;
  node->callback_ = callback;
  ++size_;
  if (node->deadline_ == now_) {
    node->cell_ = Append(due_, node);
  } else {
    PlaceInWheel(node);
  }
}

void TimingWheel::Cancel(TimerNode* node) {
  TimerNode** cell = node->cell_;
  if (cell == nullptr) return;
  node->cell_ = nullptr;
  *cell = nullptr;
  --size_;
  Block* block = BlockOf<Block>(cell);
  HOOKFAN_DCHECK(block->slot >= slots_.get() && block->slot < slots_.get() + kWheelSlots + 2);
  if (--block->live == 0 && block != firing_cursor_) ReleaseBlock(block);
}

void TimingWheel::MarkOccupied(int level, int at) {
  occupied_[at / 64] |= uint64_t{1} << (at % 64);
  summary_[at / 4096] |= uint64_t{1} << (at / 64 % 64);
  if (occupied_slots_[level]++ == 0) level_mask_ |= 1u << level;
}

void TimingWheel::PlaceInWheel(TimerNode* node) {
  const uint64_t deadline = static_cast<uint64_t>(node->deadline_);
  HOOKFAN_DCHECK(node->deadline_ > now_);
  const int level = kLevelOfBit[63 - __builtin_clzll(deadline ^ static_cast<uint64_t>(now_))];
  const int shift = kShift[level];
  const uint64_t digits = kFirst[level + 1] - kFirst[level];  // a power of two
  const int at = kFirst[level] + static_cast<int>((deadline >> shift) & (digits - 1));
  Slot* slot = &slots_[at];
  if (slot->head == nullptr) MarkOccupied(level, at);
  if (node->deadline_ < slot->min_deadline) slot->min_deadline = node->deadline_;
  // The slot starts where D's digits below `level` are zero (D shares the rest with now_).
  const TimeMs start = static_cast<TimeMs>((deadline >> shift) << shift);
  if (start < next_event_) next_event_ = start;
  node->cell_ = Append(slot, node);
}

TimerNode** TimingWheel::Append(Slot* slot, TimerNode* node) {
  Block* block = slot->tail;
  if (block == nullptr || block->size == kCellsPerBlock) block = AddBlock(slot);
  TimerNode** cell = &block->cells[block->size++];
  *cell = node;
  ++block->live;
  return cell;
}

TimingWheel::Block* TimingWheel::AddBlock(Slot* slot) {
  Block* block = free_blocks_;
  if (block != nullptr) {
    free_blocks_ = block->next;
    --free_count_;
  } else {
    block = static_cast<Block*>(::operator new(sizeof(Block), std::align_val_t(kBlockBytes)));
    ++allocated_blocks_;
  }
  block->prev = slot->tail;
  block->next = nullptr;
  block->slot = slot;
  block->size = 0;
  block->live = 0;
  if (slot->tail != nullptr) {
    slot->tail->next = block;
  } else {
    slot->head = block;
  }
  slot->tail = block;
  return block;
}

void TimingWheel::ReleaseBlock(Block* block) {
  Slot* slot = block->slot;
  if (block->prev != nullptr) {
    block->prev->next = block->next;
  } else {
    slot->head = block->next;
  }
  if (block->next != nullptr) {
    block->next->prev = block->prev;
  } else {
    slot->tail = block->prev;
  }
  if (slot->head == nullptr) MarkEmpty(slot);
  FreeBlock(block);
}

void TimingWheel::FreeBlock(Block* block) {
  // Keep spare blocks to absorb churn, but no more than a quarter of those in use, so a
  // large burst gives its memory back as it drains (at most two deletes per call).
  block->next = free_blocks_;
  free_blocks_ = block;
  ++free_count_;
  while (free_count_ > kMinFreeBlocks && free_count_ > (allocated_blocks_ - free_count_) / 4) {
    Block* spare = free_blocks_;
    free_blocks_ = spare->next;
    --free_count_;
    --allocated_blocks_;
    ::operator delete(spare, std::align_val_t(kBlockBytes));
  }
}

void TimingWheel::MarkEmpty(Slot* slot) {
  slot->min_deadline = kNoDeadline;
  const int at = static_cast<int>(slot - slots_.get());
  if (at >= kWheelSlots) return;  // due_ or firing_
  uint64_t& word = occupied_[at / 64];
  word &= ~(uint64_t{1} << (at % 64));
  if (word == 0) summary_[at / 4096] &= ~(uint64_t{1} << (at / 64 % 64));
  const int level = LevelOfSlot(at);
  if (--occupied_slots_[level] == 0) level_mask_ &= ~(1u << level);
}

void TimingWheel::SpliceInto(Slot* from, Slot* to) {
  if (from->head == nullptr) return;
  for (Block* block = from->head; block != nullptr; block = block->next) block->slot = to;
  from->head->prev = to->tail;
  if (to->tail != nullptr) {
    to->tail->next = from->head;
  } else {
    to->head = from->head;
  }
  to->tail = from->tail;
  from->head = from->tail = nullptr;
  MarkEmpty(from);
}

int TimingWheel::FirstOccupied(int level) const {
  // Two-tier bitmap: a summary bit per word of slot bits. Level starts are multiples of 64.
  const int first_word = kFirst[level] / 64;
  const int end_word = kFirst[level + 1] / 64;
  int group = first_word / 64;
  uint64_t words = summary_[group] & (~uint64_t{0} << (first_word % 64));
  while (words == 0) {
    if (++group * 64 >= end_word) return -1;
    words = summary_[group];
  }
  const int word = group * 64 + __builtin_ctzll(words);
  return word < end_word ? word * 64 + __builtin_ctzll(occupied_[word]) : -1;
}

TimeMs TimingWheel::SlotStart(int level, int at) const {
  const int above = kShift[level + 1];  // digits of now_ that the slot shares
  const uint64_t now = static_cast<uint64_t>(now_);
  const uint64_t high = above >= 64 ? 0 : (now >> above) << above;
  return static_cast<TimeMs>(high | (static_cast<uint64_t>(at - kFirst[level]) << kShift[level]));
}

TimeMs TimingWheel::NextDeadline() const {
  if (due_->head != nullptr) return now_;
  if (level_mask_ == 0) return kNoDeadline;
  return slots_[FirstOccupied(__builtin_ctz(level_mask_))].min_deadline;
}

size_t TimingWheel::Advance(TimeMs now) {
  HOOKFAN_CHECK(!advancing_);
  if (now < next_event_ && due_->head == nullptr) {  // the common idle millisecond
    if (now > now_) now_ = now;
    return 0;
  }
  advancing_ = true;
  SpliceInto(due_, firing_);  // due before anything the sweep finds: deadline <= old now_
  if (now > now_) Collect(now);
  const size_t fired = FireCollected();
  advancing_ = false;
  return fired;
}

void TimingWheel::Collect(TimeMs now) {
  // Visit slot starts in time order; the finest occupied level always holds the next one,
  // since each level only covers what lies beyond the current slot of the level below.
  while (level_mask_ != 0) {
    const int level = __builtin_ctz(level_mask_);
    const int at = FirstOccupied(level);
    const TimeMs start = SlotStart(level, at);
    if (start > now) {
      next_event_ = start;
      now_ = now;
      return;
    }
    now_ = start;
    Slot* slot = &slots_[at];
    if (level == 0) {
      SpliceInto(slot, firing_);  // a level-0 slot holds the single deadline `start`
    } else {
      Block* chain = slot->head;
      slot->head = slot->tail = nullptr;
      MarkEmpty(slot);
      Redistribute(chain);
    }
  }
  next_event_ = kNoDeadline;
  now_ = now;
}

void TimingWheel::Redistribute(Block* chain) {
  for (Block* block = chain; block != nullptr;) {
    if (block->next != nullptr) {
      for (size_t at = 0; at < kBlockBytes; at += 64) {
        __builtin_prefetch(reinterpret_cast<const char*>(block->next) + at);
      }
    }
    for (uint32_t i = 0; i < block->size; ++i) {
      __builtin_prefetch(CellAhead(block, i), 1);
      TimerNode* node = block->cells[i];
      if (node == nullptr) continue;
      if (node->deadline_ == now_) {
        node->cell_ = Append(firing_, node);
      } else {
        PlaceInWheel(node);
      }
    }
    Block* next = block->next;
    FreeBlock(block);
    block = next;
  }
}

size_t TimingWheel::FireCollected() {
  size_t fired = 0;
  const TimeMs now = now_;
  while (Block* block = firing_->head) {
    firing_cursor_ = block;
    // The block's size cannot grow here: callbacks file new timers in due_ or the wheel.
    for (uint32_t i = 0; i < block->size; ++i) {
      __builtin_prefetch(CellAhead(block, i), 1);
      TimerNode* node = block->cells[i];
      if (node == nullptr) continue;
      block->cells[i] = nullptr;
      --block->live;
      node->cell_ = nullptr;
      --size_;
      ++fired;
      node->callback_(node, now);
    }
    firing_cursor_ = nullptr;
    HOOKFAN_DCHECK(block->live == 0 && firing_->head == block);
    ReleaseBlock(block);
  }
  return fired;
}

size_t TimingWheel::MemoryBytes() const {
  return sizeof(*this) + (kWheelSlots + 2) * sizeof(Slot) + allocated_blocks_ * kBlockBytes;
}

}  // namespace hookfan::engine
