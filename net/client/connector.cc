#include "net/client/connector.h"

#include <netdb.h>

#include <algorithm>
#include <cstring>

#include "net/base/check.h"

namespace hookfan::net {
namespace {

RequestError ConnectError(int uv_error) {
  switch (uv_error) {
    case UV_ECONNREFUSED:
      return RequestError::kConnectRefused;
    case UV_ETIMEDOUT:
      return RequestError::kConnectTimeout;
    default:
      return RequestError::kConnectFailed;
  }
}

}  // namespace

void Connector::Start(uv_tcp_t* tcp, Target target) {
  tcp_ = tcp;
  policy_ = target.policy;
  cancelled_ = false;
  address_count_ = next_address_ = 0;
  refusal_.clear();
  if (!target.fixed.empty()) {
    for (const sockaddr_storage& address : target.fixed) {
      TakeAddress(*reinterpret_cast<const sockaddr*>(&address), sizeof(address));
    }
    if (address_count_ == 0) {
      Done(RequestError::kAddressRefused, refusal_);
      return;
    }
    ConnectNext();
    return;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  dns_request_.data = this;
  const int r = uv_getaddrinfo(loop_, &dns_request_, &Connector::OnResolved, target.host.c_str(),
                               target.port_text.c_str(), &hints);
  if (r < 0) {
    Done(RequestError::kDnsFailed, uv_strerror(r));
    return;
  }
  dns_pending_ = true;
}

void Connector::Cancel() {
  cancelled_ = true;
  if (dns_pending_) uv_cancel(reinterpret_cast<uv_req_t*>(&dns_request_));
}

bool Connector::OnSocketClosed() {
  HOOKFAN_DCHECK(retrying_);
  retrying_ = false;
  if (cancelled_) return false;
  void* data = tcp_->data;
  HOOKFAN_CHECK(uv_tcp_init(loop_, tcp_) == 0);
  tcp_->data = data;
  uv_tcp_nodelay(tcp_, 1);
  ConnectNext();
  return true;
}

bool Connector::TakeAddress(const sockaddr& address, std::size_t length) {
  const AddressVerdict verdict = policy_->Check(address);
  if (!verdict.allowed) {
    // The first refusal is what the attempt reports: one address and its rule.
    if (refusal_.empty()) {
      const std::optional<IpAddress> ip = IpAddress::FromSockaddr(address);
      refusal_ = ip ? DescribeRefusal(*ip, verdict) : std::string(verdict.rule);
    }
    return false;
  }
  if (address_count_ < kMaxAddresses) {
    std::memcpy(&addresses_[address_count_++], &address,
                std::min(length, sizeof(sockaddr_storage)));
  }
  return true;
}

void Connector::ConnectNext() {
  const auto* address = reinterpret_cast<const sockaddr*>(&addresses_[next_address_++]);
  connect_request_.data = this;
  const int r = uv_tcp_connect(&connect_request_, tcp_, address, &Connector::OnConnected);
  if (r < 0) ConnectFailed(r);
}

void Connector::ConnectFailed(int uv_error) {
  if (next_address_ < address_count_) {
    // The socket of a failed connect cannot be reused (and the next address may be of the
    // other family): the owner closes the handle and we connect again from its callback.
    retrying_ = true;
    owner_->OnConnectorClosingSocket();
    return;
  }
  Done(ConnectError(uv_error), uv_strerror(uv_error));
}

void Connector::Done(RequestError error, std::string_view detail) {
  if (cancelled_) return;
  owner_->OnConnectorDone(error, detail);
}

void Connector::OnResolved(uv_getaddrinfo_t* request, int status, addrinfo* result) {
  auto* self = static_cast<Connector*>(request->data);
  self->dns_pending_ = false;
  if (self->cancelled_) {
    if (result != nullptr) uv_freeaddrinfo(result);
    self->owner_->OnConnectorDone(RequestError::kCancelled, {});
    return;
  }
  if (status < 0) {
    self->Done(RequestError::kDnsFailed, uv_strerror(status));
    return;
  }
  bool refused = false;
  for (addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    if (!self->TakeAddress(*ai->ai_addr, ai->ai_addrlen)) refused = true;
  }
  uv_freeaddrinfo(result);
  if (self->address_count_ == 0) {
    if (refused) {
      self->Done(RequestError::kAddressRefused, self->refusal_);
    } else {
      self->Done(RequestError::kDnsFailed, "no IPv4 or IPv6 address");
    }
    return;
  }
  self->ConnectNext();
}

void Connector::OnConnected(uv_connect_t* request, int status) {
  auto* self = static_cast<Connector*>(request->data);
  if (status == UV_ECANCELED || self->cancelled_) return;
  if (status < 0) {
    self->ConnectFailed(status);
    return;
  }
  self->Done(RequestError::kNone, {});
}

}  // namespace hookfan::net
