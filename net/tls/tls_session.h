#pragma once
// One TLS connection as a byte transformer over OpenSSL memory BIOs, with no socket of its
// own (as h2o runs OpenSSL over its sockets): the owner moves ciphertext between it and the
// network, so the same code runs on libuv streams and in tests that pipe two sessions into
// each other.
//
//   TlsSession tls(context, "example.com", "https://example.com:443");
//   tls.Start();                          // client: ClientHello into the output
//   tls.TakeOutput(&wire);  write(wire);  // after every call, send what it produced
//   if (!tls.Receive(bytes_from_network, &plaintext)) { tls.error(), tls.detail() ... }
//   tls.Send(request_bytes);              // after handshake_done()
//   tls.Shutdown();                       // close_notify into the output
//
// Receive() also consumes what may arrive on an idle connection after the handshake (TLS 1.3
// session tickets, key updates): they yield no plaintext and are not an error. Errors are
// typed; detail() gives OpenSSL's reason ("certificate has expired", "hostname mismatch",
// "wrong version number"). Threads: the owner's loop thread only.

#include <openssl/ssl.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "net/tls/tls_context.h"

namespace hookfan::net {

enum class TlsError : std::uint8_t {
  kNone = 0,
  kHandshake,              // the handshake failed (no common version, alert, garbage bytes)
  kCertificateVerify,      // the peer's certificate did not verify (detail: the reason)
  kClosedDuringHandshake,  // the peer closed before the handshake finished
  kProtocol,               // a bad record or an alert after the handshake
};
std::string_view TlsErrorName(TlsError error);

class TlsSession {
 public:
  // Client sessions verify against `host` (a name, or an IP literal checked against the
  // certificate's IP addresses) and file tickets under `origin`; servers ignore both.
  TlsSession(TlsContext& context, std::string_view host, std::string origin);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Client: begins the handshake, offering the origin's newest session if there is one.
  void Start();
  // Ciphertext from the peer. Decrypted application bytes are appended to `plaintext`.
  // false once a fatal error happened (error(), detail()); the output may then hold an alert.
  [[nodiscard]] bool Receive(std::string_view ciphertext, std::string* plaintext);
  // Application bytes to encrypt (after the handshake). false on a fatal error.
  [[nodiscard]] bool Send(std::string_view plaintext);
  // The transport reached EOF: before the handshake finished that is an error.
  void OnEof();
  // Queues close_notify (once).
  void Shutdown();
  // After the handshake (TLS 1.3): queues a key update asking the peer for one too. Tests use
  // it to play a server that sends post-handshake messages on an idle connection.
  [[nodiscard]] bool RequestKeyUpdate();

  // Appends the ciphertext waiting for the network to `out` and forgets it.
  void TakeOutput(std::string* out);
  bool has_output() const;

  bool handshake_done() const { return handshake_done_; }
  bool resumed() const { return resumed_; }
  bool peer_closed() const { return peer_closed_; }  // close_notify received
  TlsError error() const { return error_; }
  const std::string& detail() const { return detail_; }
  std::string_view alpn() const;

  TlsContext& context() const { return context_; }
  const std::string& origin() const { return origin_; }

 private:
  bool DriveHandshake();
  bool ReadPlaintext(std::string* plaintext);
  bool FailFrom(int ssl_result, TlsError kind);

  TlsContext& context_;
  std::string origin_;
  SSL* ssl_;
  BIO* network_in_;   // ciphertext from the peer, read by OpenSSL
  BIO* network_out_;  // ciphertext OpenSSL produced, for the network
  bool handshake_done_ = false;
  bool resumed_ = false;
  bool peer_closed_ = false;
  bool shut_down_ = false;
  TlsError error_ = TlsError::kNone;
  std::string detail_;
};

}  // namespace hookfan::net
