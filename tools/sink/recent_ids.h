#pragma once
// RecentIds: remembers the last N webhook-ids seen, in bounded memory, so the sink can count
// duplicate deliveries. When full, the oldest id is forgotten: a duplicate that arrives after
// more than N other ids is not recognised.
//
//   RecentIds ids(1'000'000);
//   bool duplicate = ids.Insert(id);   // true when `id` is already remembered
//
// Ids are kept as 64-bit hashes (about 40 bytes each, ring plus hash set), not as strings:
// two different ids collide with probability about N^2 / 2^65 (3e-8 for a million), an
// acceptable error for a test receiver. Capacity 0 remembers nothing. Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace hookfan::tools {

class RecentIds {
 public:
  explicit RecentIds(std::size_t capacity) : capacity_(capacity) {}
  RecentIds(const RecentIds&) = delete;
  RecentIds& operator=(const RecentIds&) = delete;

  // Remembers `id`; returns true if it was remembered already (a duplicate).
  bool Insert(std::string_view id);
  std::size_t size() const { return known_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  const std::size_t capacity_;
  std::vector<std::uint64_t> order_;  // ring of hashes, oldest at next_
  std::size_t next_ = 0;
  std::unordered_set<std::uint64_t> known_;
};

}  // namespace hookfan::tools
