#include "net/address/ip_address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace hookfan::net {
namespace {

TEST(IpAddressTest, ParsesIpv4AndIpv6Literals) {
  std::optional<IpAddress> v4 = IpAddress::Parse("192.0.2.1");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->is_v4());
  EXPECT_EQ(v4->bytes().size(), 4u);
  EXPECT_EQ(v4->bytes()[0], 192);
  EXPECT_EQ(v4->ToString(), "192.0.2.1");

  std::optional<IpAddress> v6 = IpAddress::Parse("2001:db8::1");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->is_v6());
  EXPECT_EQ(v6->bytes().size(), 16u);
  EXPECT_EQ(v6->bytes()[15], 1);
  EXPECT_EQ(v6->ToString(), "2001:db8::1");

  std::optional<IpAddress> mapped = IpAddress::Parse("::ffff:10.0.0.1");
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(mapped->is_v6());
  EXPECT_EQ(mapped->bytes()[12], 10);
}

TEST(IpAddressTest, RefusesWhatIsNotALiteral) {
  for (const char* text : {"", "example.com", "127.1", "0x7f.0.0.1", "1.2.3.4.5", "256.0.0.1",
                           "1.2.3.4 ", " 1.2.3.4", "[::1]", "fe80::1%eth0", "::1/128",
                           "2001:db8:::1", "1:2:3:4:5:6:7:8:9", "0127.0.0.1", "1.2.3.4:80"}) {
    EXPECT_FALSE(IpAddress::Parse(text)) << "'" << text << "'";
  }
  // Embedded NUL: the text must not be cut short at the first NUL.
  EXPECT_FALSE(IpAddress::Parse(std::string_view("1.2.3.4\0x", 9)));
}

TEST(IpAddressTest, PortAndSockaddrRoundTrip) {
  IpAddress a = *IpAddress::Parse("::1");
  EXPECT_EQ(a.port(), 0);
  a.set_port(443);
  EXPECT_EQ(a.port(), 443);
  EXPECT_EQ(a.sockaddr_length(), sizeof(sockaddr_in6));
  const auto* raw = reinterpret_cast<const sockaddr_in6*>(a.sockaddr_ptr());
  EXPECT_EQ(ntohs(raw->sin6_port), 443);
  std::optional<IpAddress> copy = IpAddress::FromSockaddr(*a.sockaddr_ptr());
  ASSERT_TRUE(copy);
  EXPECT_EQ(*copy, a);
  EXPECT_FALSE(*copy == *IpAddress::Parse("::1"));  // the port differs

  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = htons(8080);
  inet_pton(AF_INET, "127.0.0.1", &v4.sin_addr);
  std::optional<IpAddress> b = IpAddress::FromSockaddr(*reinterpret_cast<sockaddr*>(&v4));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->ToString(), "127.0.0.1");
  EXPECT_EQ(b->port(), 8080);

  sockaddr unix_family{};
  unix_family.sa_family = AF_UNIX;
  EXPECT_FALSE(IpAddress::FromSockaddr(unix_family));
  EXPECT_EQ(IpAddress().ToString(), "");
  EXPECT_TRUE(IpAddress().bytes().empty());
}

}  // namespace
}  // namespace hookfan::net
