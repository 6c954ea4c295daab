#pragma once
// HttpDateCache: the "Date: ...\r\n" header line a server sends with every response
// (RFC 9110 6.6.1), formatted at most once per second instead of once per response.
//
//   HttpDateCache date;
//   AppendHttpResponse(response, framing, date.Line(uv_now(loop)), &out);
//
// One per loop; not thread-safe.

#include <array>
#include <cstdint>
#include <string_view>

#include "net/base/clock.h"

namespace hookfan::net {

class HttpDateCache {
 public:
  HttpDateCache() = default;
  HttpDateCache(const HttpDateCache&) = delete;
  HttpDateCache& operator=(const HttpDateCache&) = delete;

  // The line for the current wall-clock second; `now` (monotonic, e.g. uv_now) only decides
  // when to look at the wall clock again, so the line is at most one second stale.
  std::string_view Line(TimeMs now);

  // "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n" for a Unix time in seconds.
  static std::string_view Format(std::int64_t unix_seconds, std::array<char, 48>* buffer);

 private:
  std::array<char, 48> buffer_{};
  std::string_view line_;
  TimeMs refreshed_at_ = 0;
};

}  // namespace hookfan::net
