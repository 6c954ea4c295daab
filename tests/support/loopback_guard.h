#pragma once
// The outbound address guard as tests (and their configs) set it: public addresses only,
// plus loopback allow-listed explicitly, because every receiver a test starts listens on
// 127.0.0.1 or ::1. Tests that show the guard refusing loopback leave these out.
//
//   config.http.address_policy = testing::LoopbackAllowedPolicy();          // engine tests
//   std::string toml = std::string(testing::kAllowLoopbackToml) + "[engine]\n...";  // serve

#include "net/address/address_policy.h"
#include "net/base/check.h"

namespace hookfan::testing {

// An [http] table: put it first in a config (or append keys of [http] after it).
inline constexpr char kAllowLoopbackToml[] =
    "[http]\nallow_cidrs = [\"127.0.0.0/8\", \"::1/128\"]\n";

inline net::AddressPolicy LoopbackAllowedPolicy() {
  auto v4 = net::Cidr::Parse("127.0.0.0/8");
  auto v6 = net::Cidr::Parse("::1/128");
  HOOKFAN_CHECK(v4.ok() && v6.ok());
  return net::AddressPolicy::PublicOnly({*v4, *v6});
}

}  // namespace hookfan::testing
