#pragma once
// StringMap<V>: a std::unordered_map keyed by std::string that can be searched with a
// std::string_view (heterogeneous lookup), so a lookup on the hot path never builds a
// temporary std::string.
//
//   StringMap<int> counts;
//   counts.emplace("pass.created", 1);
//   auto it = counts.find(std::string_view(type));   // no allocation

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hookfan::engine {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

}  // namespace hookfan::engine
