#include "net/address/address_policy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace hookfan::net {
namespace {

// One refused range. `name` says why it is not a public destination.
struct Rule {
  std::string_view name;
  std::string_view cidr;
};

// IPv4 ranges that are not the public internet (RFC 6890 and friends). The broadcast
// address comes before 240/4 so that it is named for what it is.
constexpr std::array kIpv4Rules = {
    Rule{"this-network", "0.0.0.0/8"},    Rule{"private", "10.0.0.0/8"},
    Rule{"cgnat", "100.64.0.0/10"},       Rule{"loopback", "127.0.0.0/8"},
    Rule{"link-local", "169.254.0.0/16"},  // cloud metadata 169.254.169.254 lives here
    Rule{"private", "172.16.0.0/12"},     Rule{"ietf-protocol", "192.0.0.0/24"},
    Rule{"private", "192.168.0.0/16"},    Rule{"benchmarking", "198.18.0.0/15"},
    Rule{"multicast", "224.0.0.0/4"},     Rule{"broadcast", "255.255.255.255/32"},
    Rule{"reserved", "240.0.0.0/4"},
};

// IPv6 ranges refused outright. The IPv4-compatible block (deprecated, RFC 4291) is refused
// whole: nothing public is reached through it, and it holds :: and ::1 (named first).
constexpr std::array kIpv6Rules = {
    Rule{"unspecified", "::/128"},    Rule{"loopback", "::1/128"},
    Rule{"ipv4-compatible", "::/96"}, Rule{"unique-local", "fc00::/7"},
    Rule{"link-local", "fe80::/10"},  Rule{"site-local", "fec0::/10"},
    Rule{"multicast", "ff00::/8"},
};

// IPv6 forms that carry an IPv4 address, judged by that address: a NAT64 gateway or a
// 6to4 relay forwards to it, and the kernel sends an IPv4-mapped one to it directly.
struct Embedding {
  std::string_view name;
  std::string_view cidr;
  int offset;  // of the 4 embedded bytes
};
constexpr std::array kEmbeddings = {
    Embedding{"ipv4-mapped", "::ffff:0:0/96", 12},
    Embedding{"ipv4-translated", "::ffff:0:0:0/96", 12},
    Embedding{"nat64", "64:ff9b::/96", 12},
    Embedding{"6to4", "2002::/16", 2},
};

// Parsed once; the texts the verdicts point at live as long as the program.
struct Tables {
  std::vector<Cidr> ipv4;
  std::vector<std::string> ipv4_text;  // "loopback 127.0.0.0/8"
  std::vector<Cidr> ipv6;
  std::vector<std::string> ipv6_text;
  std::vector<Cidr> embeddings;
  // [embedding][ipv4 rule]: "loopback 127.0.0.0/8 (ipv4-mapped ::ffff:0:0/96)"
  std::vector<std::vector<std::string>> embedded_text;
  std::vector<std::string> embedded_allow_suffix;  // " (ipv4-mapped ::ffff:0:0/96)"

  Tables() {
    for (const Rule& rule : kIpv4Rules) {
      ipv4.push_back(*Cidr::Parse(rule.cidr));
      ipv4_text.push_back(std::string(rule.name) + " " + std::string(rule.cidr));
    }
    for (const Rule& rule : kIpv6Rules) {
      ipv6.push_back(*Cidr::Parse(rule.cidr));
      ipv6_text.push_back(std::string(rule.name) + " " + std::string(rule.cidr));
    }
    for (const Embedding& embedding : kEmbeddings) {
      embeddings.push_back(*Cidr::Parse(embedding.cidr));
      const std::string suffix =
          " (" + std::string(embedding.name) + " " + std::string(embedding.cidr) + ")";
      embedded_allow_suffix.push_back(suffix);
      std::vector<std::string> texts;
      for (const std::string& text : ipv4_text) texts.push_back(text + suffix);
      embedded_text.push_back(std::move(texts));
    }
  }
};

const Tables& GetTables() {
  static const Tables* tables = new Tables();  // never destroyed: verdicts may outlive main
  return *tables;
}

StatusOr<Cidr> CidrError(std::string_view text, std::string_view problem) {
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on a chain of operator+.
  std::string message;
  message.reserve(text.size() + problem.size() + 4);
  message.append("'").append(text).append("': ").append(problem);
  return Status::InvalidArgument(std::move(message));
}

// The IPv4 address an IPv6 one carries, or nullopt. `index` is set to the embedding.
std::optional<IpAddress> Embedded(const IpAddress& address, std::size_t* index) {
  if (!address.is_v6()) return std::nullopt;
  const Tables& t = GetTables();
  for (std::size_t i = 0; i < t.embeddings.size(); ++i) {
    if (!t.embeddings[i].Contains(address)) continue;
    const std::uint8_t* b = address.bytes().data() + kEmbeddings[i].offset;
    char text[16];
    const int n = std::snprintf(text, sizeof(text), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    *index = i;
    return IpAddress::Parse(std::string_view(text, static_cast<std::size_t>(n)));
  }
  return std::nullopt;
}

}  // namespace

StatusOr<Cidr> Cidr::Parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  const std::string_view address_text = text.substr(0, slash);
  std::optional<IpAddress> address = IpAddress::Parse(address_text);
  if (!address) {
    std::string problem = "'";
    problem.append(address_text).append("' is not an IPv4 or IPv6 address");
    return CidrError(text, problem);
  }
  const int max_prefix = address->is_v4() ? 32 : 128;
  int prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const std::string_view prefix_text = text.substr(slash + 1);
    const char* end = prefix_text.data() + prefix_text.size();
    auto [stop, error] = std::from_chars(prefix_text.data(), end, prefix);
    const bool digits = !prefix_text.empty() && prefix_text.front() != '-';
    if (!digits || error != std::errc() || stop != end || prefix < 0 || prefix > max_prefix) {
      return CidrError(text, "prefix length must be 0.." + std::to_string(max_prefix));
    }
  }
  // Host bits set ("10.0.0.1/8") are most likely a typo for a different range: say so
  // rather than guess which one was meant.
  const std::span<const std::uint8_t> bytes = address->bytes();
  std::array<std::uint8_t, 16> network{};
  bool host_bits = false;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const int kept = std::clamp(prefix - static_cast<int>(i) * 8, 0, 8);
    const auto mask = static_cast<std::uint8_t>(0xFF00u >> kept);
    network[i] = static_cast<std::uint8_t>(bytes[i] & mask);
    host_bits = host_bits || network[i] != bytes[i];
  }
  if (host_bits) {
    char network_text[INET6_ADDRSTRLEN];
    inet_ntop(address->family(), network.data(), network_text, sizeof(network_text));
    return CidrError(text, "host bits are set; the range is " + std::string(network_text) + "/" +
                               std::to_string(prefix));
  }
  Cidr cidr{*address, prefix};
  return cidr;
}

bool Cidr::Contains(const IpAddress& address) const {
  if (address.family() != base.family()) return false;
  const std::uint8_t* a = address.bytes().data();
  const std::uint8_t* b = base.bytes().data();
  const int whole = prefix_length / 8;
  if (std::memcmp(a, b, static_cast<std::size_t>(whole)) != 0) return false;
  const int rest = prefix_length % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFFu << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

std::string Cidr::ToString() const { return base.ToString() + "/" + std::to_string(prefix_length); }

AddressPolicy AddressPolicy::AllowAll() { return AddressPolicy(); }

AddressPolicy AddressPolicy::PublicOnly(std::vector<Cidr> allow) {
  AddressPolicy policy;
  policy.allow_all_ = false;
  for (Cidr& cidr : allow) cidr.base.set_port(0);  // ranges compare addresses only
  policy.allow_ = std::move(allow);
  for (const Cidr& cidr : policy.allow_) {
    policy.allow_rules_.push_back("allow_cidrs " + cidr.ToString());
  }
  return policy;
}

AddressVerdict AddressPolicy::Check(const IpAddress& given) const {
  if (allow_all_) return {};
  IpAddress address = given;
  address.set_port(0);
  std::size_t embedding = 0;
  const std::optional<IpAddress> inner = Embedded(address, &embedding);
  for (std::size_t i = 0; i < allow_.size(); ++i) {
    if (allow_[i].Contains(address) || (inner && allow_[i].Contains(*inner))) {
      return {.allowed = true, .rule = allow_rules_[i]};
    }
  }
  const Tables& t = GetTables();
  if (inner) {
    for (std::size_t i = 0; i < t.ipv4.size(); ++i) {
      if (t.ipv4[i].Contains(*inner)) {
        return {.allowed = false, .rule = t.embedded_text[embedding][i]};
      }
    }
    return {};
  }
  const std::vector<Cidr>& rules = address.is_v4() ? t.ipv4 : t.ipv6;
  const std::vector<std::string>& texts = address.is_v4() ? t.ipv4_text : t.ipv6_text;
  if (!address.is_v4() && !address.is_v6()) {
    return {.allowed = false, .rule = "not an IP address"};
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].Contains(address)) return {.allowed = false, .rule = texts[i]};
  }
  return {};
}

AddressVerdict AddressPolicy::Check(const sockaddr& address) const {
  if (allow_all_) return {};
  std::optional<IpAddress> ip = IpAddress::FromSockaddr(address);
  if (!ip) return {.allowed = false, .rule = "not an IP address"};
  return Check(*ip);
}

std::string DescribeRefusal(const IpAddress& address, const AddressVerdict& verdict) {
  return address.ToString() + " refused by " + std::string(verdict.rule);
}

}  // namespace hookfan::net
