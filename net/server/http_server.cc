#include "net/server/http_server.h"

#include <csignal>
#include <string>
#include <utility>

#include "net/base/check.h"
#include "net/server/http_server_connection.h"

namespace hookfan::net {

namespace {
uv_handle_t* Handle(uv_tcp_t* tcp) { return reinterpret_cast<uv_handle_t*>(tcp); }
uv_stream_t* Stream(uv_tcp_t* tcp) { return reinterpret_cast<uv_stream_t*>(tcp); }
}  // namespace

HttpServer::HttpServer(uv_loop_t* loop, HttpServerOptions options, Handler handler)
    : loop_(loop),
      options_(std::move(options)),
      handler_(std::move(handler)),
      read_buffer_(new char[kReadBufferSize]) {}

HttpServer::~HttpServer() { HOOKFAN_CHECK(!listening_ && connection_count_ == 0); }

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Listen(uv_loop_t* loop, HttpServerOptions options,
                                                         Handler handler) {
  std::unique_ptr<HttpServer> server(new HttpServer(loop, std::move(options), std::move(handler)));
  Status status = server->Bind();
  if (status.ok()) return server;
  if (server->listening_) {
    // The listener handle exists: the server can only go away in its close callback.
    HttpServer* orphan = server.release();
    orphan->frees_itself_ = true;
    orphan->closing_ = true;
    uv_close(Handle(&orphan->listener_), &HttpServer::OnListenerClosed);
  }
  return status;
}

Status HttpServer::Bind() {
  const std::string address = options_.host + ":" + std::to_string(options_.port);
  if (options_.port < 0 || options_.port > 65535) {
    return Status::InvalidArgument("port: " + std::to_string(options_.port) +
                                   " is not in 0..65535");
  }
  if (!handler_) return Status::InvalidArgument("handler: must be set");
  sockaddr_storage storage{};
  auto* addr = reinterpret_cast<sockaddr*>(&storage);
  if (uv_ip4_addr(options_.host.c_str(), options_.port, reinterpret_cast<sockaddr_in*>(&storage)) !=
          0 &&
      uv_ip6_addr(options_.host.c_str(), options_.port,
                  reinterpret_cast<sockaddr_in6*>(&storage)) != 0) {
    return Status::InvalidArgument("host: \"" + options_.host +
                                   "\" is not a numeric IPv4 or IPv6 address");
  }
  HOOKFAN_CHECK(uv_tcp_init(loop_, &listener_) == 0);
  listener_.data = this;
  listening_ = true;
  int rc = uv_tcp_bind(&listener_, addr, 0);
  if (rc == 0) rc = uv_listen(Stream(&listener_), options_.backlog, &HttpServer::OnConnection);
  if (rc != 0) return Status::Io("listen " + address + ": " + uv_strerror(rc));
  sockaddr_storage bound{};
  int length = sizeof(bound);
  rc = uv_tcp_getsockname(&listener_, reinterpret_cast<sockaddr*>(&bound), &length);
  if (rc != 0) return Status::Io("listen " + address + ": " + uv_strerror(rc));
  port_ = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                      : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return Status::Ok();
}

void HttpServer::OnConnection(uv_stream_t* listener, int status) {
  auto* server = static_cast<HttpServer*>(listener->data);
  // A failed accept (EMFILE, ...) concerns that one client; the listener stays up.
  if (status < 0 || server->closing_) return;
  auto* connection = new HttpServerConnection(*server);
  connection->next_in_server = server->connections_;
  if (server->connections_ != nullptr) server->connections_->prev_in_server = connection;
  server->connections_ = connection;
  ++server->connection_count_;
  ++server->stats_.connections_accepted;
  connection->Start(listener);
}

void HttpServer::Unlink(HttpServerConnection* connection) {
  if (connection->prev_in_server != nullptr) {
    connection->prev_in_server->next_in_server = connection->next_in_server;
  } else {
    connections_ = connection->next_in_server;
  }
  if (connection->next_in_server != nullptr) {
    connection->next_in_server->prev_in_server = connection->prev_in_server;
  }
}

void HttpServer::OnConnectionFreed() {
  --connection_count_;
  MaybeFinishClose();
}

void HttpServer::Close(std::function<void()> on_closed) {
  HOOKFAN_DCHECK(OnLoopThread());
  HOOKFAN_CHECK(!closing_);
  closing_ = true;
  on_closed_ = std::move(on_closed);
  if (listening_) uv_close(Handle(&listener_), &HttpServer::OnListenerClosed);
  // Close() only starts closing: no connection is freed (nor unlinked) during this loop.
  for (HttpServerConnection* connection = connections_; connection != nullptr;
       connection = connection->next_in_server) {
    connection->Close();
  }
  MaybeFinishClose();
}

void HttpServer::OnListenerClosed(uv_handle_t* handle) {
  auto* server = static_cast<HttpServer*>(handle->data);
  server->listening_ = false;
  if (server->frees_itself_) {
    delete server;
    return;
  }
  server->MaybeFinishClose();
}

void HttpServer::MaybeFinishClose() {
  if (!closing_ || closed_ || listening_ || connection_count_ > 0) return;
  closed_ = true;
  std::function<void()> on_closed = std::move(on_closed_);
  if (on_closed) on_closed();  // last statement: the callback may destroy the server
}

}  // namespace hookfan::net
