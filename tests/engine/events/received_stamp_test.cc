#include "engine/events/received_stamp.h"

#include <gtest/gtest.h>

namespace hookfan::engine {
namespace {

constexpr std::int64_t kMs = 1426699302571;  // 2015-03-18T17:21:42.571Z

TEST(ReceivedStampTest, FormatsLikeIonic) {
  EXPECT_EQ(FormatReceivedTime(kMs), "2015-03-18T17:21:42.571000");
  EXPECT_EQ(FormatReceivedTime(0), "1970-01-01T00:00:00.000000");
}

TEST(ReceivedStampTest, InsertsFirstAndKeepsOtherValuesByteForByte) {
  std::string out;
  ASSERT_TRUE(StampReceivedField(R"({ "user_id" : 1337, "push": {"t": [1.50, "x"]} })", "received",
                                 kMs, &out));
  EXPECT_EQ(
      out, R"({"received":"2015-03-18T17:21:42.571000","user_id":1337,"push":{"t": [1.50, "x"]}})");
}

TEST(ReceivedStampTest, ReplacesAnExistingFieldSoThereIsOnlyOne) {
  std::string out;
  ASSERT_TRUE(
      StampReceivedField(R"({"received":"2001-01-01T00:00:00","a":true})", "received", kMs, &out));
  EXPECT_EQ(out, R"({"received":"2015-03-18T17:21:42.571000","a":true})");
}

TEST(ReceivedStampTest, EmptyObjectGetsJustTheField) {
  std::string out;
  ASSERT_TRUE(StampReceivedField("{}", "received", kMs, &out));
  EXPECT_EQ(out, R"({"received":"2015-03-18T17:21:42.571000"})");
}

TEST(ReceivedStampTest, NonObjectsAndMalformedPayloadsAreLeftAlone) {
  std::string out = "untouched";
  EXPECT_FALSE(StampReceivedField("[1,2]", "received", kMs, &out));
  EXPECT_FALSE(StampReceivedField("\"text\"", "received", kMs, &out));
  EXPECT_FALSE(StampReceivedField(R"({"a":tru})", "received", kMs, &out));
  EXPECT_FALSE(StampReceivedField("", "received", kMs, &out));
  EXPECT_EQ(out, "untouched");
}

}  // namespace
}  // namespace hookfan::engine
