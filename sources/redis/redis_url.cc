#include "sources/redis/redis_url.h"

#include <charconv>

namespace hookfan::sources {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool PercentDecode(std::string_view text, std::string* out) {
  out->clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out->push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return false;
    const int high = HexDigit(text[i + 1]);
    const int low = HexDigit(text[i + 2]);
    if (high < 0 || low < 0) return false;
    out->push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return true;
}

bool ParseInt(std::string_view text, int min, int max, int* out) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return false;
  if (value < min || value > max) return false;
  *out = value;
  return true;
}

}  // namespace

StatusOr<RedisAddress> ParseRedisUrl(std::string_view url, std::string_view field) {
  std::string prefix(field);
  prefix += ": ";
  // Appended piece by piece: GCC 12 reports a false -Wrestrict on chained operator+.
  auto fail = [&](const std::string& message) {
    std::string text = prefix;
    text += message;
    text += " (expected redis://[:password@]host[:port][/db])";
    return Status::InvalidArgument(std::move(text));
  };
  if (url.starts_with("rediss://")) {
    std::string text = prefix;
    text +=
        "rediss:// (TLS) is not supported: this build's hiredis (Debian 0.14) has no TLS; use "
        "redis:// over a trusted network or a TLS tunnel";
    return Status::InvalidArgument(std::move(text));
  }
  if (!url.starts_with("redis://")) {
    std::string what = "'";
    what += url;
    what += "' is not a redis:// URL";
    return fail(what);
  }
  std::string_view rest = url.substr(8);
  RedisAddress address;
  const std::size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const std::size_t colon = userinfo.find(':');
    std::string_view user = colon == std::string_view::npos ? userinfo : userinfo.substr(0, colon);
    std::string_view password =
        colon == std::string_view::npos ? std::string_view() : userinfo.substr(colon + 1);
    // redis://secret@host is how many clients write a password alone.
    if (colon == std::string_view::npos) std::swap(user, password);
    if (!PercentDecode(user, &address.username) || !PercentDecode(password, &address.password)) {
      return fail("a bad percent escape in the user or password");
    }
  }
  std::string_view path;
  if (const std::size_t slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  std::string_view host = rest;
  std::string_view port;
  if (host.starts_with('[')) {
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos) return fail("an unclosed '[' in the host");
    if (close + 1 < host.size()) {
      if (host[close + 1] != ':') return fail("junk after the IPv6 host");
      port = host.substr(close + 2);
    }
    host = host.substr(1, close - 1);
  } else if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.empty()) return fail("the host is missing");
  address.host = std::string(host);
  if (!port.empty() && !ParseInt(port, 1, 65535, &address.port)) {
    return fail("port '" + std::string(port) + "' is not 1 to 65535");
  }
  if (!path.empty() && !ParseInt(path, 0, 1 << 20, &address.db)) {
    return fail("database '" + std::string(path) + "' is not a number");
  }
  return address;
}

}  // namespace hookfan::sources
