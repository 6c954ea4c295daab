#include "engine/routing/subscription.h"

#include <gtest/gtest.h>

#include <string>

namespace hookfan::engine {
namespace {

// Appends rather than `"ep" + std::to_string(i)`, on which GCC 12 reports a false
// -Wrestrict.
std::string Numbered(std::string_view prefix, int i) {
  std::string out(prefix);
  out += std::to_string(i);
  return out;
}

std::string ErrorOf(std::string_view filter) {
  StatusOr<TypeFilter> parsed = ParseTypeFilter(filter, "event_types[0]");
  EXPECT_FALSE(parsed.ok()) << filter;
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  return parsed.status().message();
}

TEST(SubscriptionTest, ParsesExactWildcardAndAllFilters) {
  StatusOr<TypeFilter> exact = ParseTypeFilter("pass.created");
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(*exact, (TypeFilter{TypeFilterKind::kExact, "pass.created"}));

  StatusOr<TypeFilter> prefix = ParseTypeFilter("pass.*");
  ASSERT_TRUE(prefix.ok());
  EXPECT_EQ(*prefix, (TypeFilter{TypeFilterKind::kPrefix, "pass"}));
  EXPECT_EQ(prefix->ToString(), "pass.*");

  StatusOr<TypeFilter> deep = ParseTypeFilter("a-b.c_d:e.*");
  ASSERT_TRUE(deep.ok());
  EXPECT_EQ(*deep, (TypeFilter{TypeFilterKind::kPrefix, "a-b.c_d:e"}));

  StatusOr<TypeFilter> all = ParseTypeFilter("*");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->kind, TypeFilterKind::kAll);
  EXPECT_EQ(all->ToString(), "*");

  StatusOr<TypeFilter> single = ParseTypeFilter("ping");
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->kind, TypeFilterKind::kExact);
}

TEST(SubscriptionTest, MalformedFiltersGetErrorsNamingFieldAndProblem) {
  EXPECT_EQ(ErrorOf(""), "event_types[0]: must not be empty (use \"*\" for all types)");
  const std::string star =
      ": '*' must be the whole last segment, as in \"pass.*\", or the whole filter \"*\"";
  EXPECT_EQ(ErrorOf("pa*ss"), "event_types[0]: \"pa*ss\"" + star);
  EXPECT_EQ(ErrorOf("*.x"), "event_types[0]: \"*.x\"" + star);
  EXPECT_EQ(ErrorOf("pass*"), "event_types[0]: \"pass*\"" + star);
  EXPECT_EQ(ErrorOf("pass.**"), "event_types[0]: \"pass.**\"" + star);
  EXPECT_EQ(ErrorOf("**"), "event_types[0]: \"**\"" + star);
  EXPECT_EQ(ErrorOf("a.*.b"), "event_types[0]: \"a.*.b\"" + star);
  const std::string empty_segment =
      ": empty segment (segments are separated by a single '.', with none at either end)";
  EXPECT_EQ(ErrorOf("pass."), "event_types[0]: \"pass.\"" + empty_segment);
  EXPECT_EQ(ErrorOf(".pass"), "event_types[0]: \".pass\"" + empty_segment);
  EXPECT_EQ(ErrorOf("a..b"), "event_types[0]: \"a..b\"" + empty_segment);
  EXPECT_EQ(ErrorOf(".*"), "event_types[0]: \".*\"" + empty_segment);
  EXPECT_EQ(ErrorOf("a..*"), "event_types[0]: \"a..*\"" + empty_segment);
  EXPECT_EQ(ErrorOf("pa ss"),
            "event_types[0]: \"pa ss\": character \" \" at position 2 is not allowed (allowed: "
            "A-Z a-z 0-9 _ : -, and '.' between segments)");
  EXPECT_NE(ErrorOf("a\nb").find("character \"\\x0a\" at position 1"), std::string::npos);
  EXPECT_NE(ErrorOf(std::string(257, 'a')).find("is 257 characters long, at most 256 allowed"),
            std::string::npos);
}

TEST(SubscriptionTest, EndpointIdsAreOneTo128AllowedCharacters) {
  EXPECT_TRUE(ValidateEndpointId("ep_1.prod:eu-west").ok());
  EXPECT_TRUE(ValidateEndpointId(std::string(128, 'x')).ok());
  EXPECT_EQ(ValidateEndpointId("").message(), "endpoint_id: must not be empty");
  EXPECT_NE(ValidateEndpointId(std::string(129, 'x')).message().find("endpoint_id: \"xxx"),
            std::string::npos);
  EXPECT_NE(ValidateEndpointId(std::string(129, 'x')).message().find("is 129 characters long"),
            std::string::npos);
  EXPECT_EQ(ValidateEndpointId("my endpoint").message(),
            "endpoint_id: \"my endpoint\": character \" \" at position 2 is not allowed "
            "(allowed: A-Z a-z 0-9 _ . : -)");
  EXPECT_EQ(ValidateEndpointId("a/b").code(), StatusCode::kInvalidArgument);
}

TEST(SubscriptionTest, BadChannelsNameTheirIndex) {
  SubscriptionSpec spec{.endpoint_id = "ep", .event_types = {}, .channels = {"ok", ""}};
  EXPECT_EQ(ParseSubscription(spec).status().message(), "channels[1]: must not be empty");
  spec.channels = {"tenant 1"};
  EXPECT_EQ(ParseSubscription(spec).status().message(),
            "channels[0]: \"tenant 1\": character \" \" at position 6 is not allowed (allowed: "
            "A-Z a-z 0-9 _ . : -)");
  spec.channels = {std::string(129, 'c')};
  EXPECT_NE(ParseSubscription(spec).status().message().find("channels[0]: "), std::string::npos);
}

TEST(SubscriptionTest, BadFiltersAndIdsNameTheirField) {
  SubscriptionSpec spec{.endpoint_id = "ep", .event_types = {"a.b", "pa*ss"}, .channels = {}};
  StatusOr<Subscription> sub = ParseSubscription(spec);
  ASSERT_FALSE(sub.ok());
  EXPECT_EQ(sub.status().message().rfind("event_types[1]: \"pa*ss\": ", 0), 0u)
      << sub.status().message();
  spec.event_types = {"a.b"};
  spec.endpoint_id = "";
  EXPECT_EQ(ParseSubscription(spec).status().message(), "endpoint_id: must not be empty");
}

TEST(SubscriptionTest, TooManyFiltersOrChannelsAreRefused) {
  SubscriptionSpec spec{.endpoint_id = "ep", .event_types = {}, .channels = {}};
  for (std::size_t i = 0; i <= kMaxEventTypesPerEndpoint; ++i) {
    spec.event_types.push_back(Numbered("t", i));
  }
  EXPECT_EQ(ParseSubscription(spec).status().message(),
            "event_types: 257 filters, at most 256 allowed");
  spec.event_types.pop_back();
  EXPECT_TRUE(ParseSubscription(spec).ok());
  for (std::size_t i = 0; i <= kMaxChannelsPerEndpoint; ++i) {
    spec.channels.push_back(Numbered("c", i));
  }
  EXPECT_EQ(ParseSubscription(spec).status().message(),
            "channels: 33 channels, at most 32 allowed");
}

TEST(SubscriptionTest, EmptyTypesOrStarMeanAll) {
  SubscriptionSpec spec{.endpoint_id = "ep", .event_types = {}, .channels = {}};
  StatusOr<Subscription> none = ParseSubscription(spec);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->types, (std::vector<TypeFilter>{{TypeFilterKind::kAll, ""}}));

  spec.event_types = {"pass.created", "*", "a.*"};
  StatusOr<Subscription> star = ParseSubscription(spec);
  ASSERT_TRUE(star.ok());
  EXPECT_EQ(star->types, (std::vector<TypeFilter>{{TypeFilterKind::kAll, ""}}));
}

TEST(SubscriptionTest, NormalizationDropsDuplicatesAndFiltersCoveredByWildcards) {
  SubscriptionSpec spec{.endpoint_id = "ep",
                        .event_types = {"pass.created", "pass.*", "pass.x.*", "pass", "passes.x",
                                        "pass.created", "b.c", "b.c.*"},
                        .channels = {"z", "a", "z"}};
  StatusOr<Subscription> sub = ParseSubscription(spec);
  ASSERT_TRUE(sub.ok()) << sub.status().ToString();
  // "pass.created" and "pass.x.*" are inside "pass.*"; "pass" and "passes.x" are not; "b.c" is
  // not inside "b.c.*" (a wildcard never matches its own prefix).
  EXPECT_EQ(sub->types, (std::vector<TypeFilter>{{TypeFilterKind::kExact, "b.c"},
                                                 {TypeFilterKind::kExact, "pass"},
                                                 {TypeFilterKind::kExact, "passes.x"},
                                                 {TypeFilterKind::kPrefix, "b.c"},
                                                 {TypeFilterKind::kPrefix, "pass"}}));
  EXPECT_EQ(sub->channels, (std::vector<std::string>{"a", "z"}));
}

}  // namespace
}  // namespace hookfan::engine
