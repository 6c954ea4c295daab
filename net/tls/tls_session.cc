#include "net/tls/tls_session.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "net/base/check.h"

namespace hookfan::net {
namespace {

bool IsIpLiteral(std::string_view host) {
  const std::string text(host);
  in6_addr scratch{};
  return inet_pton(AF_INET, text.c_str(), &scratch) == 1 ||
         inet_pton(AF_INET6, text.c_str(), &scratch) == 1;
}

}  // namespace

std::string_view TlsErrorName(TlsError error) {
  switch (error) {
    case TlsError::kNone:
      return "none";
    case TlsError::kHandshake:
      return "tls_handshake";
    case TlsError::kCertificateVerify:
      return "tls_certificate";
    case TlsError::kClosedDuringHandshake:
      return "tls_closed_during_handshake";
    case TlsError::kProtocol:
      return "tls_protocol";
  }
  return "tls_unknown";
}

TlsSession::TlsSession(TlsContext& context, std::string_view host, std::string origin)
    : context_(context), origin_(std::move(origin)), ssl_(SSL_new(context.ssl_ctx())) {
  HOOKFAN_CHECK(ssl_ != nullptr);
  network_in_ = BIO_new(BIO_s_mem());
  network_out_ = BIO_new(BIO_s_mem());
  HOOKFAN_CHECK(network_in_ != nullptr && network_out_ != nullptr);
  // An empty memory BIO means "no data yet", not EOF.
  BIO_set_mem_eof_return(network_in_, -1);
  BIO_set_mem_eof_return(network_out_, -1);
  SSL_set_bio(ssl_, network_in_, network_out_);  // the SSL owns both BIOs now
  SSL_set_ex_data(ssl_, TlsContext::SessionIndex(), this);
  if (context.is_client()) {
    SSL_set_connect_state(ssl_);
    const std::string name(host);
    if (IsIpLiteral(host)) {
      // No SNI for addresses (RFC 6066); the certificate must name the IP.
      if (context.verify()) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), name.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl_, name.c_str());
      if (context.verify()) SSL_set1_host(ssl_, name.c_str());
    }
  } else {
    SSL_set_accept_state(ssl_);
  }
}

TlsSession::~TlsSession() { SSL_free(ssl_); }

void TlsSession::Start() {
  if (SSL_SESSION* session = context_.SessionFor(origin_)) SSL_set_session(ssl_, session);
  (void)DriveHandshake();
}

bool TlsSession::Receive(std::string_view ciphertext, std::string* plaintext) {
  if (error_ != TlsError::kNone) return false;
  if (!ciphertext.empty()) {
    const int written =
        BIO_write(network_in_, ciphertext.data(), static_cast<int>(ciphertext.size()));
    HOOKFAN_CHECK(written == static_cast<int>(ciphertext.size()));  // memory BIOs grow
  }
  if (!handshake_done_ && !DriveHandshake()) return false;
  if (!handshake_done_) return true;
  return ReadPlaintext(plaintext);
}

bool TlsSession::Send(std::string_view plaintext) {
  if (error_ != TlsError::kNone) return false;
  HOOKFAN_DCHECK(handshake_done_);
  while (!plaintext.empty()) {
    std::size_t written = 0;
    const int r = SSL_write_ex(ssl_, plaintext.data(), plaintext.size(), &written);
    if (r != 1) return FailFrom(0, TlsError::kProtocol);
    plaintext.remove_prefix(written);
  }
  return true;
}

void TlsSession::OnEof() {
  if (error_ != TlsError::kNone || handshake_done_) return;
  error_ = TlsError::kClosedDuringHandshake;
  detail_ = "the peer closed the connection during the TLS handshake";
  ++context_.stats().failed_handshakes;
}

void TlsSession::Shutdown() {
  if (shut_down_ || error_ != TlsError::kNone || !handshake_done_) return;
  shut_down_ = true;
  (void)SSL_shutdown(ssl_);  // writes close_notify; we do not wait for the peer's
  ERR_clear_error();
}

bool TlsSession::RequestKeyUpdate() {
  if (error_ != TlsError::kNone || !handshake_done_) return false;
  if (SSL_key_update(ssl_, SSL_KEY_UPDATE_REQUESTED) != 1) return FailFrom(0, TlsError::kProtocol);
  // Sent by the next write, or now by a handshake step.
  if (SSL_do_handshake(ssl_) != 1) return FailFrom(0, TlsError::kProtocol);
  return true;
}

void TlsSession::TakeOutput(std::string* out) {
  const std::size_t pending = BIO_ctrl_pending(network_out_);
  if (pending == 0) return;
  const std::size_t start = out->size();
  out->resize(start + pending);
  const int read = BIO_read(network_out_, out->data() + start, static_cast<int>(pending));
  out->resize(start + static_cast<std::size_t>(read > 0 ? read : 0));
}

bool TlsSession::has_output() const { return BIO_ctrl_pending(network_out_) > 0; }

std::string_view TlsSession::alpn() const {
  const unsigned char* data = nullptr;
  unsigned length = 0;
  SSL_get0_alpn_selected(ssl_, &data, &length);
  return {reinterpret_cast<const char*>(data), length};
}

bool TlsSession::DriveHandshake() {
  const int r = SSL_do_handshake(ssl_);
  if (r == 1) {
    handshake_done_ = true;
    resumed_ = SSL_session_reused(ssl_) == 1;
    ++(resumed_ ? context_.stats().resumed_handshakes : context_.stats().full_handshakes);
    return true;
  }
  const int code = SSL_get_error(ssl_, r);
  if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) return true;
  ++context_.stats().failed_handshakes;
  return FailFrom(r, TlsError::kHandshake);
}

bool TlsSession::ReadPlaintext(std::string* plaintext) {
  char buffer[16384];
  for (;;) {
    std::size_t read = 0;
    const int r = SSL_read_ex(ssl_, buffer, sizeof(buffer), &read);
    if (r == 1) {
      plaintext->append(buffer, read);
      continue;
    }
    const int code = SSL_get_error(ssl_, r);
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) return true;
    if (code == SSL_ERROR_ZERO_RETURN) {
      peer_closed_ = true;
      return true;
    }
    return FailFrom(r, TlsError::kProtocol);
  }
}

bool TlsSession::FailFrom(int /*ssl_result*/, TlsError kind) {
  const long verify = SSL_get_verify_result(ssl_);
  if (kind == TlsError::kHandshake && context_.is_client() && context_.verify() &&
      verify != X509_V_OK) {
    error_ = TlsError::kCertificateVerify;
    detail_ = X509_verify_cert_error_string(verify);
    ERR_clear_error();
    return false;
  }
  error_ = kind;
  detail_ = TakeOpenSslError(kind == TlsError::kHandshake ? "handshake failed" : "protocol error");
  return false;
}

}  // namespace hookfan::net
