#pragma once
// What runs over a connected TCP socket of the client: plaintext (TcpTransport) or TLS
// (TlsTransport). The HTTP/1.1 connection (net/client/client_connection.cc) speaks only
// through this interface, as h2o's http1client speaks through its socket, so that it stays
// pure protocol: it writes request bytes, gets response bytes, and learns of EOF and errors.
//
//   transport->Start();                      // socket connected: OnTransportReady() follows
//   switch (transport->Write(buffers)) ...   // kPending: OnTransportWritten() follows
//   transport->OnRead(nread, buf);           // from the socket's read callback
//   transport->Shutdown();                   // before closing the socket (TLS: close_notify)
//
// The socket's handle belongs to the connection, which reads it and closes it; the transport
// writes to it and must outlive it (write callbacks come until the handle's close callback).

#include <uv.h>

#include <cstdint>
#include <span>
#include <string_view>

#include "net/client/request_outcome.h"

namespace hookfan::net {

class Transport {
 public:
  class Owner {
   public:
    // Requests may be written now (TCP: at once; TLS: the handshake finished).
    virtual void OnTransportReady() = 0;
    // Application bytes from the peer; only valid during the call.
    virtual void OnTransportData(std::string_view bytes) = 0;
    // A Write() that answered kPending is now all on its way.
    virtual void OnTransportWritten() = 0;
    // The peer ended the stream in order (TCP EOF, or TLS close_notify / EOF after the
    // handshake).
    virtual void OnTransportEof() = 0;
    // The connection is broken: kConnectionReset, or kTlsError with a detail such as
    // "certificate has expired" or "wrong version number".
    virtual void OnTransportError(RequestError error, std::string_view detail) = 0;

   protected:
    ~Owner() = default;
  };

  enum class WriteResult : std::uint8_t { kDone, kPending, kFailed };

  virtual ~Transport() = default;

  virtual void Start() = 0;
  // One message from up to four buffers, which stay valid until kDone is returned or
  // OnTransportWritten() runs. kFailed: the socket is broken (see failure()).
  virtual WriteResult Write(std::span<const uv_buf_t> buffers) = 0;
  virtual void OnRead(ssize_t nread, const uv_buf_t* buffer) = 0;
  virtual void Shutdown() = 0;

  // The error and detail of a Write() that answered kFailed.
  virtual RequestError failure() const = 0;
  virtual std::string_view failure_detail() const = 0;
  // TLS only: whether the handshake resumed a session (for stats).
  virtual bool resumed() const { return false; }
};

}  // namespace hookfan::net
