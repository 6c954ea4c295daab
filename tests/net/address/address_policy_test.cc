#include "net/address/address_policy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

namespace hookfan::net {
namespace {

IpAddress Ip(const char* text) {
  std::optional<IpAddress> address = IpAddress::Parse(text);
  EXPECT_TRUE(address) << text;
  return address.value_or(IpAddress());
}

Cidr Range(const char* text) {
  StatusOr<Cidr> cidr = Cidr::Parse(text);
  EXPECT_TRUE(cidr.ok()) << text << ": " << cidr.status().message();
  return cidr.ok() ? *cidr : Cidr{};
}

std::string RuleFor(const AddressPolicy& policy, const char* address) {
  AddressVerdict verdict = policy.Check(Ip(address));
  std::string text = verdict.allowed ? "allowed" : "refused";
  if (!verdict.rule.empty()) text.append(" ").append(verdict.rule);
  return text;
}

TEST(CidrTest, ParsesRangesAndBareAddresses) {
  Cidr v4 = Range("10.0.0.0/8");
  EXPECT_EQ(v4.prefix_length, 8);
  EXPECT_EQ(v4.ToString(), "10.0.0.0/8");
  EXPECT_TRUE(v4.Contains(Ip("10.255.255.255")));
  EXPECT_FALSE(v4.Contains(Ip("11.0.0.0")));
  EXPECT_FALSE(v4.Contains(Ip("::ffff:10.0.0.1")));  // another family, even if it embeds one

  EXPECT_EQ(Range("192.0.2.7").ToString(), "192.0.2.7/32");
  EXPECT_EQ(Range("::1").ToString(), "::1/128");
  EXPECT_EQ(Range("0.0.0.0/0").ToString(), "0.0.0.0/0");
  EXPECT_TRUE(Range("0.0.0.0/0").Contains(Ip("203.0.113.9")));

  Cidr odd = Range("100.64.0.0/10");  // a prefix that is not a whole number of bytes
  EXPECT_TRUE(odd.Contains(Ip("100.127.255.255")));
  EXPECT_FALSE(odd.Contains(Ip("100.128.0.0")));
  EXPECT_FALSE(odd.Contains(Ip("100.63.255.255")));

  Cidr v6 = Range("fc00::/7");
  EXPECT_TRUE(v6.Contains(Ip("fdff:ffff::1")));
  EXPECT_FALSE(v6.Contains(Ip("fe00::1")));
}

TEST(CidrTest, ErrorsNameTheProblem) {
  auto message = [](const char* text) { return Cidr::Parse(text).status().message(); };
  EXPECT_EQ(message("10.0.0.0/33"), "'10.0.0.0/33': prefix length must be 0..32");
  EXPECT_EQ(message("::/129"), "'::/129': prefix length must be 0..128");
  EXPECT_EQ(message("10.0.0.0/"), "'10.0.0.0/': prefix length must be 0..32");
  EXPECT_EQ(message("10.0.0.0/-1"), "'10.0.0.0/-1': prefix length must be 0..32");
  EXPECT_EQ(message("10.0.0.0/8x"), "'10.0.0.0/8x': prefix length must be 0..32");
  EXPECT_EQ(message("10.0.0.0/+8"), "'10.0.0.0/+8': prefix length must be 0..32");
  EXPECT_EQ(message("localhost/8"), "'localhost/8': 'localhost' is not an IPv4 or IPv6 address");
  EXPECT_EQ(message(""), "'': '' is not an IPv4 or IPv6 address");
  EXPECT_EQ(message("10.0.0.1/8"), "'10.0.0.1/8': host bits are set; the range is 10.0.0.0/8");
  EXPECT_EQ(message("fe80::1/10"), "'fe80::1/10': host bits are set; the range is fe80::/10");
}

// Every refused range, at its first and last address, with the rule it is refused by.
TEST(AddressPolicyTest, PublicOnlyRefusesEachNonPublicRange) {
  const AddressPolicy policy = AddressPolicy::PublicOnly({});
  const struct {
    const char* address;
    const char* rule;
  } cases[] = {
      {"0.0.0.0", "this-network 0.0.0.0/8"},
      {"0.255.255.255", "this-network 0.0.0.0/8"},
      {"10.0.0.0", "private 10.0.0.0/8"},
      {"10.255.255.255", "private 10.0.0.0/8"},
      {"100.64.0.0", "cgnat 100.64.0.0/10"},
      {"100.127.255.255", "cgnat 100.64.0.0/10"},
      {"127.0.0.1", "loopback 127.0.0.0/8"},
      {"127.255.255.254", "loopback 127.0.0.0/8"},
      {"169.254.0.1", "link-local 169.254.0.0/16"},
      {"169.254.169.254", "link-local 169.254.0.0/16"},  // cloud metadata
      {"172.16.0.0", "private 172.16.0.0/12"},
      {"172.31.255.255", "private 172.16.0.0/12"},
      {"192.0.0.0", "ietf-protocol 192.0.0.0/24"},
      {"192.0.0.255", "ietf-protocol 192.0.0.0/24"},
      {"192.168.0.1", "private 192.168.0.0/16"},
      {"192.168.255.255", "private 192.168.0.0/16"},
      {"198.18.0.0", "benchmarking 198.18.0.0/15"},
      {"198.19.255.255", "benchmarking 198.18.0.0/15"},
      {"224.0.0.1", "multicast 224.0.0.0/4"},
      {"239.255.255.255", "multicast 224.0.0.0/4"},
      {"240.0.0.1", "reserved 240.0.0.0/4"},
      {"255.255.255.254", "reserved 240.0.0.0/4"},
      {"255.255.255.255", "broadcast 255.255.255.255/32"},
      {"::", "unspecified ::/128"},
      {"::1", "loopback ::1/128"},
      {"::10.0.0.1", "ipv4-compatible ::/96"},
      {"fc00::1", "unique-local fc00::/7"},
      {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "unique-local fc00::/7"},
      {"fe80::1", "link-local fe80::/10"},
      {"febf:ffff::1", "link-local fe80::/10"},
      {"fec0::1", "site-local fec0::/10"},
      {"ff02::1", "multicast ff00::/8"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(RuleFor(policy, c.address), std::string("refused ") + c.rule) << c.address;
  }
}

TEST(AddressPolicyTest, PublicAddressesPassWithNoRule) {
  const AddressPolicy policy = AddressPolicy::PublicOnly({});
  // Neighbours of the refused ranges, just outside them.
  for (const char* address :
       {"1.1.1.1",         "8.8.8.8",         "9.255.255.255",        "11.0.0.0",
        "100.63.255.255",  "100.128.0.0",     "126.255.255.255",      "128.0.0.0",
        "169.253.255.255", "169.255.0.0",     "172.15.255.255",       "172.32.0.0",
        "192.0.1.0",       "192.167.255.255", "192.169.0.0",          "198.17.255.255",
        "198.20.0.0",      "223.255.255.255", "2001:4860:4860::8888", "2606:4700::1111",
        "fbff:ffff::1",    "::1:0:0:1",       "2a00:1450::1"}) {
    EXPECT_EQ(RuleFor(policy, address), "allowed") << address;
  }
}

// IPv4 embedded in IPv6 is judged by the IPv4 address it carries, in each form.
TEST(AddressPolicyTest, EmbeddedIpv4IsJudgedByTheEmbeddedAddress) {
  const AddressPolicy policy = AddressPolicy::PublicOnly({});
  EXPECT_EQ(RuleFor(policy, "::ffff:127.0.0.1"),
            "refused loopback 127.0.0.0/8 (ipv4-mapped ::ffff:0:0/96)");
  EXPECT_EQ(RuleFor(policy, "::ffff:a9fe:a9fe"),  // 169.254.169.254 written in hex
            "refused link-local 169.254.0.0/16 (ipv4-mapped ::ffff:0:0/96)");
  EXPECT_EQ(RuleFor(policy, "::ffff:0:10.1.2.3"),
            "refused private 10.0.0.0/8 (ipv4-translated ::ffff:0:0:0/96)");
  EXPECT_EQ(RuleFor(policy, "64:ff9b::192.168.1.1"),
            "refused private 192.168.0.0/16 (nat64 64:ff9b::/96)");
  EXPECT_EQ(RuleFor(policy, "64:ff9b::a9fe:a9fe"),
            "refused link-local 169.254.0.0/16 (nat64 64:ff9b::/96)");
  EXPECT_EQ(RuleFor(policy, "2002:7f00:0001::1"),  // 6to4 of 127.0.0.1
            "refused loopback 127.0.0.0/8 (6to4 2002::/16)");
  EXPECT_EQ(RuleFor(policy, "2002:a9fe:a9fe:1234::5"),
            "refused link-local 169.254.0.0/16 (6to4 2002::/16)");
  EXPECT_EQ(RuleFor(policy, "2002:0a00:0001::"), "refused private 10.0.0.0/8 (6to4 2002::/16)");

  // The same forms carrying a public address pass.
  for (const char* address :
       {"::ffff:8.8.8.8", "::ffff:0:8.8.8.8", "64:ff9b::1.1.1.1", "2002:0808:0808::1"}) {
    EXPECT_EQ(RuleFor(policy, address), "allowed") << address;
  }
}

TEST(AddressPolicyTest, AllowListedRangesPassBeforeAnyRefusal) {
  const AddressPolicy policy =
      AddressPolicy::PublicOnly({Range("127.0.0.0/8"), Range("::1/128"), Range("10.1.0.0/16")});
  EXPECT_FALSE(policy.allows_all());
  EXPECT_EQ(RuleFor(policy, "127.0.0.1"), "allowed allow_cidrs 127.0.0.0/8");
  EXPECT_EQ(RuleFor(policy, "::1"), "allowed allow_cidrs ::1/128");
  EXPECT_EQ(RuleFor(policy, "10.1.2.3"), "allowed allow_cidrs 10.1.0.0/16");
  EXPECT_EQ(RuleFor(policy, "10.2.0.1"), "refused private 10.0.0.0/8");  // outside the hole
  // An embedded address is allowed by the range its IPv4 address is in.
  EXPECT_EQ(RuleFor(policy, "::ffff:127.0.0.1"), "allowed allow_cidrs 127.0.0.0/8");
  EXPECT_EQ(RuleFor(policy, "169.254.169.254"), "refused link-local 169.254.0.0/16");
  EXPECT_EQ(RuleFor(policy, "8.8.8.8"), "allowed");
}

TEST(AddressPolicyTest, AllowAllAllowsEverything) {
  const AddressPolicy policy = AddressPolicy::AllowAll();
  EXPECT_TRUE(policy.allows_all());
  for (const char* address : {"127.0.0.1", "169.254.169.254", "::1", "::ffff:10.0.0.1"}) {
    EXPECT_EQ(RuleFor(policy, address), "allowed") << address;
  }
  EXPECT_TRUE(AddressPolicy().allows_all());  // the default is the embedding API's
}

TEST(AddressPolicyTest, ChecksSocketAddressesIgnoringThePort) {
  const AddressPolicy policy = AddressPolicy::PublicOnly({Range("::1")});
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = htons(80);
  inet_pton(AF_INET, "169.254.169.254", &v4.sin_addr);
  AddressVerdict verdict = policy.Check(*reinterpret_cast<const sockaddr*>(&v4));
  EXPECT_FALSE(verdict.allowed);
  EXPECT_EQ(verdict.rule, "link-local 169.254.0.0/16");

  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(8443);
  inet_pton(AF_INET6, "::1", &v6.sin6_addr);
  EXPECT_TRUE(policy.Check(*reinterpret_cast<const sockaddr*>(&v6)).allowed);

  sockaddr other{};
  other.sa_family = AF_UNIX;
  EXPECT_FALSE(policy.Check(other).allowed);
}

TEST(AddressPolicyTest, DescribeRefusalNamesTheAddressAndTheRule) {
  const AddressPolicy policy = AddressPolicy::PublicOnly({});
  const IpAddress address = Ip("127.0.0.1");
  EXPECT_EQ(DescribeRefusal(address, policy.Check(address)),
            "127.0.0.1 refused by loopback 127.0.0.0/8");
}

}  // namespace
}  // namespace hookfan::net
