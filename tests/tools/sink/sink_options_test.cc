#include "tools/sink/sink_options.h"

#include <gtest/gtest.h>

namespace hookfan::tools {
namespace {

TEST(SinkOptionsTest, ParsesDurations) {
  EXPECT_EQ(*ParseDuration("--latency", "5ms"), 5);
  EXPECT_EQ(*ParseDuration("--latency", "2s"), 2000);
  EXPECT_EQ(*ParseDuration("--latency", "1m"), 60000);
  EXPECT_EQ(*ParseDuration("--latency", "1h"), 3600000);
  EXPECT_EQ(*ParseDuration("--latency", "0"), 0);
  for (const char* bad : {"", "5", "ms", "5 ms", "-5ms", "1.5s", "5x", "999999999999h"}) {
    StatusOr<DurationMs> parsed = ParseDuration("--latency", bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().message().rfind("--latency: \"", 0), 0u) << bad;
  }
}

TEST(SinkOptionsTest, ParsesRatesBetweenZeroAndOne) {
  EXPECT_EQ(*ParseRate("--fail-rate", "0"), 0);
  EXPECT_EQ(*ParseRate("--fail-rate", "0.25"), 0.25);
  EXPECT_EQ(*ParseRate("--fail-rate", "1"), 1);
  for (const char* bad : {"", "-0.1", "1.01", "2", "abc", "nan", "0.5x"}) {
    StatusOr<double> parsed = ParseRate("--fail-rate", bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.status().message().find("--fail-rate"), std::string::npos);
  }
}

TEST(SinkOptionsTest, ParsesListenAddresses) {
  StatusOr<ListenAddress> v4 = ParseListenAddress("--listen", "127.0.0.1:8080");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);
  StatusOr<ListenAddress> v6 = ParseListenAddress("--listen", "[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  for (const char* bad : {"", "127.0.0.1", "localhost:80", "127.0.0.1:65536", "1.2.3.4:x", ":80"}) {
    StatusOr<ListenAddress> parsed = ParseListenAddress("--listen", bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().message().rfind("--listen: ", 0), 0u);
  }
}

TEST(SinkOptionsTest, ParsesStatusesAndCounts) {
  EXPECT_EQ(*ParseHttpStatus("--status", "204"), 204);
  EXPECT_FALSE(ParseHttpStatus("--status", "99").ok());
  EXPECT_FALSE(ParseHttpStatus("--status", "600").ok());
  EXPECT_EQ(*ParseCount("--track-ids", "10", 100), 10u);
  EXPECT_FALSE(ParseCount("--track-ids", "101", 100).ok());
  EXPECT_FALSE(ParseCount("--track-ids", "-1", 100).ok());
}

TEST(SinkOptionsTest, ValidateNamesTheBadField) {
  SinkOptions options;
  EXPECT_TRUE(ValidateSinkOptions(options).ok());
  options.reset_rate = -1;
  EXPECT_EQ(ValidateSinkOptions(options).message(), "reset_rate: must be between 0 and 1");
  options = SinkOptions{};
  options.secret = "nope";
  EXPECT_EQ(ValidateSinkOptions(options).message(), "secret: must start with \"whsec_\"");
  options = SinkOptions{};
  options.fail_status = 42;
  EXPECT_EQ(ValidateSinkOptions(options).message(), "fail_status: must be in 100..599");
}

}  // namespace
}  // namespace hookfan::tools
