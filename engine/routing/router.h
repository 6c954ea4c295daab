#pragma once
// Router: which endpoints an event goes to. Endpoints subscribe to event types (exact,
// trailing wildcard "pass.*", or all "*") and optionally to channels; see
// engine/routing/subscription.h for the exact matching rules and validation.
//
//   Router router;
//   StatusOr<EndpointIndex> orders = router.AddEndpoint(
//       {.endpoint_id = "orders", .event_types = {"pass.*"}, .channels = {}});
//   if (!orders.ok()) return orders.status();   // names the bad field
//   std::vector<EndpointIndex> targets;          // reused across events
//   router.Match(*event, &targets);              // -> {*orders} for "pass.created"
//   for (EndpointIndex i : targets) Deliver(router.IdOf(i), event);   // event is shared
//
// Threads: one thread only (the engine's ingest/router thread). Not thread-safe, and
// Match() is const but writes internal scratch (the de-duplication stamps), so not even
// concurrent Match() calls are allowed.
//
// Ownership: the router owns subscriptions only; it keeps no events and no delivery state.
// Match() writes endpoint indices into the caller's vector, so once that vector has grown to
// the largest fan-out seen, matching allocates nothing.
//
// Cost:
//  - Match(): a few hash lookups per '.'-segment of the event type (times 1 + the event's
//    channel count when some endpoints use channels), plus O(1) per matched endpoint. Types
//    are not validated here (any bytes follow the rules above); lookups look at no more
//    than a type's first kMaxEventTypeLength characters (no filter is longer), so a hostile
//    1 MB dotted type stays cheap. It never walks endpoints that do not match, nor disabled ones:
//    100,000 endpoints cost the same as 10 when an event matches 10 of them. Each endpoint appears
//    at most once per event, even when several of its filters or channels match. Order is
//    unspecified.
//  - AddEndpoint / SetEnabled / RemoveEndpoint: O(filters x channels) of that endpoint
//    (each endpoint is indexed under every (filter, channel) pair; disabled endpoints are
//    taken out of the index entirely, so they cost Match() nothing).
//
// Endpoint indices are dense uint32 values, stable while the endpoint exists (disabling
// keeps it); after RemoveEndpoint the index may be handed to a later AddEndpoint. All live
// indices are < index_bound(), so callers can keep per-endpoint arrays indexed by them.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/string_map.h"
#include "engine/events/event.h"
#include "engine/routing/subscription.h"
#include "net/base/status.h"

namespace hookfan::engine {

using EndpointIndex = std::uint32_t;

class Router {
 public:
  static constexpr std::size_t kDefaultMaxEndpoints = 1'000'000;

  // AddEndpoint fails with ResourceExhausted once `max_endpoints` endpoints exist.
  explicit Router(std::size_t max_endpoints = kDefaultMaxEndpoints);
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Validates `spec` (errors name the field: endpoint_id, event_types[i], channels[i]) and
  // adds the endpoint, enabled. AlreadyExists if the id is taken. Messages do not repeat
  // the id; a caller loading many endpoints adds it with Status::WithContext.
  StatusOr<EndpointIndex> AddEndpoint(const SubscriptionSpec& spec);
  // NotFound if no endpoint has this id. Its index may be reused afterwards.
  Status RemoveEndpoint(std::string_view endpoint_id);
  // Disabled endpoints stay known (Find, IdOf work) but Match() never returns them.
  // Setting the current state again is a no-op. NotFound for an unknown id.
  Status SetEnabled(std::string_view endpoint_id, bool enabled);

  // Clears `out`, then fills it with every enabled endpoint subscribed to the event.
  void Match(const Event& event, std::vector<EndpointIndex>* out) const;
  void Match(std::string_view type, std::span<const std::string> channels,
             std::vector<EndpointIndex>* out) const;

  std::optional<EndpointIndex> Find(std::string_view endpoint_id) const;
  // These take the index of an existing endpoint (checked).
  const std::string& IdOf(EndpointIndex index) const;
  bool IsEnabled(EndpointIndex index) const;
  const Subscription& SubscriptionOf(EndpointIndex index) const;

  std::size_t size() const { return live_count_; }  // enabled or not
  std::size_t enabled_count() const { return enabled_count_; }
  EndpointIndex index_bound() const { return static_cast<EndpointIndex>(endpoints_.size()); }

  // Distinct exact and wildcard filters currently indexed (empty ones are dropped).
  std::size_t TypeBucketCountForTest() const { return exact_.size() + prefix_.size(); }
  // Moves the de-duplication generation, to test its wrap-around at 2^32 matches.
  void SetGenerationForTest(std::uint32_t generation) { generation_ = generation; }

 private:
  // One entry in a posting list: the endpoint, and which of its memberships put it there
  // (so that a swap-remove can fix the moved entry's recorded position in O(1)).
  struct Posting {
    EndpointIndex endpoint;
    std::uint32_t membership;
  };
  using PostingList = std::vector<Posting>;

  // Endpoints under one type filter: those without channels, and those with, per channel.
  struct TypeBucket {
    PostingList any_channel;
    StringMap<PostingList> by_channel;
    bool empty() const { return any_channel.empty() && by_channel.empty(); }
  };

  struct EndpointRecord {
    std::string id;
    Subscription subscription;
    // Membership m is the pair (types[m / C], channels[m % C]) with C = max(1, channels);
    // positions[m] is where this endpoint sits in that pair's posting list while enabled.
    std::vector<std::uint32_t> positions;
    bool live = false;
    bool enabled = false;
  };

  const EndpointRecord& Live(EndpointIndex index) const;
  TypeBucket* BucketFor(const TypeFilter& filter, bool create);
  void Link(EndpointIndex index);
  void Unlink(EndpointIndex index);
  void Visit(const TypeBucket& bucket, std::span<const std::string> channels,
             std::vector<EndpointIndex>* out) const;
  void Collect(const PostingList& list, std::vector<EndpointIndex>* out) const;

  std::size_t max_endpoints_;
  std::vector<EndpointRecord> endpoints_;
  std::vector<EndpointIndex> free_indices_;
  StringMap<EndpointIndex> by_id_;
  StringMap<TypeBucket> exact_;   // key: the full type
  StringMap<TypeBucket> prefix_;  // key: the part before ".*"
  TypeBucket all_;
  std::size_t live_count_ = 0;
  std::size_t enabled_count_ = 0;

  // De-duplication within one Match(): endpoint i is already in `out` iff
  // seen_[i] == generation_. Bumping the generation resets every mark in O(1).
  mutable std::vector<std::uint32_t> seen_;
  mutable std::uint32_t generation_ = 0;
};

}  // namespace hookfan::engine
