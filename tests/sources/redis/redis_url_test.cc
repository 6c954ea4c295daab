#include "sources/redis/redis_url.h"

#include <gtest/gtest.h>

namespace hookfan::sources {
namespace {

TEST(RedisUrlTest, ReadsHostPortDatabaseAndCredentials) {
  auto a = ParseRedisUrl("redis://127.0.0.1:6380/2");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 6380);
  EXPECT_EQ(a->db, 2);
  EXPECT_EQ(a->password, "");
  auto b = ParseRedisUrl("redis://alice:p%40ss%3Aword@redis.internal");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "redis.internal");
  EXPECT_EQ(b->port, 6379);
  EXPECT_EQ(b->db, 0);
  EXPECT_EQ(b->username, "alice");
  EXPECT_EQ(b->password, "p@ss:word");
  auto c = ParseRedisUrl("redis://:secret@[::1]:7000/1");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 7000);
  EXPECT_EQ(c->username, "");
  EXPECT_EQ(c->password, "secret");
  auto d = ParseRedisUrl("redis://secret@h");  // a password alone, as many clients write it
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->password, "secret");
}

TEST(RedisUrlTest, RefusesWhatItCannotUse) {
  for (const char* url : {"http://h", "redis://", "redis://h:0", "redis://h:99999", "redis://h/x",
                          "redis://[::1", "redis://a:%zz@h", "redis://a:%4@h", "rediss://h"}) {
    auto parsed = ParseRedisUrl(url, "source.redis.url");
    EXPECT_FALSE(parsed.ok()) << url;
    EXPECT_TRUE(parsed.status().message().starts_with("source.redis.url: ")) << url;
  }
}

}  // namespace
}  // namespace hookfan::sources
