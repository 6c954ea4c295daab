#pragma once
// HTTPS over the connected socket: a client TlsSession (net/tls/tls_session.h) between the
// socket and the HTTP/1.1 connection. Ciphertext the session produces is written at once
// when the socket takes it, else queued from a buffer owned here (the request's plaintext
// is already encrypted, so the caller's buffers are free as soon as Write() returns).
//
// What arrives on an idle connection after the handshake (TLS 1.3 session tickets, key
// updates) yields no application bytes and is not connection loss; close_notify or EOF is
// an orderly end; anything else that fails is kTlsError with OpenSSL's reason.

#include <memory>
#include <string>

#include "net/client/transport.h"
#include "net/tls/tls_session.h"

namespace hookfan::net {

class TlsTransport final : public Transport {
 public:
  // `host` is checked against the certificate; `origin` keys the resumption cache.
  TlsTransport(uv_stream_t* stream, Owner* owner, TlsContext& context, std::string_view host,
               std::string origin);

  void Start() override;
  WriteResult Write(std::span<const uv_buf_t> buffers) override;
  void OnRead(ssize_t nread, const uv_buf_t* buffer) override;
  void Shutdown() override;
  RequestError failure() const override { return failure_; }
  std::string_view failure_detail() const override { return failure_detail_; }
  bool resumed() const override { return session_.resumed(); }

 private:
  // Sends what the session produced. false when the socket is broken (failure() set).
  bool Flush();
  void Fail(RequestError error, std::string_view detail);
  static void OnWritten(uv_write_t* request, int status);

  uv_stream_t* stream_;
  Owner* owner_;
  TlsSession session_;
  std::string output_;    // ciphertext not yet handed to the socket
  std::string in_write_;  // ciphertext of the queued uv_write, kept until its callback
  std::string plaintext_;
  uv_write_t write_request_{};
  bool write_queued_ = false;
  bool owner_waits_ = false;  // a Write() answered kPending
  bool failed_ = false;
  RequestError failure_ = RequestError::kNone;
  std::string failure_detail_;
};

}  // namespace hookfan::net
