// [http] allow_cidrs and the outbound address guard that serve and run turn on by default:
// parsing only, no traffic.
#include <gtest/gtest.h>

#include <string>

#include "net/address/ip_address.h"
#include "tools/common/serve_config.h"

namespace hookfan::tools {
namespace {

bool Allows(const ServeConfig& config, const char* address) {
  return config.engine.http.address_policy.Check(*net::IpAddress::Parse(address)).allowed;
}

std::string ErrorOf(std::string_view text) {
  StatusOr<ServeConfig> config = ParseServeConfig(text, "hookfan.toml");
  if (config.ok()) return "(parsed without error)";
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  return config.status().message();
}

TEST(ServeConfigGuardTest, TheGuardIsOnWithoutAnyHttpTable) {
  StatusOr<ServeConfig> config = ParseServeConfig("", "empty.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_FALSE(config->engine.http.address_policy.allows_all());
  EXPECT_FALSE(Allows(*config, "127.0.0.1"));
  EXPECT_FALSE(Allows(*config, "169.254.169.254"));
  EXPECT_FALSE(Allows(*config, "::ffff:10.0.0.1"));
  EXPECT_TRUE(Allows(*config, "93.184.216.34"));
  EXPECT_TRUE(config->allow_cidrs.empty());
}

TEST(ServeConfigGuardTest, AllowCidrsLetTheirRangesThrough) {
  StatusOr<ServeConfig> config = ParseServeConfig(
      "[http]\nallow_cidrs = [\"127.0.0.0/8\", \"::1/128\", \"10.1.2.3\"]\n", "hookfan.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->allow_cidrs.size(), 3u);
  EXPECT_EQ(config->allow_cidrs[2].ToString(), "10.1.2.3/32");
  EXPECT_TRUE(Allows(*config, "127.0.0.1"));
  EXPECT_TRUE(Allows(*config, "::1"));
  EXPECT_TRUE(Allows(*config, "10.1.2.3"));
  EXPECT_FALSE(Allows(*config, "10.1.2.4"));
  EXPECT_FALSE(Allows(*config, "192.168.1.1"));
  const net::AddressVerdict verdict =
      config->engine.http.address_policy.Check(*net::IpAddress::Parse("127.0.0.1"));
  EXPECT_EQ(verdict.rule, "allow_cidrs 127.0.0.0/8");
}

TEST(ServeConfigGuardTest, BadEntriesNameTheirIndexAndLine) {
  EXPECT_EQ(ErrorOf("[http]\nallow_cidrs = [\"127.0.0.0/8\",\n \"10.0.0.0/33\"]\n"),
            "hookfan.toml:3: http.allow_cidrs[1]: '10.0.0.0/33': prefix length must be 0..32");
  EXPECT_EQ(ErrorOf("[http]\nallow_cidrs = [\"localhost\"]\n"),
            "hookfan.toml:2: http.allow_cidrs[0]: 'localhost': 'localhost' is not an IPv4 or "
            "IPv6 address");
  EXPECT_EQ(ErrorOf("[http]\nallow_cidrs = [8]\n"),
            "hookfan.toml:2: http.allow_cidrs[0]: must be a CIDR string such as \"10.0.0.0/8\"");
  EXPECT_EQ(ErrorOf("[http]\nallow_cidrs = \"127.0.0.0/8\"\n"),
            "hookfan.toml:2: http.allow_cidrs: must be an array of CIDR strings");
}

}  // namespace
}  // namespace hookfan::tools
