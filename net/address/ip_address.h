#pragma once
// An IPv4 or IPv6 address with an optional port, held as a sockaddr_storage so it can be
// handed to uv_tcp_connect as is. A value type.
//
//   auto a = IpAddress::Parse("::ffff:10.0.0.1");   // std::nullopt when not a literal
//   a->set_port(443); uv_tcp_connect(&req, &tcp, a->sockaddr_ptr(), OnConnected);

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hookfan::net {

class IpAddress {
 public:
  IpAddress() = default;
  // A literal IPv4 ("192.0.2.1") or IPv6 ("2001:db8::1", no brackets, no zone) address.
  static std::optional<IpAddress> Parse(std::string_view text);
  // Copies an AF_INET / AF_INET6 socket address; std::nullopt for other families.
  static std::optional<IpAddress> FromSockaddr(const sockaddr& address);

  int family() const { return storage_.ss_family; }  // AF_INET, AF_INET6 or AF_UNSPEC
  bool is_v4() const { return family() == AF_INET; }
  bool is_v6() const { return family() == AF_INET6; }
  // The address bytes in network order: 4 for IPv4, 16 for IPv6, empty when unset.
  std::span<const std::uint8_t> bytes() const;
  std::uint16_t port() const;
  void set_port(std::uint16_t port);

  const sockaddr* sockaddr_ptr() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t sockaddr_length() const;
  // "192.0.2.1" or "2001:db8::1" (no port, no brackets).
  std::string ToString() const;

  friend bool operator==(const IpAddress& a, const IpAddress& b);

 private:
  sockaddr_storage storage_{};
};

}  // namespace hookfan::net
