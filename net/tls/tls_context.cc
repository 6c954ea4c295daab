#include "net/tls/tls_context.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "net/base/check.h"
#include "net/tls/tls_session.h"

namespace hookfan::net {
namespace {

// Readable and a regular file: checked first so the error says "cannot read" with the
// system's reason rather than OpenSSL's "system lib".
Status CheckReadable(const std::string& path, const std::string& field) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return Status::InvalidArgument(field + ": cannot read '" + path + "': " + std::strerror(errno));
  }
  std::fclose(file);
  return Status::Ok();
}

Status LoadCertificateAndKey(SSL_CTX* ctx, const std::string& cert_file,
                             const std::string& cert_field, const std::string& key_file,
                             const std::string& key_field) {
  if (cert_file.empty() != key_file.empty()) {
    return Status::InvalidArgument((cert_file.empty() ? cert_field : key_field) +
                                   ": must be given together with " +
                                   (cert_file.empty() ? key_field : cert_field));
  }
  if (cert_file.empty()) return Status::Ok();
  HOOKFAN_RETURN_IF_ERROR(CheckReadable(cert_file, cert_field));
  HOOKFAN_RETURN_IF_ERROR(CheckReadable(key_file, key_field));
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return Status::InvalidArgument(cert_field + ": '" + cert_file + "' is not a PEM certificate (" +
                                   TakeOpenSslError("unreadable") + ")");
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    const std::string reason = TakeOpenSslError("unreadable");
    if (reason != "key values mismatch") {
      return Status::InvalidArgument(key_field + ": '" + key_file + "' is not a PEM private key (" +
                                     reason + ")");
    }
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument(key_field + ": '" + key_file + "' does not match " + cert_field +
                                   " '" + cert_file + "'");
  }
  return Status::Ok();
}

SSL_CTX* NewContext(const SSL_METHOD* method) {
  SSL_CTX* ctx = SSL_CTX_new(method);
  HOOKFAN_CHECK(ctx != nullptr);
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // Renegotiation is refused: nothing a webhook needs, and a known source of trouble.
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // Writes from a plaintext buffer that moves between calls (memory BIOs never block, but
  // a retry may come with a different pointer).
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  return ctx;
}

}  // namespace

std::string TakeOpenSslError(std::string_view fallback) {
  unsigned long code = 0;
  unsigned long last = 0;
  while ((code = ERR_get_error()) != 0) last = code;
  if (last == 0) return std::string(fallback);
  const char* reason = ERR_reason_error_string(last);
  if (reason != nullptr) return reason;
  char text[256];
  ERR_error_string_n(last, text, sizeof(text));
  return text;
}

int TlsContext::SessionIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

TlsContext::TlsContext(SSL_CTX* ctx, bool client, bool verify)
    : ctx_(ctx), client_(client), verify_(verify) {}

TlsContext::~TlsContext() {
  for (auto& [origin, session] : sessions_) SSL_SESSION_free(session);
  SSL_CTX_free(ctx_);
}

StatusOr<std::unique_ptr<TlsContext>> TlsContext::Client(const TlsClientOptions& options) {
  SSL_CTX* ctx = NewContext(TLS_client_method());
  std::unique_ptr<TlsContext> context(new TlsContext(ctx, true, options.verify));
  if (!options.ca_file.empty()) {
    HOOKFAN_RETURN_IF_ERROR(CheckReadable(options.ca_file, options.ca_field));
    if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
      return Status::InvalidArgument(options.ca_field + ": '" + options.ca_file +
                                     "' holds no PEM certificate (" +
                                     TakeOpenSslError("unreadable") + ")");
    }
  } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    // No system store is not fatal here: every verified handshake will then fail, typed.
    ERR_clear_error();
  }
  SSL_CTX_set_verify(ctx, options.verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  HOOKFAN_RETURN_IF_ERROR(LoadCertificateAndKey(ctx, options.cert_file, options.cert_field,
                                                options.key_file, options.key_field));
  static const unsigned char kAlpn[] = "\x08http/1.1";
  SSL_CTX_set_alpn_protos(ctx, kAlpn, sizeof(kAlpn) - 1);
  // Sessions live in our per-origin map, not OpenSSL's internal cache.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, &TlsContext::OnNewSession);
  return context;
}

StatusOr<std::unique_ptr<TlsContext>> TlsContext::Server(const TlsServerOptions& options) {
  if (options.cert_file.empty() || options.key_file.empty()) {
    return Status::InvalidArgument(
        (options.cert_file.empty() ? options.cert_field : options.key_field) + ": missing");
  }
  SSL_CTX* ctx = NewContext(TLS_server_method());
  std::unique_ptr<TlsContext> context(new TlsContext(ctx, false, false));
  HOOKFAN_RETURN_IF_ERROR(LoadCertificateAndKey(ctx, options.cert_file, options.cert_field,
                                                options.key_file, options.key_field));
  if (!options.client_ca_file.empty()) {
    HOOKFAN_RETURN_IF_ERROR(CheckReadable(options.client_ca_file, options.client_ca_field));
    if (SSL_CTX_load_verify_locations(ctx, options.client_ca_file.c_str(), nullptr) != 1) {
      return Status::InvalidArgument(options.client_ca_field + ": '" + options.client_ca_file +
                                     "' holds no PEM certificate (" +
                                     TakeOpenSslError("unreadable") + ")");
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  static const unsigned char kSessionContext[] = "hookfan";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext) - 1);
  SSL_CTX_set_alpn_select_cb(
      ctx,
      [](SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
         unsigned in_length, void*) {
        static const unsigned char kHttp11[] = "\x08http/1.1";
        unsigned char* selected = nullptr;
        if (SSL_select_next_proto(&selected, out_length, kHttp11, sizeof(kHttp11) - 1, in,
                                  in_length) != OPENSSL_NPN_NEGOTIATED) {
          return SSL_TLSEXT_ERR_NOACK;  // no ALPN in common: carry on without
        }
        *out = selected;
        return SSL_TLSEXT_ERR_OK;
      },
      nullptr);
  return context;
}

SSL_SESSION* TlsContext::SessionFor(const std::string& origin) const {
  auto it = sessions_.find(origin);
  return it == sessions_.end() ? nullptr : it->second;
}

void TlsContext::StoreSession(const std::string& origin, SSL_SESSION* session) {
  auto [it, inserted] = sessions_.emplace(origin, session);
  if (!inserted) {
    SSL_SESSION_free(it->second);
    it->second = session;
  }
}

int TlsContext::OnNewSession(SSL* ssl, SSL_SESSION* session) {
  auto* owner = static_cast<TlsSession*>(SSL_get_ex_data(ssl, SessionIndex()));
  if (owner == nullptr || owner->origin().empty()) return 0;
  owner->context().StoreSession(owner->origin(), session);
  return 1;  // we keep the reference
}

}  // namespace hookfan::net
