#include "net/http/url.h"

#include <gtest/gtest.h>

namespace hookfan::net {
namespace {

Url MustParse(std::string_view text) {
  StatusOr<Url> url = Url::Parse(text);
  EXPECT_TRUE(url.ok()) << text << ": " << url.status().ToString();
  return url.ok() ? *url : Url{};
}

std::string ErrorOf(std::string_view text) {
  StatusOr<Url> url = Url::Parse(text);
  EXPECT_FALSE(url.ok()) << text;
  if (url.ok()) return {};
  EXPECT_EQ(url.status().code(), StatusCode::kInvalidArgument);
  return url.status().message();
}

TEST(UrlTest, ParsesNameWithDefaultPortAndPath) {
  Url url = MustParse("http://Example.COM/hooks/in?x=1&y=2");
  EXPECT_EQ(url.scheme, Scheme::kHttp);
  EXPECT_EQ(url.host_kind, HostKind::kName);
  EXPECT_EQ(url.host, "example.com");
  EXPECT_EQ(url.port, 80);
  EXPECT_EQ(url.path_and_query, "/hooks/in?x=1&y=2");
  EXPECT_EQ(url.HostHeader(), "example.com");
  EXPECT_EQ(url.Origin(), "http://example.com:80");
}

TEST(UrlTest, ParsesIpv4LiteralWithPort) {
  Url url = MustParse("http://127.0.0.1:8080/in");
  EXPECT_EQ(url.host_kind, HostKind::kIpv4);
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 8080);
  EXPECT_EQ(url.HostHeader(), "127.0.0.1:8080");
}

TEST(UrlTest, ParsesBracketedIpv6Literal) {
  Url url = MustParse("http://[::1]:9000/a");
  EXPECT_EQ(url.host_kind, HostKind::kIpv6);
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 9000);
  EXPECT_EQ(url.HostHeader(), "[::1]:9000");
  EXPECT_EQ(url.Origin(), "http://[::1]:9000");
  EXPECT_EQ(MustParse("http://[FE80::1]/").host, "fe80::1");
}

TEST(UrlTest, EmptyPathBecomesSlashAndQueryOnlyGetsOne) {
  EXPECT_EQ(MustParse("http://h").path_and_query, "/");
  EXPECT_EQ(MustParse("http://h:81").path_and_query, "/");
  EXPECT_EQ(MustParse("http://h?a=b").path_and_query, "/?a=b");
}

TEST(UrlTest, FragmentIsDropped) {
  EXPECT_EQ(MustParse("http://h/p?q=1#frag").path_and_query, "/p?q=1");
  EXPECT_EQ(MustParse("http://h#frag").path_and_query, "/");
}

TEST(UrlTest, HttpsIsParsedWithItsDefaultPort) {
  Url url = MustParse("HTTPS://h.example/x");
  EXPECT_EQ(url.scheme, Scheme::kHttps);
  EXPECT_EQ(url.port, 443);
  EXPECT_EQ(url.HostHeader(), "h.example");
  EXPECT_EQ(MustParse("https://h.example:80/").HostHeader(), "h.example:80");
}

TEST(UrlTest, RefusesUnsupportedOrMissingScheme) {
  EXPECT_EQ(ErrorOf("ftp://h/x"), "url: unsupported scheme 'ftp' (expected http or https)");
  EXPECT_EQ(ErrorOf("h.example/x"), "url: missing scheme (expected http://host/path)");
  EXPECT_EQ(ErrorOf(""), "url: empty");
}

TEST(UrlTest, RefusesEmptyHost) {
  EXPECT_EQ(ErrorOf("http:///x"), "url: empty host");
  EXPECT_EQ(ErrorOf("http://:80/x"), "url: empty host");
  EXPECT_EQ(ErrorOf("http://"), "url: empty host");
}

TEST(UrlTest, RefusesBadPorts) {
  EXPECT_EQ(ErrorOf("http://h:/x"), "url: port: empty (omit the ':' for the default port)");
  EXPECT_EQ(ErrorOf("http://h:abc/x"), "url: port: not a number 'abc'");
  EXPECT_EQ(ErrorOf("http://h:0/x"), "url: port: out of range 1..65535");
  EXPECT_EQ(ErrorOf("http://h:65536/x"), "url: port: out of range 1..65535");
  EXPECT_EQ(ErrorOf("http://h:99999999999999999999/"), "url: port: out of range 1..65535");
  EXPECT_EQ(MustParse("http://h:65535/").port, 65535);
}

TEST(UrlTest, RefusesUserInfo) {
  EXPECT_EQ(ErrorOf("http://user:pw@h/x"),
            "url: user info (user@host) is not supported; put credentials in headers");
}

TEST(UrlTest, RefusesSpacesControlAndNonAsciiBytes) {
  EXPECT_EQ(ErrorOf("http://h/a b"), "url: space or control character at offset 10");
  EXPECT_EQ(ErrorOf(" http://h/"), "url: space or control character at offset 0");
  EXPECT_EQ(ErrorOf("http://h/\r\nX: y"), "url: space or control character at offset 9");
  EXPECT_EQ(ErrorOf(std::string_view("http://h/\0", 10)),
            "url: space or control character at offset 9");
  EXPECT_EQ(ErrorOf("http://h/\xc3\xa9"), "url: non-ASCII byte at offset 9 (percent-encode it)");
  EXPECT_EQ(ErrorOf("http://h\\x/"), "url: backslash at offset 8");
}

TEST(UrlTest, RefusesBadHosts) {
  EXPECT_EQ(ErrorOf("http://h!x/"), "url: host: invalid character '!'");
  EXPECT_EQ(ErrorOf("http://a..b/"), "url: host: empty label in 'a..b'");
  EXPECT_EQ(ErrorOf("http://999.1.1.1/"), "url: host: invalid IPv4 address '999.1.1.1'");
  EXPECT_EQ(ErrorOf("http://127.1/"), "url: host: invalid IPv4 address '127.1'");
  EXPECT_EQ(ErrorOf("http://[::1/"), "url: host: missing ']' after IPv6 address");
  EXPECT_EQ(ErrorOf("http://[zz::1]/"), "url: host: invalid IPv6 address 'zz::1'");
  EXPECT_EQ(ErrorOf("http://[]/"), "url: host: invalid IPv6 address ''");
  EXPECT_EQ(ErrorOf("http://[::1]x/"), "url: host: unexpected characters after ']'");
  EXPECT_EQ(ErrorOf("http://::1/"),
            "url: host: IPv6 addresses must be written in brackets, e.g. http://[::1]/");
  EXPECT_EQ(ErrorOf("http://" + std::string(254, 'a') + "/"),
            "url: host: longer than 253 characters");
}

TEST(UrlTest, RefusesOverlongUrls) {
  EXPECT_EQ(ErrorOf("http://h/" + std::string(Url::kMaxLength, 'a')),
            "url: longer than 8192 bytes");
}

}  // namespace
}  // namespace hookfan::net
