#pragma once
// A free list of T carved from fixed-size slabs: Acquire and Release are a pointer swap,
// and memory is never returned to the allocator while the pool lives (a worker's pending
// deliveries rise and fall; malloc per delivery would cost more and fragment). One thread.
//
//   ObjectPool<Delivery> pool;
//   Delivery* d = pool.Acquire();   // default-constructed
//   pool.Release(d);                // destroyed, slot reused

#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace hookfan::engine {

template <typename T, std::size_t kSlabSize = 4096>
class ObjectPool {
 public:
  ObjectPool() = default;
  ObjectPool(const ObjectPool&) = delete;
  ObjectPool& operator=(const ObjectPool&) = delete;
  // Objects still acquired are not destroyed: their owners must release them first.
  ~ObjectPool() = default;

  template <typename... Args>
  T* Acquire(Args&&... args) {
    if (free_ == nullptr) Grow();
    Slot* slot = free_;
    free_ = slot->next;
    ++live_;
    return new (slot->storage) T(std::forward<Args>(args)...);
  }

  void Release(T* object) {
    object->~T();
    Slot* slot = reinterpret_cast<Slot*>(object);
    slot->next = free_;
    free_ = slot;
    --live_;
  }

  std::size_t live() const { return live_; }
  std::size_t capacity() const { return slabs_.size() * kSlabSize; }

 private:
  union Slot {
    Slot* next;
    alignas(T) unsigned char storage[sizeof(T)];
  };

  void Grow() {
    slabs_.push_back(std::make_unique<Slot[]>(kSlabSize));
    Slot* slab = slabs_.back().get();
    for (std::size_t i = 0; i < kSlabSize; ++i) {
      slab[i].next = free_;
      free_ = &slab[i];
    }
  }

  std::vector<std::unique_ptr<Slot[]>> slabs_;
  Slot* free_ = nullptr;
  std::size_t live_ = 0;
};

}  // namespace hookfan::engine
