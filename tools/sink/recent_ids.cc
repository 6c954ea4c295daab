#include "tools/sink/recent_ids.h"

#include <functional>

namespace hookfan::tools {

bool RecentIds::Insert(std::string_view id) {
  if (capacity_ == 0) return false;
  const std::uint64_t hash = std::hash<std::string_view>{}(id);
  if (known_.contains(hash)) return true;
  if (order_.size() < capacity_) {
    // Grows with use: a sink that never sees ids never pays for the full capacity.
    order_.push_back(hash);
  } else {
    known_.erase(order_[next_]);
    order_[next_] = hash;
    next_ = (next_ + 1) % capacity_;
  }
  known_.insert(hash);
  return false;
}

}  // namespace hookfan::tools
