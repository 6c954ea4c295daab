#include "net/address/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace hookfan::net {

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  // inet_pton wants a NUL-terminated string; the longest IPv6 text form is 45 characters.
  char buffer[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buffer)) return std::nullopt;
  if (text.find('\0') != std::string_view::npos) return std::nullopt;  // would cut it short
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  IpAddress out;
  if (text.find(':') == std::string_view::npos) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage_);
    // inet_pton accepts only the dotted-quad form: no "127.1", no octal, no hex.
    if (inet_pton(AF_INET, buffer, &v4->sin_addr) != 1) return std::nullopt;
    v4->sin_family = AF_INET;
    return out;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage_);
  if (inet_pton(AF_INET6, buffer, &v6->sin6_addr) != 1) return std::nullopt;
  v6->sin6_family = AF_INET6;
  return out;
}

std::optional<IpAddress> IpAddress::FromSockaddr(const sockaddr& address) {
  IpAddress out;
  if (address.sa_family == AF_INET) {
    std::memcpy(&out.storage_, &address, sizeof(sockaddr_in));
  } else if (address.sa_family == AF_INET6) {
    std::memcpy(&out.storage_, &address, sizeof(sockaddr_in6));
  } else {
    return std::nullopt;
  }
  return out;
}

std::span<const std::uint8_t> IpAddress::bytes() const {
  if (is_v4()) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage_);
    return {reinterpret_cast<const std::uint8_t*>(&v4->sin_addr), 4};
  }
  if (is_v6()) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage_);
    return {reinterpret_cast<const std::uint8_t*>(&v6->sin6_addr), 16};
  }
  return {};
}

std::uint16_t IpAddress::port() const {
  if (is_v4()) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (is_v6()) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

void IpAddress::set_port(std::uint16_t port) {
  if (is_v4()) reinterpret_cast<sockaddr_in*>(&storage_)->sin_port = htons(port);
  if (is_v6()) reinterpret_cast<sockaddr_in6*>(&storage_)->sin6_port = htons(port);
}

socklen_t IpAddress::sockaddr_length() const {
  if (is_v4()) return sizeof(sockaddr_in);
  if (is_v6()) return sizeof(sockaddr_in6);
  return 0;
}

std::string IpAddress::ToString() const {
  char buffer[INET6_ADDRSTRLEN];
  const std::span<const std::uint8_t> b = bytes();
  if (b.empty() || inet_ntop(family(), b.data(), buffer, sizeof(buffer)) == nullptr) return {};
  return buffer;
}

bool operator==(const IpAddress& a, const IpAddress& b) {
  if (a.family() != b.family() || a.port() != b.port()) return false;
  const std::span<const std::uint8_t> x = a.bytes();
  const std::span<const std::uint8_t> y = b.bytes();
  return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size()) == 0;
}

}  // namespace hookfan::net
