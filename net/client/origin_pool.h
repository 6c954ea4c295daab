#pragma once
// The keep-alive connections of one HttpClient to one origin (scheme, host, port) for one
// owner (the engine: one endpoint), and the FIFO queue of requests waiting for one of them.
// Created by HttpClient::PoolFor(), owned by the client, touched only on its loop thread.
//
//   OriginPool* pool = *client.PoolFor(url, owner);   // kept by the endpoint
//   client.Send(pool, &request);               // see net/client/http_client.h
//   PoolStats stats = pool->Stats();
//
// Behaviour:
//  - At most max_connections_per_origin connections (connecting, busy or idle) at once;
//    requests beyond that wait in FIFO order. A request's total timeout starts when a
//    connection takes it (connect included for a fresh one), never while it is queued.
//  - One request per connection at a time (no pipelining). A finished keep-alive
//    connection first serves the oldest queued request, else goes on the idle stack; the
//    most recently used idle connection is reused first, so the least used ones age out
//    after idle_timeout.
//  - An idle connection is read from: EOF, an error or unexpected bytes close it at once.
//  - A request on a reused connection that fails before any response byte (the peer closed
//    it just as we wrote) is retried once on a fresh connection.

#include <sys/socket.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "net/base/clock.h"
#include "net/base/intrusive_list.h"
#include "net/base/status.h"
#include "net/client/client_connection.h"
#include "net/client/client_options.h"
#include "net/client/request_outcome.h"
#include "net/http/http_request.h"
#include "net/http/url.h"
#include "net/tls/tls_context.h"

namespace hookfan::net {

struct PoolStats {
  std::uint64_t connects = 0;        // connections opened (each attempt counts)
  std::uint64_t reuses = 0;          // requests sent on an idle keep-alive connection
  std::uint64_t retries = 0;         // requests retried on a fresh connection
  std::uint64_t idle_closed = 0;     // idle connections closed: peer closed, stray bytes, timeout
  std::uint64_t completed = 0;       // requests called back, whatever the outcome
  std::uint64_t errors = 0;          // of those, the ones with an error (not an HTTP status)
  std::size_t in_flight = 0;         // requests on a connection now
  std::size_t idle = 0;              // idle connections now
  std::size_t queued = 0;            // requests waiting for a connection now
  std::size_t open_connections = 0;  // connections not closing (connecting, busy, idle)
  std::uint64_t tls_handshakes = 0;  // finished TLS handshakes, resumed ones included
  std::uint64_t tls_resumed = 0;   // of those, the ones that resumed a session (no full handshake)
  std::uint64_t tls_failures = 0;  // handshakes that failed or timed out
};

class OriginPool {
 public:
  // Everything a pool borrows from its client; outlives the pool.
  struct Context {
    uv_loop_t* loop = nullptr;
    const ClientOptions* options = nullptr;
    std::span<char> read_buffer;  // shared by all connections of the loop (one reader at a time)
    TlsContext* tls = nullptr;    // https: the endpoint's TLS settings; owned by the client
  };

  OriginPool(const Context& context, const Url& url);
  ~OriginPool();
  OriginPool(const OriginPool&) = delete;
  OriginPool& operator=(const OriginPool&) = delete;

  const std::string& origin() const { return origin_; }
  PoolStats Stats() const;

  // Connect to these addresses instead of the URL's host (resolved or literal), in order;
  // the address policy still applies. Lets tests exercise the fall-through to the next
  // address deterministically.
  void SetAddressesForTest(std::vector<sockaddr_storage> addresses) {
    addresses_for_test_ = std::move(addresses);
  }

  // Used by HttpClient (see its contract). Send fails only when the pool is closing.
  Status Send(HttpRequest* request);
  // Cancels queued and in-flight requests (kCancelled), closes every connection, then
  // calls on_closed once, from a close callback.
  void Close(std::function<void()> on_closed);

 private:
  friend class ClientConnection;

  // For ClientConnection.
  uv_loop_t* loop() const { return context_.loop; }
  const ClientOptions& options() const { return *context_.options; }
  std::span<char> read_buffer() const { return context_.read_buffer; }
  TlsContext* tls_context() const { return context_.tls; }
  const Url& url() const { return url_; }
  // Addresses that need no DNS: the test override, else the IP literal; empty for names.
  std::span<const sockaddr_storage> fixed_addresses() const {
    if (!addresses_for_test_.empty()) return addresses_for_test_;
    if (url_.host_kind == HostKind::kName) return {};
    return {&literal_address_, 1};
  }
  const std::string& port_text() const { return port_text_; }
  // Writes the request head into `out` (cleared first, capacity kept). With `terminate`
  // the blank line that ends the head is included.
  void BuildHead(const HttpRequest& request, bool terminate, std::string* out) const;
  void OnRequestDone(ClientConnection* connection, HttpRequest* request,
                     const RequestOutcome& outcome, bool reusable);
  // `detail` (may be empty) becomes the outcome's detail.
  void OnRequestFailed(HttpRequest* request, RequestError error, bool retriable,
                       std::string_view detail);
  void OnIdleConnectionLost(ClientConnection* connection);
  void OnHandshakeDone(bool resumed) {
    ++counters_.tls_handshakes;
    if (resumed) ++counters_.tls_resumed;
  }
  void OnHandshakeFailed() { ++counters_.tls_failures; }
  void OnConnectionClosing(ClientConnection* connection);
  void ReleaseConnection(ClientConnection* connection);

  void Dispatch();
  void OpenConnection(HttpRequest* request);
  void Finish(HttpRequest* request, const RequestOutcome& outcome, bool was_in_flight);
  void ArmTimer();
  void MaybeClosed();
  static void OnTimer(uv_timer_t* timer);
  static void OnTimerClosed(uv_handle_t* handle);

  Context context_;
  Url url_;
  std::string origin_;
  std::string host_and_agent_;  // "Host: ..\r\nUser-Agent: ..\r\n", fixed per pool
  std::string port_text_;
  sockaddr_storage literal_address_{};
  std::vector<sockaddr_storage> addresses_for_test_;

  std::vector<std::unique_ptr<ClientConnection>> connections_;  // every live object
  IntrusiveList<ClientConnection, IdleConnectionTag> idle_;     // back = most recently used
  IntrusiveList<HttpRequest, PendingRequestTag> queue_;         // front = oldest
  std::size_t open_ = 0;
  std::size_t in_flight_ = 0;
  PoolStats counters_;  // the cumulative fields only

  uv_timer_t timer_;  // deadlines of queued requests and idle expiry; lazily re-armed
  bool timer_open_ = true;
  bool closing_ = false;
  std::function<void()> on_closed_;
};

}  // namespace hookfan::net
