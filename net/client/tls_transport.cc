#include "net/client/tls_transport.h"

namespace hookfan::net {

TlsTransport::TlsTransport(uv_stream_t* stream, Owner* owner, TlsContext& context,
                           std::string_view host, std::string origin)
    : stream_(stream), owner_(owner), session_(context, host, std::move(origin)) {
  output_.reserve(16 * 1024);
  write_request_.data = this;
}

void TlsTransport::Start() {
  session_.Start();  // the ClientHello, with the origin's newest ticket if there is one
  if (session_.error() != TlsError::kNone) {
    Fail(RequestError::kTlsError, session_.detail());
    return;
  }
  if (!Flush()) owner_->OnTransportError(failure_, failure_detail_);
}

Transport::WriteResult TlsTransport::Write(std::span<const uv_buf_t> buffers) {
  if (failed_) return WriteResult::kFailed;
  for (const uv_buf_t& buffer : buffers) {
    if (!session_.Send({buffer.base, buffer.len})) {
      Fail(RequestError::kTlsError, session_.detail());
      return WriteResult::kFailed;
    }
  }
  if (!Flush()) return WriteResult::kFailed;
  if (!write_queued_) return WriteResult::kDone;
  owner_waits_ = true;
  return WriteResult::kPending;
}

void TlsTransport::OnRead(ssize_t nread, const uv_buf_t* buffer) {
  if (failed_ || nread == 0) return;
  if (nread < 0) {
    if (nread == UV_EOF && session_.handshake_done()) {
      owner_->OnTransportEof();
      return;
    }
    if (nread == UV_EOF) {
      session_.OnEof();
      Fail(RequestError::kTlsError, session_.detail());
    } else {
      Fail(RequestError::kConnectionReset, uv_strerror(static_cast<int>(nread)));
    }
    owner_->OnTransportError(failure_, failure_detail_);
    return;
  }
  const bool was_ready = session_.handshake_done();
  plaintext_.clear();
  const bool ok = session_.Receive({buffer->base, static_cast<std::size_t>(nread)}, &plaintext_);
  // Handshake replies, alerts and key-update answers go out whatever happened.
  const bool flushed = Flush();
  if (!ok) {
    Fail(RequestError::kTlsError, session_.detail());
    owner_->OnTransportError(failure_, failure_detail_);
    return;
  }
  if (!flushed) {
    owner_->OnTransportError(failure_, failure_detail_);
    return;
  }
  if (!was_ready && session_.handshake_done()) owner_->OnTransportReady();
  if (!plaintext_.empty()) owner_->OnTransportData(plaintext_);
  if (session_.peer_closed() && !failed_) owner_->OnTransportEof();
}

void TlsTransport::Shutdown() {
  if (failed_) return;
  session_.Shutdown();
  // Best effort: close_notify goes out if the socket takes it now; nobody waits for it.
  if (write_queued_) return;
  session_.TakeOutput(&output_);
  if (output_.empty()) return;
  uv_buf_t buffer = uv_buf_init(output_.data(), static_cast<unsigned>(output_.size()));
  (void)uv_try_write(stream_, &buffer, 1);
  output_.clear();
}

bool TlsTransport::Flush() {
  if (failed_) return false;
  session_.TakeOutput(&output_);
  if (write_queued_ || output_.empty()) return true;  // the write callback sends the rest
  uv_buf_t buffer = uv_buf_init(output_.data(), static_cast<unsigned>(output_.size()));
  int written = uv_try_write(stream_, &buffer, 1);
  if (written == UV_EAGAIN) written = 0;
  if (written < 0) {
    Fail(RequestError::kConnectionReset, uv_strerror(written));
    return false;
  }
  if (static_cast<std::size_t>(written) == output_.size()) {
    output_.clear();
    return true;
  }
  in_write_.assign(output_, static_cast<std::size_t>(written));
  output_.clear();
  buffer = uv_buf_init(in_write_.data(), static_cast<unsigned>(in_write_.size()));
  const int r = uv_write(&write_request_, stream_, &buffer, 1, &TlsTransport::OnWritten);
  if (r < 0) {
    Fail(RequestError::kConnectionReset, uv_strerror(r));
    return false;
  }
  write_queued_ = true;
  return true;
}

void TlsTransport::Fail(RequestError error, std::string_view detail) {
  if (failed_) return;
  failed_ = true;
  failure_ = error;
  failure_detail_.assign(detail);
}

void TlsTransport::OnWritten(uv_write_t* request, int status) {
  auto* self = static_cast<TlsTransport*>(request->data);
  self->write_queued_ = false;
  if (status == UV_ECANCELED) return;  // the socket is closing
  if (status < 0) {
    self->Fail(RequestError::kConnectionReset, uv_strerror(status));
    self->owner_->OnTransportError(self->failure_, self->failure_detail_);
    return;
  }
  if (!self->Flush()) {
    self->owner_->OnTransportError(self->failure_, self->failure_detail_);
    return;
  }
  if (!self->write_queued_ && self->owner_waits_) {
    self->owner_waits_ = false;
    self->owner_->OnTransportWritten();
  }
}

}  // namespace hookfan::net
