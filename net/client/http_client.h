#pragma once
// HTTP/1.1 client for webhook POSTs: one per libuv loop (worker), with one keep-alive
// connection pool per (owner, origin). Every method runs on the loop's thread.
//
//   HttpClient client(loop, options);                   // options.Validate() must be ok
//   StatusOr<OriginPool*> pool = client.PoolFor(url, "endpoint-a");  // same key -> same pool
//   request.body = payload; request.on_complete = &OnDone; ...   (net/http/http_request.h)
//   if (Status s = client.Send(*pool, &request); !s.ok()) { /* no callback will come */ }
//   ...
//   client.Close([&] { /* every handle closed; the client may be destroyed now */ });
//
// Contract:
//  - Send() either fails at once (Status, no callback) or the request's on_complete runs
//    exactly once later, never from inside Send(). The outcome is a RequestOutcome: an HTTP
//    status (any status, 3xx included: redirects are not followed) or a RequestError.
//  - Timeouts: connect (DNS + TCP), response (request written -> first response byte),
//    total (a connection takes the request -> full response; time queued in the pool, behind
//    the owner's own other requests, is not counted).
//  - Pools are per owner: the engine gives each endpoint its own, so one endpoint's slow
//    receiver never holds the connections or queue of another endpoint on the same host.
//  - Response bodies are read and discarded (first 256 bytes kept for the callback); bodies
//    above max_response_body_bytes or headers above max_response_header_bytes fail with
//    kResponseTooLarge and the connection is closed.
//  - Steady state allocates nothing per request: the request head is built in a
//    per-connection buffer, the body is written from the caller's memory, the read buffer is
//    shared by the loop, the parser is per connection.
//  - Close() cancels every queued and in-flight request (kCancelled callbacks, from inside
//    Close), closes every handle, then calls on_closed once from a libuv callback. After
//    Close() every Send() fails. The client must not be destroyed between creating a pool
//    and on_closed.
//  - https:// pools speak TLS (net/client/tls_transport.h) with the TlsClientOptions given
//    to PoolFor: verification on by default against the system trust store. Pools with the
//    same TLS settings share one TlsContext, hence one session cache per origin, so a new
//    connection resumes the session of an earlier one.

#include <uv.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "net/base/loop_thread_check.h"
#include "net/base/status.h"
#include "net/client/client_options.h"
#include "net/client/origin_pool.h"
#include "net/http/http_request.h"
#include "net/http/url.h"
#include "net/tls/tls_context.h"

namespace hookfan::net {

class HttpClient {
 public:
  static constexpr std::size_t kReadBufferBytes = 64 * 1024;

  HttpClient(uv_loop_t* loop, ClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // The pool of `owner` for url's origin, created on first use and kept until Close().
  // `tls` applies to https URLs only (nullptr: the defaults). Fails after Close(), and for
  // TLS files that cannot be loaded (the error names the field).
  StatusOr<OriginPool*> PoolFor(const Url& url, std::string_view owner = {},
                                const TlsClientOptions* tls = nullptr);

  // Sends `request` through `pool` (from this client). The request must not be in flight.
  Status Send(OriginPool* pool, HttpRequest* request);

  void Close(std::function<void()> on_closed);

  PoolStats Stats(const OriginPool* pool) const { return pool->Stats(); }
  std::size_t pool_count() const { return pools_.size(); }
  const ClientOptions& options() const { return options_; }

 private:
  void OnPoolClosed();
  static void OnDeferredClose(uv_timer_t* timer);

  uv_loop_t* loop_;
  ClientOptions options_;
  std::unique_ptr<char[]> read_buffer_;
  StatusOr<TlsContext*> TlsContextFor(const TlsClientOptions& options);

  // Keyed by verify, CA, certificate and key file, '\n'-separated.
  std::unordered_map<std::string, std::unique_ptr<TlsContext>> tls_contexts_;
  // Keyed by owner, origin and (https) the TLS settings, '\n'-separated.
  std::unordered_map<std::string, std::unique_ptr<OriginPool>> pools_;
  LoopThreadCheck loop_thread_;  // bound by the first call, from the loop's thread
  bool closing_ = false;
  bool closed_ = false;
  std::size_t pools_closing_ = 0;
  std::function<void()> on_closed_;
};

}  // namespace hookfan::net
