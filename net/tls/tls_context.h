#pragma once
// OpenSSL settings shared by the TLS connections of one side of one loop: a client context
// per HttpClient (its trust anchors, client certificate, per-origin session cache) or a
// server context per listener (certificate and key). Errors from files name the field.
//
//   TlsClientOptions o;                         // verification on, the system trust store
//   o.ca_file = "ca.pem";                       // trust only this bundle instead
//   auto context = TlsContext::Client(o);       // StatusOr<std::unique_ptr<TlsContext>>
//   TlsSession session(**context, TlsSession::Role::kClient, "example.com", "https://...");
//
// Client defaults: TLS 1.2 and 1.3 only, certificates verified against the system store
// (SSL_CERT_FILE / SSL_CERT_DIR honoured, as OpenSSL does), host name or IP checked, SNI
// for names, ALPN "http/1.1", no renegotiation. TLS 1.3 tickets arrive after the handshake:
// the new-session callback files them under the session's origin, and the next connection
// to that origin offers the newest one (resumption). Threads: one loop's thread only.

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "net/base/status.h"

namespace hookfan::net {

struct TlsClientOptions {
  bool verify = true;     // false: any certificate is accepted (logged loudly by the caller)
  std::string ca_file;    // PEM bundle to trust instead of the system store
  std::string cert_file;  // client certificate (mutual TLS), PEM, with key_file
  std::string key_file;
  // What errors call the fields: "endpoints[0].tls_ca_file" in serve, "--tls-ca" in blast.
  std::string ca_field = "tls_ca_file";
  std::string cert_field = "tls_cert_file";
  std::string key_field = "tls_key_file";
};

struct TlsServerOptions {
  std::string cert_file;  // PEM chain, leaf first
  std::string key_file;
  // Mutual TLS: clients must present a certificate issued by this bundle. Empty: none asked.
  std::string client_ca_file;
  std::string cert_field = "tls_cert";
  std::string key_field = "tls_key";
  std::string client_ca_field = "tls_client_ca";
};

struct TlsStats {
  std::uint64_t full_handshakes = 0;
  std::uint64_t resumed_handshakes = 0;
  std::uint64_t failed_handshakes = 0;
};

class TlsContext {
 public:
  static StatusOr<std::unique_ptr<TlsContext>> Client(const TlsClientOptions& options);
  static StatusOr<std::unique_ptr<TlsContext>> Server(const TlsServerOptions& options);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* ssl_ctx() const { return ctx_; }
  bool is_client() const { return client_; }
  bool verify() const { return verify_; }

  // The newest session kept for `origin` (owned by the cache), or nullptr.
  SSL_SESSION* SessionFor(const std::string& origin) const;
  // Takes ownership of `session` (one reference), replacing the origin's previous one.
  void StoreSession(const std::string& origin, SSL_SESSION* session);

  TlsStats& stats() { return stats_; }
  const TlsStats& stats() const { return stats_; }

  // The SSL ex_data slot where TlsSession keeps itself (for the new-session callback).
  static int SessionIndex();

 private:
  TlsContext(SSL_CTX* ctx, bool client, bool verify);
  static int OnNewSession(SSL* ssl, SSL_SESSION* session);

  SSL_CTX* ctx_;
  bool client_;
  bool verify_;
  std::unordered_map<std::string, SSL_SESSION*> sessions_;
  TlsStats stats_;
};

// The text of the most recent OpenSSL error on this thread, cleared from the queue:
// "wrong version number", or `fallback` when the queue is empty.
std::string TakeOpenSslError(std::string_view fallback);

}  // namespace hookfan::net
