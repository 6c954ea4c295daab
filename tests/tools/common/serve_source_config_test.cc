// The [source.redis] table of serve's TOML: defaults, every field, errors naming the file,
// the line and the field.
#include <gtest/gtest.h>

#include <string>

#include "tools/common/serve_config.h"

namespace hookfan::tools {
namespace {

std::string ErrorOf(std::string_view text) {
  StatusOr<ServeConfig> config = ParseServeConfig(text, "hookfan.toml");
  if (config.ok()) return "(parsed without error)";
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  return config.status().message();
}

TEST(ServeSourceConfigTest, NoSourceUnlessTheTableIsWritten) {
  StatusOr<ServeConfig> config = ParseServeConfig("", "empty.toml");
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(config->redis.has_value());
}

TEST(ServeSourceConfigTest, AnEmptyTableTakesTheDefaults) {
  StatusOr<ServeConfig> config = ParseServeConfig("[source.redis]\n", "hookfan.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_TRUE(config->redis.has_value());
  EXPECT_EQ(config->redis->url, "redis://127.0.0.1:6379/0");
  EXPECT_EQ(config->redis->stream, "hookfan:events");
  EXPECT_EQ(config->redis->group, "hookfan");
  EXPECT_EQ(config->redis->consumer, "");
  EXPECT_EQ(config->redis->batch, 1000u);
  EXPECT_EQ(config->redis->claim_idle_ms, 0);  // serve: [http] total_timeout + 30 s
  EXPECT_EQ(config->redis->max_claims, 5);
}

TEST(ServeSourceConfigTest, ReadsEveryField) {
  StatusOr<ServeConfig> config = ParseServeConfig(R"(
[source.redis]
url = "redis://:pw@10.0.0.5:6380/3"
stream = "s"
group = "g"
consumer = "c1"
batch = 200
block = "250ms"
max_entries_in_memory = 5000
dead_max_entries = 99
claim_idle = "45s"
max_claims = 2
)",
                                                  "hookfan.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const sources::RedisSourceOptions& r = *config->redis;
  EXPECT_EQ(r.url, "redis://:pw@10.0.0.5:6380/3");
  EXPECT_EQ(r.stream, "s");
  EXPECT_EQ(r.group, "g");
  EXPECT_EQ(r.consumer, "c1");
  EXPECT_EQ(r.batch, 200u);
  EXPECT_EQ(r.block_ms, 250);
  EXPECT_EQ(r.max_entries_in_memory, 5000u);
  EXPECT_EQ(r.dead_max_entries, 99u);
  EXPECT_EQ(r.claim_idle_ms, 45000);
  EXPECT_EQ(r.max_claims, 2);
}

TEST(ServeSourceConfigTest, ErrorsNameTheLineAndTheField) {
  EXPECT_EQ(ErrorOf("[source.redis]\nurl = \"http://x\"\n"),
            "hookfan.toml:2: source.redis.url: 'http://x' is not a redis:// URL (expected "
            "redis://[:password@]host[:port][/db])");
  EXPECT_EQ(ErrorOf("[source.redis]\nurl = \"rediss://h\"\n")
                .find("hookfan.toml:2: source.redis.url: rediss:// (TLS) is not supported"),
            0u);
  EXPECT_EQ(ErrorOf("[source.redis]\n\nstream = \"\"\n"),
            "hookfan.toml:3: source.redis.stream: must not be empty");
  EXPECT_EQ(ErrorOf("[source.redis]\nbatch = 0\n"),
            "hookfan.toml:2: source.redis.batch: must be between 1 and 100000, got 0");
  EXPECT_EQ(ErrorOf("[source.redis]\nstrem = \"x\"\n"),
            "hookfan.toml:2: source.redis.strem: unknown field");
  EXPECT_EQ(ErrorOf("[source.redis]\nclaim_idle = \"10ms\"\n"),
            "hookfan.toml:2: source.redis.claim_idle: must be at least 100ms");
  EXPECT_EQ(ErrorOf("[source.kafka]\n"), "hookfan.toml:1: source.kafka: unknown field");
}

}  // namespace
}  // namespace hookfan::tools
