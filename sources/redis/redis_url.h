#pragma once
// `[source.redis] url`: redis://[user:password@]host[:port][/db]
//
//   auto address = ParseRedisUrl("redis://:s3cret@127.0.0.1:6380/2");
//   // address->host "127.0.0.1", port 6380, db 2, password "s3cret"
//
// The user and password may be percent-encoded (a '@' or ':' in a password is %40, %3A).
// rediss:// (TLS) is refused with a clear error: the hiredis of this build (Debian 0.14)
// has no TLS support.

#include <string>
#include <string_view>

#include "net/base/status.h"

namespace hookfan::sources {

struct RedisAddress {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  std::string username;  // empty: AUTH with the password alone (the default user)
  std::string password;  // empty: no AUTH
};

// Errors are kInvalidArgument naming `field` ("source.redis.url: ...").
StatusOr<RedisAddress> ParseRedisUrl(std::string_view url, std::string_view field = "url");

}  // namespace hookfan::sources
