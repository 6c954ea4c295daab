#pragma once
// HttpServer: an HTTP/1.1 server on one libuv loop, for hookfan's ingest and admin API and for
// the `hookfan sink` receiver that load tests aim at. Keep-alive and pipelining (answers
// leave in request order even when handlers answer out of order), chunked request bodies,
// HTTP/1.0, "Expect: 100-continue", size limits (413, 431), malformed input (400) and slow or
// idle clients (closed after the configured timeouts).
//
//   HttpServerOptions options;                          // 127.0.0.1, port 0: any free port
//   StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Listen(
//       loop, options, [](const ServerRequest& request, HttpResponder responder) {
//         responder.Respond(200, "ok");
//       });
//   if (!server.ok()) return server.status();           // names the address and the error
//   printf("listening on port %d\n", (*server)->port());
//   ...
//   (*server)->Close([&] { server_done = true; });      // then destroy it
//
// Threads: everything, handler calls included, runs on the loop's thread; call methods only
// from there. Ownership: the caller owns the HttpServer and may destroy it only after Close's
// callback ran (or from inside it). Connections own themselves; Close closes them all and its
// callback runs once every one is freed, which needs every HttpResponder answered or
// destroyed.
//
// Hot path: one shared read buffer per server, per-connection buffers reused across requests,
// responses of one read coalesced into one write, bodies that arrive whole never copied.

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "net/base/clock.h"
#include "net/base/loop_thread_check.h"
#include "net/base/status.h"
#include "net/http/http_date.h"
#include "net/http/http_request_parser.h"
#include "net/server/http_responder.h"
#include "net/server/server_request.h"

namespace hookfan::net {

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // numeric IPv4 or IPv6 address; no name lookup
  int port = 0;                    // 0: the kernel picks a free port, see HttpServer::port()
  int backlog = 511;
  HttpRequestLimits limits;  // header bytes and count (431), body bytes (413)
  // From the first byte of a request to the end of its headers.
  DurationMs header_timeout_ms = 10 * kSecondMs;
  // Longest silence while a request body is arriving.
  DurationMs body_timeout_ms = 30 * kSecondMs;
  // A kept-alive connection with no request in progress and nothing to answer; also the
  // longest a response may wait for the peer to read it.
  DurationMs idle_timeout_ms = 60 * kSecondMs;
  // After a response that closes the connection, unread input is drained this long so the
  // peer sees the response rather than a reset.
  DurationMs linger_timeout_ms = 2 * kSecondMs;
  // Reading pauses while this many requests of one connection await their answers...
  std::size_t max_pipelined = 64;
  // ...or while this many response bytes wait to be written.
  std::size_t max_output_bytes = 1 << 20;
};

// Counters since Listen; plain integers, read on the loop thread.
struct HttpServerStats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t requests = 0;         // complete requests handed to the handler
  std::uint64_t rejected = 0;         // answered by the server itself: 400, 413, 417, 431
  std::uint64_t timeouts = 0;         // connections closed by a header, body or idle timeout
  std::uint64_t resets = 0;           // connections reset through HttpResponder::Reset
  std::uint64_t handler_dropped = 0;  // responders destroyed unanswered (answered 500)
};

class HttpServerConnection;

class HttpServer {
 public:
  using Handler = std::function<void(const ServerRequest& request, HttpResponder responder)>;

  // Binds host:port and starts accepting on `loop`. Errors name the address. The first call
  // ignores SIGPIPE process-wide, so that writing to a vanished peer fails instead of
  // killing the process.
  static StatusOr<std::unique_ptr<HttpServer>> Listen(uv_loop_t* loop, HttpServerOptions options,
                                                      Handler handler);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();  // only after Close's callback (checked)

  int port() const { return port_; }  // the bound port (the chosen one when asked for 0)
  const HttpServerOptions& options() const { return options_; }
  const HttpServerStats& stats() const { return stats_; }
  std::size_t open_connections() const { return connection_count_; }

  // Stops accepting, closes every connection at once (pending answers are dropped) and calls
  // `on_closed` when the last uv handle is closed. `on_closed` may destroy the server.
  void Close(std::function<void()> on_closed);

 private:
  friend class HttpServerConnection;

  HttpServer(uv_loop_t* loop, HttpServerOptions options, Handler handler);
  Status Bind();
  static void OnConnection(uv_stream_t* listener, int status);
  static void OnListenerClosed(uv_handle_t* handle);
  // A connection about to free itself leaves the list, then reports that it is gone.
  void Unlink(HttpServerConnection* connection);
  void OnConnectionFreed();
  void MaybeFinishClose();

  static constexpr std::size_t kReadBufferSize = 64 * 1024;

  // Loop-thread checks (debug builds): the first checked call binds the loop's thread, which
  // need not be the thread that called Listen.
  bool OnLoopThread() const { return loop_thread_.OnLoopThread(); }

  uv_loop_t* const loop_;
  LoopThreadCheck loop_thread_;
  const HttpServerOptions options_;
  const Handler handler_;
  uv_tcp_t listener_;
  int port_ = 0;
  bool listening_ = false;  // listener_ initialised and not yet closed
  bool closing_ = false;
  bool closed_ = false;
  bool frees_itself_ = false;  // Listen failed after the listener handle existed
  std::function<void()> on_closed_;

  // Shared by every connection: a read is parsed completely before the next one.
  std::unique_ptr<char[]> read_buffer_;
  HttpDateCache date_;
  HttpServerStats stats_;
  HttpServerConnection* connections_ = nullptr;  // intrusive list of live connections
  std::size_t connection_count_ = 0;
};

}  // namespace hookfan::net
