#include "engine/events/notification_batch.h"

#include <gtest/gtest.h>

namespace hookfan::engine {
namespace {

TEST(NotificationBatchTest, DeduplicatesTypesInFirstSeenOrder) {
  NotificationBatch batch;
  EXPECT_TRUE(batch.empty());
  for (const char* type :
       {"eventsChanged", "streamsChanged", "eventsChanged", "accessesChanged", "streamsChanged"}) {
    batch.Add(type);
  }
  EXPECT_EQ(batch.events(), 5u);
  EXPECT_EQ(batch.distinct_types(), 3u);
  EXPECT_EQ(batch.TakeBody("1.4.8", 20190810, 1557927701698),
            R"({"messages":["eventsChanged","streamsChanged","accessesChanged"],)"
            R"("meta":{"apiVersion":"1.4.8","serverTime":1557927701.698,"serial":20190810}})");
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(batch.distinct_types(), 0u);
}

TEST(NotificationBatchTest, ServerTimeKeepsLeadingZerosOfTheFraction) {
  NotificationBatch batch;
  batch.Add("a");
  EXPECT_NE(batch.TakeBody("1", 1, 1000005).find(R"("serverTime":1000.005)"), std::string::npos);
}

TEST(NotificationBatchTest, TypesAreEscaped) {
  NotificationBatch batch;
  batch.Add("a\"b");
  EXPECT_NE(batch.TakeBody("1", 0, 0).find(R"(["a\"b"])"), std::string::npos);
}

}  // namespace
}  // namespace hookfan::engine
