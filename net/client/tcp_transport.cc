#include "net/client/tcp_transport.h"

#include <array>

#include "net/base/check.h"

namespace hookfan::net {

Transport::WriteResult WriteNowOrQueue(uv_stream_t* stream, std::span<const uv_buf_t> buffers,
                                       uv_write_t* request, uv_write_cb done) {
  // libuv keeps up to four buffers inline in a queued write (no allocation).
  HOOKFAN_DCHECK(buffers.size() <= 4);
  std::array<uv_buf_t, 4> bufs{};
  std::size_t total = 0;
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    bufs[i] = buffers[i];
    total += buffers[i].len;
  }
  const auto count = static_cast<unsigned>(buffers.size());
  int written = uv_try_write(stream, bufs.data(), count);
  if (written == UV_EAGAIN) written = 0;
  if (written < 0) return Transport::WriteResult::kFailed;
  if (static_cast<std::size_t>(written) == total) return Transport::WriteResult::kDone;
  unsigned first = 0;
  auto skip = static_cast<std::size_t>(written);
  while (skip >= bufs[first].len) skip -= bufs[first++].len;
  bufs[first].base += skip;
  bufs[first].len -= skip;
  if (uv_write(request, stream, bufs.data() + first, count - first, done) < 0) {
    return Transport::WriteResult::kFailed;
  }
  return Transport::WriteResult::kPending;
}

Transport::WriteResult TcpTransport::Write(std::span<const uv_buf_t> buffers) {
  write_request_.data = this;
  return WriteNowOrQueue(stream_, buffers, &write_request_, &TcpTransport::OnWritten);
}

void TcpTransport::OnRead(ssize_t nread, const uv_buf_t* buffer) {
  if (nread == UV_EOF) {
    owner_->OnTransportEof();
  } else if (nread < 0) {
    owner_->OnTransportError(RequestError::kConnectionReset, uv_strerror(static_cast<int>(nread)));
  } else if (nread > 0) {
    owner_->OnTransportData({buffer->base, static_cast<std::size_t>(nread)});
  }
}

void TcpTransport::OnWritten(uv_write_t* request, int status) {
  auto* self = static_cast<TcpTransport*>(request->data);
  if (status == UV_ECANCELED) return;  // the socket is closing
  if (status < 0) {
    self->owner_->OnTransportError(RequestError::kConnectionReset, uv_strerror(status));
    return;
  }
  self->owner_->OnTransportWritten();
}

}  // namespace hookfan::net
