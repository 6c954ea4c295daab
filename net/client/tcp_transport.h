#pragma once
// Plaintext HTTP over the connected socket: bytes go to the socket as they are. A write is
// tried at once (most requests fit in the socket buffer, and that spares a queued write's
// epoll_ctl per request); only what is left is queued with one uv_write of the caller's own
// buffers, so no byte of a body is copied.

#include "net/client/transport.h"

namespace hookfan::net {

class TcpTransport final : public Transport {
 public:
  TcpTransport(uv_stream_t* stream, Owner* owner) : stream_(stream), owner_(owner) {}

  void Start() override { owner_->OnTransportReady(); }
  WriteResult Write(std::span<const uv_buf_t> buffers) override;
  void OnRead(ssize_t nread, const uv_buf_t* buffer) override;
  void Shutdown() override {}
  RequestError failure() const override { return RequestError::kConnectionReset; }
  std::string_view failure_detail() const override { return {}; }

 private:
  static void OnWritten(uv_write_t* request, int status);

  uv_stream_t* stream_;
  Owner* owner_;
  uv_write_t write_request_{};
};

// Writes `buffers` to `stream` now as far as the socket takes them and queues the rest with
// `request` (data set by the caller). kDone, kPending (callback `done` follows) or kFailed.
Transport::WriteResult WriteNowOrQueue(uv_stream_t* stream, std::span<const uv_buf_t> buffers,
                                       uv_write_t* request, uv_write_cb done);

}  // namespace hookfan::net
