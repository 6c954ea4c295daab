#include "net/base/status.h"

#include <gtest/gtest.h>

namespace hookfan {
namespace {

StatusOr<int> ParsePositive(int value) {
  if (value <= 0) return Status::InvalidArgument("value: must be positive");
  return value;
}

Status Chain(int value) {
  HOOKFAN_RETURN_IF_ERROR(ParsePositive(value).status());
  return Status::Ok();
}

TEST(StatusTest, OkByDefault) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.ToString(), "ok");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status status = Status::InvalidArgument("secret: not base64");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.ToString(), "invalid argument: secret: not base64");
  EXPECT_EQ(status.WithContext("endpoint 'a'").message(), "endpoint 'a': secret: not base64");
}

TEST(StatusTest, StatusOrHoldsValueOrError) {
  StatusOr<int> good = ParsePositive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  StatusOr<int> bad = ParsePositive(-1);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "value: must be positive");
}

TEST(StatusTest, ReturnIfErrorStopsAtFirstError) {
  EXPECT_TRUE(Chain(1).ok());
  EXPECT_EQ(Chain(0).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hookfan
