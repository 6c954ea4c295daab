#include "engine/routing/router.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace hookfan::engine {
namespace {

// Appends rather than `"ep" + std::to_string(i)`, on which GCC 12 reports a false
// -Wrestrict.
std::string Numbered(std::string_view prefix, int i) {
  std::string out(prefix);
  out += std::to_string(i);
  return out;
}

SubscriptionSpec Spec(std::string id, std::vector<std::string> types,
                      std::vector<std::string> channels = {}) {
  return {.endpoint_id = std::move(id),
          .event_types = std::move(types),
          .channels = std::move(channels)};
}

// Matched endpoint ids, sorted, duplicates kept (so a duplicate shows up as a failure).
std::vector<std::string> Ids(const Router& router, std::string_view type,
                             std::vector<std::string> channels = {}) {
  std::vector<EndpointIndex> out;
  router.Match(type, channels, &out);
  std::vector<std::string> ids;
  for (EndpointIndex i : out) ids.push_back(router.IdOf(i));
  std::sort(ids.begin(), ids.end());
  return ids;
}

using Names = std::vector<std::string>;

void Add(Router& router, const SubscriptionSpec& spec) {
  StatusOr<EndpointIndex> added = router.AddEndpoint(spec);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
}

TEST(RouterTest, ExactFilterMatchesOnlyThatType) {
  Router router;
  Add(router, Spec("created", {"pass.created"}));
  Add(router, Spec("updated", {"pass.updated", "invoice.paid"}));
  EXPECT_EQ(Ids(router, "pass.created"), Names{"created"});
  EXPECT_EQ(Ids(router, "invoice.paid"), Names{"updated"});
  EXPECT_EQ(Ids(router, "pass"), Names{});
  EXPECT_EQ(Ids(router, "pass.created.x"), Names{});
  EXPECT_EQ(Ids(router, "Pass.created"), Names{});
}

TEST(RouterTest, WildcardMatchesDeeperTypesButNotItsOwnPrefixOrSiblings) {
  Router router;
  Add(router, Spec("pass", {"pass.*"}));
  Add(router, Spec("pass_x", {"pass.x.*"}));
  EXPECT_EQ(Ids(router, "pass.created"), Names{"pass"});
  EXPECT_EQ(Ids(router, "pass.x"), Names{"pass"});
  EXPECT_EQ(Ids(router, "pass.x.y"), (Names{"pass", "pass_x"}));
  EXPECT_EQ(Ids(router, "pass.x.y.z"), (Names{"pass", "pass_x"}));
  EXPECT_EQ(Ids(router, "pass"), Names{});
  EXPECT_EQ(Ids(router, "pass."), Names{});
  EXPECT_EQ(Ids(router, "passes.x"), Names{});
  EXPECT_EQ(Ids(router, "x.pass.y"), Names{});
  EXPECT_EQ(Ids(router, ""), Names{});
}

TEST(RouterTest, StarOrNoTypesMatchEveryType) {
  Router router;
  Add(router, Spec("star", {"*"}));
  Add(router, Spec("empty", {}));
  Add(router, Spec("other", {"a.b"}));
  EXPECT_EQ(Ids(router, "pass.created"), (Names{"empty", "star"}));
  EXPECT_EQ(Ids(router, "a.b"), (Names{"empty", "other", "star"}));
  EXPECT_EQ(Ids(router, ""), (Names{"empty", "star"}));
}

TEST(RouterTest, EndpointWithChannelsNeedsOneOfThemEndpointWithoutTakesAll) {
  Router router;
  Add(router, Spec("tenants", {"pass.*"}, {"t1", "t2"}));
  Add(router, Spec("t3", {"*"}, {"t3"}));
  Add(router, Spec("any", {"pass.created"}));
  EXPECT_EQ(Ids(router, "pass.created"), Names{"any"});
  EXPECT_EQ(Ids(router, "pass.created", {"t9"}), Names{"any"});
  EXPECT_EQ(Ids(router, "pass.created", {"t2"}), (Names{"any", "tenants"}));
  EXPECT_EQ(Ids(router, "pass.created", {"t9", "t1"}), (Names{"any", "tenants"}));
  EXPECT_EQ(Ids(router, "pass.created", {"t3", "t1"}), (Names{"any", "t3", "tenants"}));
  EXPECT_EQ(Ids(router, "other", {"t3", "t1"}), Names{"t3"});
  EXPECT_EQ(Ids(router, "other"), Names{});
}

TEST(RouterTest, EachEndpointAppearsOncePerEvent) {
  Router router;
  // Several channels matching, duplicate channels on the event, and every filter kind.
  Add(router, Spec("multi", {"pass.created", "pass.x.*", "a.*"}, {"c1", "c2", "c3"}));
  Add(router, Spec("plain", {"pass.*", "x.y"}));
  EXPECT_EQ(Ids(router, "pass.created", {"c1", "c2", "c3", "c1"}), (Names{"multi", "plain"}));
  EXPECT_EQ(Ids(router, "pass.x.y", {"c3", "c2"}), (Names{"multi", "plain"}));
  // Same event matched twice in a row: the second result is not affected by the first.
  EXPECT_EQ(Ids(router, "pass.x.y", {"c3", "c2"}), (Names{"multi", "plain"}));
}

TEST(RouterTest, MatchTakesEventTypeAndChannels) {
  Router router;
  StatusOr<EndpointIndex> index = router.AddEndpoint(Spec("ep", {"pass.*"}, {"t1"}));
  ASSERT_TRUE(index.ok());
  std::vector<EndpointIndex> out = {99, 98};
  router.Match(*MakeEvent("pass.created", "{}", "evt_1", {"t1"}), &out);
  EXPECT_EQ(out, std::vector<EndpointIndex>{*index});
  router.Match(*MakeEvent("pass.created", "{}", "evt_2"), &out);
  EXPECT_TRUE(out.empty());
}

TEST(RouterTest, MatchReusesTheCallersVector) {
  Router router;
  for (int i = 0; i < 50; ++i) Add(router, Spec(Numbered("ep", i), {"*"}));
  std::vector<EndpointIndex> out;
  router.Match("a", {}, &out);
  ASSERT_EQ(out.size(), 50u);
  const EndpointIndex* data = out.data();
  for (int i = 0; i < 10; ++i) router.Match("b", {}, &out);
  EXPECT_EQ(out.size(), 50u);
  EXPECT_EQ(out.data(), data);
}

TEST(RouterTest, DisabledEndpointIsNotReturnedUntilReenabled) {
  Router router;
  Add(router, Spec("a", {"pass.*"}, {"c"}));
  Add(router, Spec("b", {"pass.*"}));
  ASSERT_TRUE(router.SetEnabled("a", false).ok());
  EXPECT_FALSE(router.IsEnabled(*router.Find("a")));
  EXPECT_EQ(Ids(router, "pass.x", {"c"}), Names{"b"});
  EXPECT_EQ(router.size(), 2u);
  EXPECT_EQ(router.enabled_count(), 1u);
  // Disabling twice is a no-op, and the endpoint is still known.
  ASSERT_TRUE(router.SetEnabled("a", false).ok());
  EXPECT_EQ(router.enabled_count(), 1u);
  EXPECT_EQ(router.IdOf(*router.Find("a")), "a");

  ASSERT_TRUE(router.SetEnabled("a", true).ok());
  ASSERT_TRUE(router.SetEnabled("a", true).ok());
  EXPECT_EQ(Ids(router, "pass.x", {"c"}), (Names{"a", "b"}));
  EXPECT_EQ(router.enabled_count(), 2u);
}

TEST(RouterTest, RemovedEndpointIsGoneAndItsIndexMayBeReused) {
  Router router;
  StatusOr<EndpointIndex> a = router.AddEndpoint(Spec("a", {"pass.created"}));
  StatusOr<EndpointIndex> b = router.AddEndpoint(Spec("b", {"pass.created"}));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  ASSERT_TRUE(router.RemoveEndpoint("a").ok());
  EXPECT_EQ(router.Find("a"), std::nullopt);
  EXPECT_EQ(router.size(), 1u);
  EXPECT_EQ(Ids(router, "pass.created"), Names{"b"});

  StatusOr<EndpointIndex> c = router.AddEndpoint(Spec("c", {"other"}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, *a);  // reused slot
  EXPECT_EQ(router.IdOf(*c), "c");
  EXPECT_EQ(router.index_bound(), 2u);
  EXPECT_EQ(Ids(router, "pass.created"), Names{"b"});
  EXPECT_EQ(Ids(router, "other"), Names{"c"});

  // The id itself is free again.
  Add(router, Spec("a", {"other"}));
  EXPECT_EQ(Ids(router, "other"), (Names{"a", "c"}));
}

TEST(RouterTest, RemovingEndpointsDropsTheirEmptyIndexEntries) {
  Router router;
  for (int i = 0; i < 100; ++i) {
    Add(router, Spec(Numbered("ep", i), {Numbered("t", i), "w.*"}, {"c"}));
  }
  EXPECT_EQ(router.TypeBucketCountForTest(), 101u);
  ASSERT_TRUE(router.SetEnabled("ep5", false).ok());
  EXPECT_EQ(router.TypeBucketCountForTest(), 100u);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(router.RemoveEndpoint(Numbered("ep", i)).ok());
  EXPECT_EQ(router.TypeBucketCountForTest(), 0u);
  EXPECT_EQ(router.size(), 0u);
  EXPECT_EQ(router.enabled_count(), 0u);
}

TEST(RouterTest, BadCallsGetErrorsNamingTheField) {
  Router router;
  Add(router, Spec("orders", {"pass.*"}));

  StatusOr<EndpointIndex> duplicate = router.AddEndpoint(Spec("orders", {"x"}));
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.status(), Status::AlreadyExists("endpoint_id: \"orders\" already exists"));

  StatusOr<EndpointIndex> bad_filter = router.AddEndpoint(Spec("new", {"ok", "*.x"}));
  ASSERT_FALSE(bad_filter.ok());
  EXPECT_EQ(bad_filter.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_filter.status().message().rfind("event_types[1]: \"*.x\": ", 0), 0u);

  StatusOr<EndpointIndex> bad_id = router.AddEndpoint(Spec("new id", {"ok"}));
  ASSERT_FALSE(bad_id.ok());
  EXPECT_EQ(bad_id.status().message().rfind("endpoint_id: ", 0), 0u);

  StatusOr<EndpointIndex> bad_channel = router.AddEndpoint(Spec("new", {"ok"}, {""}));
  ASSERT_FALSE(bad_channel.ok());
  EXPECT_EQ(bad_channel.status().message(), "channels[0]: must not be empty");

  EXPECT_EQ(router.RemoveEndpoint("nope"), Status::NotFound("endpoint_id: no endpoint \"nope\""));
  EXPECT_EQ(router.SetEnabled("nope", false),
            Status::NotFound("endpoint_id: no endpoint \"nope\""));
  EXPECT_EQ(router.RemoveEndpoint("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.RemoveEndpoint("").message(), "endpoint_id: must not be empty");

  // Nothing already accepted was disturbed.
  EXPECT_EQ(router.size(), 1u);
  EXPECT_EQ(Ids(router, "pass.x"), Names{"orders"});
}

TEST(RouterTest, EndpointLimitIsEnforcedWithAClearError) {
  Router router(/*max_endpoints=*/2);
  Add(router, Spec("a", {}));
  Add(router, Spec("b", {}));
  StatusOr<EndpointIndex> third = router.AddEndpoint(Spec("c", {}));
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status(), Status::ResourceExhausted("endpoints: limit of 2 endpoints reached"));
  ASSERT_TRUE(router.RemoveEndpoint("a").ok());
  Add(router, Spec("c", {}));
}

TEST(RouterTest, HundredThousandEndpointsEventMatchingThreeReturnsExactlyThose) {
  Router router;
  for (int i = 0; i < 100'000; ++i) {
    Add(router, Spec(Numbered("ep", i), {Numbered("type", i) + ".created"}));
  }
  Add(router, Spec("wild", {"type77.*"}));
  Add(router, Spec("channel", {"*"}, {"vip"}));
  EXPECT_EQ(router.size(), 100'002u);
  EXPECT_EQ(Ids(router, "type77.created", {"vip"}), (Names{"channel", "ep77", "wild"}));
  EXPECT_EQ(Ids(router, "type99999.created"), Names{"ep99999"});
  EXPECT_EQ(Ids(router, "type100000.created"), Names{});
}

TEST(RouterTest, DisablingMostOfManyEndpointsLeavesOnlyTheEnabledOnes) {
  Router router;
  for (int i = 0; i < 100'000; ++i) Add(router, Spec(Numbered("ep", i), {"*"}));
  for (int i = 0; i < 100'000; ++i) {
    if (i == 10 || i == 99'999) continue;
    ASSERT_TRUE(router.SetEnabled(Numbered("ep", i), false).ok());
  }
  EXPECT_EQ(Ids(router, "anything"), (Names{"ep10", "ep99999"}));
  EXPECT_EQ(router.enabled_count(), 2u);
}

TEST(RouterTest, MatchesStayCorrectWhenTheDedupGenerationWrapsAround) {
  Router router;
  Add(router, Spec("a", {"pass.*"}, {"c1", "c2"}));
  Add(router, Spec("b", {"*"}));
  // "a" keeps the stamp of its last match (none yet: 0) while generations run past 2^32.
  router.SetGenerationForTest(0xFFFFFFFEu);
  EXPECT_EQ(Ids(router, "other"), Names{"b"});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Ids(router, "pass.x", {"c1", "c2"}), (Names{"a", "b"})) << "match " << i;
  }
}

TEST(RouterTest, HugeDottedEventTypeMatchesByTheSameRules) {
  Router router;
  Add(router, Spec("a", {"a.*"}));
  Add(router, Spec("deep", {"a.a.a.*"}));
  Add(router, Spec("all", {"*"}));
  Add(router, Spec("exact", {"a.a"}));
  std::string type = "a";
  while (type.size() < 1'000'000) type += ".a";
  EXPECT_EQ(Ids(router, type), (Names{"a", "all", "deep"}));
  EXPECT_EQ(Ids(router, "a.a"), (Names{"a", "all", "exact"}));
}

// ---- Randomized comparison with a brute-force matcher written from the rules alone. ----

bool ReferenceFilterMatches(const std::string& filter, std::string_view type) {
  if (filter == "*") return true;
  if (filter.size() >= 2 && filter.substr(filter.size() - 2) == ".*") {
    const std::string prefix = filter.substr(0, filter.size() - 1);  // keeps the '.'
    return type.size() > prefix.size() && type.substr(0, prefix.size()) == prefix;
  }
  return filter == type;
}

struct ReferenceEndpoint {
  SubscriptionSpec spec;
  bool enabled = true;
};

bool ReferenceMatches(const ReferenceEndpoint& ep, std::string_view type,
                      const std::vector<std::string>& channels) {
  if (!ep.enabled) return false;
  bool type_ok = ep.spec.event_types.empty();
  for (const std::string& f : ep.spec.event_types)
    type_ok = type_ok || ReferenceFilterMatches(f, type);
  if (!type_ok) return false;
  if (ep.spec.channels.empty()) return true;
  for (const std::string& c : ep.spec.channels) {
    if (std::find(channels.begin(), channels.end(), c) != channels.end()) return true;
  }
  return false;
}

TEST(RouterTest, AgreesWithBruteForceMatcherUnderRandomChanges) {
  std::mt19937 rng(20240611);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::vector<std::string> segments = {"a", "b", "c"};
  const std::vector<std::string> channel_names = {"x", "y", "z", "w"};
  auto random_type = [&](int max_segments) {
    std::string type = segments[pick(3)];
    for (int n = pick(max_segments); n > 0; --n) type += "." + segments[pick(3)];
    return type;
  };
  auto random_filter = [&] {
    switch (pick(6)) {
      case 0:
        return std::string("*");
      case 1:
      case 2:
        return random_type(2) + ".*";
      default:
        return random_type(3);
    }
  };
  // Event types include shapes no filter can be written as.
  const std::vector<std::string> odd_types = {"", "a.", "a..b", ".a", "a.b.", "*", "a.*"};

  Router router;
  std::map<std::string, ReferenceEndpoint> reference;
  std::vector<EndpointIndex> out;
  int matched_total = 0;
  for (int step = 0; step < 4000; ++step) {
    const std::string id = Numbered("ep", pick(60));
    const bool known = reference.count(id) > 0;
    switch (pick(4)) {
      case 0:
      case 1: {
        SubscriptionSpec spec{.endpoint_id = id, .event_types = {}, .channels = {}};
        for (int n = pick(4); n > 0; --n) spec.event_types.push_back(random_filter());
        if (pick(2) == 0) {
          for (int n = 1 + pick(2); n > 0; --n) spec.channels.push_back(channel_names[pick(3)]);
        }
        StatusOr<EndpointIndex> added = router.AddEndpoint(spec);
        ASSERT_EQ(added.ok(), !known);
        if (added.ok()) reference[id] = {spec, true};
        break;
      }
      case 2:
        ASSERT_EQ(router.RemoveEndpoint(id).ok(), known);
        reference.erase(id);
        break;
      case 3: {
        const bool enabled = pick(2) == 0;
        ASSERT_EQ(router.SetEnabled(id, enabled).ok(), known);
        if (known) reference[id].enabled = enabled;
        break;
      }
    }
    ASSERT_EQ(router.size(), reference.size());

    for (int probe = 0; probe < 3; ++probe) {
      const std::string type = pick(10) == 0 ? odd_types[pick(7)] : random_type(3);
      std::vector<std::string> channels;
      for (int n = pick(4); n > 0; --n) channels.push_back(channel_names[pick(4)]);
      router.Match(type, channels, &out);
      std::vector<std::string> got;
      for (EndpointIndex i : out) got.push_back(router.IdOf(i));
      std::sort(got.begin(), got.end());
      std::vector<std::string> want;
      for (const auto& [ref_id, ep] : reference) {
        if (ReferenceMatches(ep, type, channels)) want.push_back(ref_id);
      }
      ASSERT_EQ(got, want) << "step " << step << " type \"" << type << "\"";
      matched_total += static_cast<int>(want.size());
    }
  }
  // The run exercised real matches, not just empty results.
  EXPECT_GT(matched_total, 1000);
}

}  // namespace
}  // namespace hookfan::engine
