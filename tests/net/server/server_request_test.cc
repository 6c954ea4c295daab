#include "net/server/server_request.h"

#include <gtest/gtest.h>

namespace hookfan::net {
namespace {

TEST(ServerRequestTest, SplitsTheTargetIntoPathAndQuery) {
  ServerRequest with_query("GET", "/v1/events?limit=10&x", 1, {}, "", true);
  EXPECT_EQ(with_query.path(), "/v1/events");
  EXPECT_EQ(with_query.query(), "limit=10&x");
  ServerRequest without("GET", "/healthz", 1, {}, "", true);
  EXPECT_EQ(without.path(), "/healthz");
  EXPECT_EQ(without.query(), "");
}

TEST(ServerRequestTest, FindsHeadersIgnoringCase) {
  HttpHeader headers[] = {
      {"Content-Type", "application/json"}, {"webhook-id", "msg_1"}, {"Webhook-Id", "second"}};
  ServerRequest request("POST", "/", 1, headers, "{}", true);
  EXPECT_EQ(request.FindHeader("content-type"), "application/json");
  EXPECT_EQ(request.FindHeader("WEBHOOK-ID"), "msg_1");  // the first one wins
  EXPECT_FALSE(request.FindHeader("authorization").has_value());
  EXPECT_TRUE(HeaderNameEquals("X-A", "x-a"));
  EXPECT_FALSE(HeaderNameEquals("X-A", "x-b"));
  EXPECT_FALSE(HeaderNameEquals("X-A", "x-ab"));
}

}  // namespace
}  // namespace hookfan::net
