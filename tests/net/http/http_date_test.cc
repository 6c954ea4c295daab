#include "net/http/http_date.h"

#include <gtest/gtest.h>

#include <array>
#include <string_view>

namespace hookfan::net {
namespace {

TEST(HttpDateCacheTest, FormatsTheImfFixdateOfRfc9110) {
  std::array<char, 48> buffer;
  EXPECT_EQ(HttpDateCache::Format(784111777, &buffer), "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n");
  EXPECT_EQ(HttpDateCache::Format(0, &buffer), "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n");
}

TEST(HttpDateCacheTest, ReusesTheLineWithinASecond) {
  HttpDateCache cache;
  std::string_view first = cache.Line(1000);
  EXPECT_EQ(first.rfind("Date: ", 0), 0u);
  EXPECT_TRUE(first.ends_with(" GMT\r\n"));
  // Same buffer, same bytes: nothing was formatted again.
  EXPECT_EQ(cache.Line(1999).data(), first.data());
}

}  // namespace
}  // namespace hookfan::net
