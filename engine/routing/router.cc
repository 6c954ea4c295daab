#include "engine/routing/router.h"

#include <algorithm>
#include <limits>

#include "net/base/check.h"

namespace hookfan::engine {
namespace {

// Built by appending: GCC 12 reports a false -Wrestrict on `"\"" + std::string(id)`.
std::string Quoted(std::string_view id) {
  std::string out;
  out.reserve(id.size() + 2);
  out += '"';
  out += id;
  out += '"';
  return out;
}

}  // namespace

Router::Router(std::size_t max_endpoints)
    // The generation-stamp array and postings hold indices as uint32.
    : max_endpoints_(
          std::min<std::size_t>(max_endpoints, std::numeric_limits<EndpointIndex>::max())) {}

StatusOr<EndpointIndex> Router::AddEndpoint(const SubscriptionSpec& spec) {
  StatusOr<Subscription> sub = ParseSubscription(spec);
  if (!sub.ok()) return sub.status();
  if (by_id_.find(std::string_view(spec.endpoint_id)) != by_id_.end()) {
    return Status::AlreadyExists("endpoint_id: " + Quoted(spec.endpoint_id) + " already exists");
  }
  if (live_count_ >= max_endpoints_) {
    return Status::ResourceExhausted("endpoints: limit of " + std::to_string(max_endpoints_) +
                                     " endpoints reached");
  }

  EndpointIndex index;
  if (!free_indices_.empty()) {
    index = free_indices_.back();
    free_indices_.pop_back();
  } else {
    index = static_cast<EndpointIndex>(endpoints_.size());
    endpoints_.emplace_back();
    seen_.push_back(0);
  }
  EndpointRecord& record = endpoints_[index];
  record.id = spec.endpoint_id;
  record.subscription = std::move(*sub);
  record.live = true;
  record.enabled = true;
  by_id_.emplace(record.id, index);
  Link(index);
  ++live_count_;
  ++enabled_count_;
  return index;
}

Status Router::RemoveEndpoint(std::string_view endpoint_id) {
  HOOKFAN_RETURN_IF_ERROR(ValidateEndpointId(endpoint_id));
  auto it = by_id_.find(endpoint_id);
  if (it == by_id_.end()) {
    return Status::NotFound("endpoint_id: no endpoint " + Quoted(endpoint_id));
  }
  const EndpointIndex index = it->second;
  by_id_.erase(it);
  if (endpoints_[index].enabled) {
    Unlink(index);
    --enabled_count_;
  }
  // Release the strings and vectors now: a removed slot may stay free for a long time.
  endpoints_[index] = EndpointRecord{};
  free_indices_.push_back(index);
  --live_count_;
  return Status::Ok();
}

Status Router::SetEnabled(std::string_view endpoint_id, bool enabled) {
  HOOKFAN_RETURN_IF_ERROR(ValidateEndpointId(endpoint_id));
  auto it = by_id_.find(endpoint_id);
  if (it == by_id_.end()) {
    return Status::NotFound("endpoint_id: no endpoint " + Quoted(endpoint_id));
  }
  EndpointRecord& record = endpoints_[it->second];
  if (record.enabled == enabled) return Status::Ok();
  if (enabled) {
    Link(it->second);
    ++enabled_count_;
  } else {
    Unlink(it->second);
    --enabled_count_;
  }
  record.enabled = enabled;
  return Status::Ok();
}

std::optional<EndpointIndex> Router::Find(std::string_view endpoint_id) const {
  auto it = by_id_.find(endpoint_id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

const Router::EndpointRecord& Router::Live(EndpointIndex index) const {
  HOOKFAN_CHECK(index < endpoints_.size() && endpoints_[index].live);
  return endpoints_[index];
}

const std::string& Router::IdOf(EndpointIndex index) const { return Live(index).id; }
bool Router::IsEnabled(EndpointIndex index) const { return Live(index).enabled; }
const Subscription& Router::SubscriptionOf(EndpointIndex index) const {
  return Live(index).subscription;
}

Router::TypeBucket* Router::BucketFor(const TypeFilter& filter, bool create) {
  if (filter.kind == TypeFilterKind::kAll) return &all_;
  StringMap<TypeBucket>& map = filter.kind == TypeFilterKind::kExact ? exact_ : prefix_;
  auto it = map.find(std::string_view(filter.key));
  if (it != map.end()) return &it->second;
  if (!create) return nullptr;
  return &map.emplace(filter.key, TypeBucket{}).first->second;
}

// Buckets live in node-based maps, so the pointers taken here stay valid while other
// buckets are inserted.
void Router::Link(EndpointIndex index) {
  EndpointRecord& record = endpoints_[index];
  const std::vector<TypeFilter>& types = record.subscription.types;
  const std::vector<std::string>& channels = record.subscription.channels;
  const std::size_t per_type = std::max<std::size_t>(1, channels.size());
  record.positions.resize(types.size() * per_type);
  for (std::size_t t = 0; t < types.size(); ++t) {
    TypeBucket* bucket = BucketFor(types[t], /*create=*/true);
    for (std::size_t c = 0; c < per_type; ++c) {
      PostingList* list = &bucket->any_channel;
      if (!channels.empty()) {
        auto it = bucket->by_channel.find(std::string_view(channels[c]));
        if (it == bucket->by_channel.end())
          it = bucket->by_channel.emplace(channels[c], PostingList{}).first;
        list = &it->second;
      }
      const auto membership = static_cast<std::uint32_t>(t * per_type + c);
      record.positions[membership] = static_cast<std::uint32_t>(list->size());
      list->push_back({index, membership});
    }
  }
}

void Router::Unlink(EndpointIndex index) {
  EndpointRecord& record = endpoints_[index];
  const std::vector<TypeFilter>& types = record.subscription.types;
  const std::vector<std::string>& channels = record.subscription.channels;
  const std::size_t per_type = std::max<std::size_t>(1, channels.size());
  // Swap-remove: the last entry takes the leaving one's slot, and its owner learns its new
  // position, so leaving a list of 100,000 endpoints costs O(1).
  auto remove_at = [this](PostingList& list, std::uint32_t position) {
    const Posting last = list.back();
    list[position] = last;
    endpoints_[last.endpoint].positions[last.membership] = position;
    list.pop_back();
  };
  for (std::size_t t = 0; t < types.size(); ++t) {
    TypeBucket* bucket = BucketFor(types[t], /*create=*/false);
    HOOKFAN_CHECK(bucket != nullptr);
    for (std::size_t c = 0; c < per_type; ++c) {
      const std::uint32_t position = record.positions[t * per_type + c];
      if (channels.empty()) {
        remove_at(bucket->any_channel, position);
        continue;
      }
      auto it = bucket->by_channel.find(std::string_view(channels[c]));
      HOOKFAN_CHECK(it != bucket->by_channel.end());
      remove_at(it->second, position);
      if (it->second.empty()) bucket->by_channel.erase(it);
    }
    // Drop empty buckets so that churn through many distinct types does not leak memory.
    if (types[t].kind != TypeFilterKind::kAll && bucket->empty()) {
      StringMap<TypeBucket>& map = types[t].kind == TypeFilterKind::kExact ? exact_ : prefix_;
      map.erase(map.find(std::string_view(types[t].key)));
    }
  }
}

void Router::Match(const Event& event, std::vector<EndpointIndex>* out) const {
  Match(event.type, event.channels, out);
}

void Router::Match(std::string_view type, std::span<const std::string> channels,
                   std::vector<EndpointIndex>* out) const {
  out->clear();
  if (++generation_ == 0) {
    // Once per 2^32 matches: old stamps could now collide with the new generation.
    std::fill(seen_.begin(), seen_.end(), 0);
    generation_ = 1;
  }
  // Event types come from remote peers: a type longer than any filter can match no exact
  // filter, and wildcard keys are at most kMaxEventTypeLength long, so a huge dotted type
  // costs a bounded number of hashes, not one per '.' each as long as the type.
  if (!exact_.empty() && type.size() <= kMaxEventTypeLength) {
    auto it = exact_.find(type);
    if (it != exact_.end()) Visit(it->second, channels, out);
  }
  if (!prefix_.empty()) {
    // "a.b.c" is covered by the wildcards "a.*" and "a.b.*": one lookup per '.' that has
    // something after it.
    for (std::size_t dot = type.find('.');
         dot != std::string_view::npos && dot + 1 < type.size() && dot <= kMaxEventTypeLength;
         dot = type.find('.', dot + 1)) {
      auto it = prefix_.find(type.substr(0, dot));
      if (it != prefix_.end()) Visit(it->second, channels, out);
    }
  }
  if (!all_.empty()) Visit(all_, channels, out);
}

void Router::Visit(const TypeBucket& bucket, std::span<const std::string> channels,
                   std::vector<EndpointIndex>* out) const {
  Collect(bucket.any_channel, out);
  if (bucket.by_channel.empty()) return;
  for (const std::string& channel : channels) {
    auto it = bucket.by_channel.find(std::string_view(channel));
    if (it != bucket.by_channel.end()) Collect(it->second, out);
  }
}

void Router::Collect(const PostingList& list, std::vector<EndpointIndex>* out) const {
  const std::uint32_t generation = generation_;
  std::uint32_t* seen = seen_.data();
  for (const Posting& posting : list) {
    if (seen[posting.endpoint] != generation) {
      seen[posting.endpoint] = generation;
      out->push_back(posting.endpoint);
    }
  }
}

}  // namespace hookfan::engine
