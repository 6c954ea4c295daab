#pragma once
// The first step of every new client connection: resolve the host (names only), check each
// address against the outbound address guard, and connect a TCP handle to the first allowed
// address, trying the next one when a connect fails (IPv4 and IPv6 alike). What runs over
// the connected socket (plaintext or TLS) is the transport's business, not the connector's.
//
//   connector.Start(&tcp, target);             // later: owner.OnConnectorDone(error, detail)
//   connector.Cancel();                        // no OnConnectorDone after this
//   if (!connector.busy()) free the owner;     // a DNS lookup may still be outstanding
//
// The guard sees every address actually connected to, after resolution: there is no gap
// between the check and the connect in which a name could point elsewhere.
//
// Threads: the owner's loop thread only. OnConnectorDone may run from inside Start() (no
// allowed address, a lookup that cannot start): the owner defers it if it must.

#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#include <array>
#include <span>
#include <string>
#include <string_view>

#include "net/address/address_policy.h"
#include "net/client/request_outcome.h"

namespace hookfan::net {

class Connector {
 public:
  class Owner {
   public:
    // kNone: `tcp` is connected. Otherwise the error (kDnsFailed, kAddressRefused,
    // kConnectRefused, kConnectFailed) and a detail for the attempt log (may be empty).
    virtual void OnConnectorDone(RequestError error, std::string_view detail) = 0;
    // The connector closed the handle to try the next address; the owner must call
    // Connector::OnSocketClosed from that handle's close callback.
    virtual void OnConnectorClosingSocket() = 0;

   protected:
    ~Owner() = default;
  };

  struct Target {
    std::string host;                         // a name to resolve when `fixed` is empty
    std::string port_text;                    // for the resolver
    std::span<const sockaddr_storage> fixed;  // IP literal or test addresses: no DNS
    const AddressPolicy* policy = nullptr;
  };

  Connector(uv_loop_t* loop, Owner* owner) : loop_(loop), owner_(owner) {}
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  // `tcp` is initialised and owned by the caller; its close callback must forward to
  // OnSocketClosed while retrying() (see Owner).
  void Start(uv_tcp_t* tcp, Target target);
  // Stops a lookup in flight (its callback still comes, and is ignored).
  void Cancel();
  // From the owner's close callback while retrying(): re-initialises `tcp`, connects to the
  // next address. Returns false when the connector has been cancelled meanwhile.
  bool OnSocketClosed();

  bool busy() const { return dns_pending_; }
  bool retrying() const { return retrying_; }
  bool resolving() const { return dns_pending_ && !cancelled_; }

 private:
  static constexpr int kMaxAddresses = 4;

  // Keeps `address` unless the policy refuses it (returns false, remembers the refusal).
  bool TakeAddress(const sockaddr& address, std::size_t length);
  void ConnectNext();
  void ConnectFailed(int uv_error);
  void Done(RequestError error, std::string_view detail);

  static void OnResolved(uv_getaddrinfo_t* request, int status, addrinfo* result);
  static void OnConnected(uv_connect_t* request, int status);

  uv_loop_t* loop_;
  Owner* owner_;
  uv_tcp_t* tcp_ = nullptr;
  const AddressPolicy* policy_ = nullptr;
  uv_getaddrinfo_t dns_request_{};
  uv_connect_t connect_request_{};
  bool dns_pending_ = false;
  bool retrying_ = false;  // tcp_ is closing so that the next address gets a fresh socket
  bool cancelled_ = false;

  std::array<sockaddr_storage, kMaxAddresses> addresses_{};
  int address_count_ = 0;
  int next_address_ = 0;
  std::string refusal_;  // the guard's first refusal: address and rule
};

}  // namespace hookfan::net
