#pragma once
// A deliberately dumb HTTP peer for client tests: it listens on 127.0.0.1 port 0 in the
// test's own libuv loop, splits incoming bytes into requests (head + Content-Length body)
// and answers each with whatever bytes the test's script returns, valid HTTP or not.
//
//   RawHttpPeer peer(loop, [](const RawHttpPeer::Request& r) {
//     return RawHttpPeer::Reply::Answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
//   });
//   ... client sends to http://127.0.0.1:<peer.port()>/ ...
//   peer.Close();  // then run the loop until every handle has closed
//
// With EnableTls(server context) it speaks HTTPS: every connection runs a server TlsSession
// and the script sees and answers plaintext. OnFirstBytes() replaces the answer to a
// connection's first bytes (the ClientHello, over TLS) with raw bytes or a close, to play
// broken TLS servers.
//
// Test-only, header-only. Connections are freed in their close callbacks.

#include <uv.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/base/check.h"
#include "net/tls/tls_session.h"

namespace hookfan::net::testing {

class RawHttpPeer {
 public:
  struct Request {
    int connection = 0;  // order of acceptance, from 0
    int index = 0;       // order on its connection, from 0
    std::string head;    // request line and headers, up to and including the blank line
    std::string body;
  };
  struct Reply {
    std::string bytes;         // written as they are
    bool close_after = false;  // close the connection once written
    bool hold = false;         // write nothing now: the test calls Respond() later

    static Reply Answer(std::string bytes, bool close_after = false) {
      Reply reply;
      reply.bytes = std::move(bytes);
      reply.close_after = close_after;
      return reply;
    }
    static Reply Hold() {
      Reply reply;
      reply.hold = true;
      return reply;
    }
    static Reply CloseWithoutAnswer() {
      Reply reply;
      reply.close_after = true;
      return reply;
    }
  };
  using Script = std::function<Reply(const Request& request)>;

  RawHttpPeer(uv_loop_t* loop, Script script) : loop_(loop), script_(std::move(script)) {
    HOOKFAN_CHECK(uv_tcp_init(loop_, &listener_) == 0);
    listener_.data = this;
    sockaddr_in address;
    HOOKFAN_CHECK(uv_ip4_addr("127.0.0.1", 0, &address) == 0);
    HOOKFAN_CHECK(uv_tcp_bind(&listener_, reinterpret_cast<const sockaddr*>(&address), 0) == 0);
    HOOKFAN_CHECK(uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), 128, &OnConnection) == 0);
    sockaddr_storage bound;
    int length = sizeof(bound);
    HOOKFAN_CHECK(uv_tcp_getsockname(&listener_, reinterpret_cast<sockaddr*>(&bound), &length) ==
                  0);
    port_ = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    live_handles_ = 1;
  }
  ~RawHttpPeer() { HOOKFAN_CHECK(live_handles_ == 0); }
  RawHttpPeer(const RawHttpPeer&) = delete;
  RawHttpPeer& operator=(const RawHttpPeer&) = delete;

  int port() const { return port_; }
  std::string Url(std::string_view path = "/") const {
    return std::string(tls_ != nullptr ? "https" : "http") +
           "://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  // Before the first connection: speak TLS with this server context (kept by the test).
  void EnableTls(TlsContext* context) { tls_ = context; }
  // The answer to each connection's first bytes, written raw (not encrypted).
  void OnFirstBytes(std::function<Reply()> reply) { on_first_bytes_ = std::move(reply); }
  // TLS: sends a key update (a post-handshake message) on an accepted connection.
  void SendKeyUpdate(int connection) {
    Connection* c = connections_.at(static_cast<std::size_t>(connection));
    if (c == nullptr || c->tls == nullptr) return;
    HOOKFAN_CHECK(c->tls->RequestKeyUpdate());
    FlushTls(c, false);
  }
  int tls_failures() const { return tls_failures_; }
  int connections_accepted() const { return static_cast<int>(connections_.size()); }
  int connections_closed_by_client() const { return closed_by_client_; }
  const std::vector<Request>& requests() const { return requests_; }

  // Writes `bytes` on an accepted connection (e.g. to answer a held request).
  void Respond(int connection, std::string bytes, bool close_after = false) {
    Connection* c = connections_.at(static_cast<std::size_t>(connection));
    if (c != nullptr) Write(c, std::move(bytes), close_after);
  }
  void CloseConnection(int connection) {
    Connection* c = connections_.at(static_cast<std::size_t>(connection));
    if (c != nullptr) CloseIt(c);
  }
  // Closes the listener and every connection; run the loop afterwards.
  void Close() {
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&listener_))) {
      uv_close(reinterpret_cast<uv_handle_t*>(&listener_), &OnListenerClosed);
    }
    for (Connection* c : connections_) {
      if (c != nullptr) CloseIt(c);
    }
  }
  bool closed() const { return live_handles_ == 0; }

 private:
  struct Connection {
    uv_tcp_t tcp;
    RawHttpPeer* peer = nullptr;
    int id = 0;
    int requests = 0;
    std::string buffer;
    std::size_t head_end = std::string::npos;  // of the request being received, once seen
    bool closing = false;
    bool saw_bytes = false;
    std::unique_ptr<TlsSession> tls;
  };
  struct WriteOp {
    uv_write_t request;
    Connection* connection;
    std::string bytes;
    bool close_after;
  };

  static void OnConnection(uv_stream_t* server, int status) {
    auto* self = static_cast<RawHttpPeer*>(server->data);
    if (status < 0) return;
    auto* c = new Connection;
    c->peer = self;
    c->id = static_cast<int>(self->connections_.size());
    HOOKFAN_CHECK(uv_tcp_init(self->loop_, &c->tcp) == 0);
    c->tcp.data = c;
    ++self->live_handles_;
    HOOKFAN_CHECK(uv_accept(server, reinterpret_cast<uv_stream_t*>(&c->tcp)) == 0);
    self->connections_.push_back(c);
    if (self->tls_ != nullptr) c->tls = std::make_unique<TlsSession>(*self->tls_, "", "");
    uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), &OnAlloc, &OnRead);
  }

  static void OnAlloc(uv_handle_t*, std::size_t, uv_buf_t* buf) {
    static char storage[65536];
    *buf = uv_buf_init(storage, sizeof(storage));
  }

  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
    auto* c = static_cast<Connection*>(stream->data);
    RawHttpPeer* self = c->peer;
    if (nread < 0) {
      ++self->closed_by_client_;
      self->CloseIt(c);
      return;
    }
    const std::string_view bytes(buf->base, static_cast<std::size_t>(nread));
    if (!c->saw_bytes && self->on_first_bytes_) {
      c->saw_bytes = true;
      Reply reply = self->on_first_bytes_();
      if (!reply.bytes.empty()) {
        self->WriteRaw(c, std::move(reply.bytes), reply.close_after);
      } else if (reply.close_after) {
        self->CloseIt(c);
      }
      return;
    }
    c->saw_bytes = true;
    if (c->tls != nullptr) {
      std::string plaintext;
      const bool ok = c->tls->Receive(bytes, &plaintext);
      if (!self->FlushTls(c, !ok)) return;
      if (!ok) {
        ++self->tls_failures_;
        return;
      }
      c->buffer += plaintext;
    } else {
      c->buffer.append(bytes);
    }
    while (!c->closing) {
      if (c->head_end == std::string::npos) {
        c->head_end = c->buffer.find("\r\n\r\n");
        if (c->head_end == std::string::npos) return;
      }
      const std::size_t head_end = c->head_end;
      const std::size_t body_length = ContentLength(c->buffer.substr(0, head_end));
      const std::size_t total = head_end + 4 + body_length;
      if (c->buffer.size() < total) return;
      c->head_end = std::string::npos;
      Request request{.connection = c->id,
                      .index = c->requests++,
                      .head = c->buffer.substr(0, head_end + 4),
                      .body = c->buffer.substr(head_end + 4, body_length)};
      c->buffer.erase(0, total);
      self->requests_.push_back(request);
      Reply reply = self->script_(request);
      if (reply.hold) continue;
      if (!reply.bytes.empty()) {
        self->Write(c, std::move(reply.bytes), reply.close_after);
      } else if (reply.close_after) {
        self->CloseIt(c);
      }
    }
  }

  static std::size_t ContentLength(std::string head) {
    for (char& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const std::size_t at = head.find("\r\ncontent-length:");
    if (at == std::string::npos) return 0;
    return static_cast<std::size_t>(std::strtoull(head.c_str() + at + 17, nullptr, 10));
  }

  // Writes what the TLS session produced; `close_after` closes once it is written. false when
  // the connection is closing.
  bool FlushTls(Connection* c, bool close_after) {
    std::string output;
    c->tls->TakeOutput(&output);
    if (!output.empty()) {
      WriteRaw(c, std::move(output), close_after);
    } else if (close_after) {
      CloseIt(c);
    }
    return !c->closing;
  }

  void Write(Connection* c, std::string bytes, bool close_after) {
    if (c->tls == nullptr) {
      WriteRaw(c, std::move(bytes), close_after);
      return;
    }
    if (c->closing || !c->tls->handshake_done()) return;
    if (!c->tls->Send(bytes)) {
      CloseIt(c);
      return;
    }
    FlushTls(c, close_after);
  }

  void WriteRaw(Connection* c, std::string bytes, bool close_after) {
    if (c->closing) return;
    auto* op = new WriteOp{
        .request = {}, .connection = c, .bytes = std::move(bytes), .close_after = close_after};
    op->request.data = op;
    uv_buf_t buf = uv_buf_init(op->bytes.data(), static_cast<unsigned>(op->bytes.size()));
    if (uv_write(&op->request, reinterpret_cast<uv_stream_t*>(&c->tcp), &buf, 1, &OnWritten) != 0) {
      delete op;
      CloseIt(c);
    }
  }

  static void OnWritten(uv_write_t* request, int status) {
    auto* op = static_cast<WriteOp*>(request->data);
    Connection* c = op->connection;
    const bool close_after = op->close_after;
    delete op;
    if (status == UV_ECANCELED) return;  // the connection is closing already
    if (status < 0 || close_after) c->peer->CloseIt(c);
  }

  void CloseIt(Connection* c) {
    if (c->closing) return;
    c->closing = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), &OnConnectionClosed);
  }

  static void OnConnectionClosed(uv_handle_t* handle) {
    auto* c = static_cast<Connection*>(handle->data);
    RawHttpPeer* self = c->peer;
    self->connections_[static_cast<std::size_t>(c->id)] = nullptr;
    --self->live_handles_;
    delete c;
  }

  static void OnListenerClosed(uv_handle_t* handle) {
    --static_cast<RawHttpPeer*>(handle->data)->live_handles_;
  }

  uv_loop_t* loop_;
  Script script_;
  TlsContext* tls_ = nullptr;
  std::function<Reply()> on_first_bytes_;
  int tls_failures_ = 0;
  uv_tcp_t listener_;
  int port_ = 0;
  int live_handles_ = 0;
  int closed_by_client_ = 0;
  std::vector<Connection*> connections_;  // by id; nullptr once closed
  std::vector<Request> requests_;
};

}  // namespace hookfan::net::testing
