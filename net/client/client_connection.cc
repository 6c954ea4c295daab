#include "net/client/client_connection.h"

#include <algorithm>

#include "net/base/check.h"
#include "net/client/origin_pool.h"
#include "net/client/tcp_transport.h"
#include "net/client/tls_transport.h"

namespace hookfan::net {

ClientConnection::ClientConnection(OriginPool* pool, std::size_t index)
    : pool_(pool),
      index_(index),
      connector_(pool->loop(), static_cast<Connector::Owner*>(this)),
      parser_({.max_header_bytes = pool->options().max_response_header_bytes,
               .max_body_bytes = pool->options().max_response_body_bytes}) {
  head_.reserve(512);
}

ClientConnection::~ClientConnection() {
  HOOKFAN_DCHECK(!tcp_open_ && !timer_open_ && !connector_.busy());
}

void ClientConnection::Open(HttpRequest* request) {
  uv_loop_t* loop = pool_->loop();
  HOOKFAN_CHECK(uv_tcp_init(loop, &tcp_) == 0);  // AF_UNSPEC: no socket yet, cannot fail
  HOOKFAN_CHECK(uv_timer_init(loop, &timer_) == 0);
  tcp_.data = this;
  timer_.data = this;
  tcp_open_ = timer_open_ = true;
  uv_tcp_nodelay(&tcp_, 1);  // applied when the socket is created
  Attach(request);
  connect_deadline_ = uv_now(loop) + pool_->options().connect_timeout;
  ArmTimer(std::min(connect_deadline_, request->deadline_));
  state_ = State::kConnecting;
  // IP literals (and test addresses) skip DNS; the address guard still sees every address.
  opening_ = true;
  connector_.Start(&tcp_, {.host = pool_->url().host,
                           .port_text = pool_->port_text(),
                           .fixed = pool_->fixed_addresses(),
                           .policy = &pool_->options().address_policy});
  opening_ = false;
}

void ClientConnection::Start(HttpRequest* request) {
  HOOKFAN_DCHECK(state_ == State::kIdle);
  state_ = State::kActive;
  Attach(request);
  WriteRequest();
}

HttpRequest* ClientConnection::Cancel() {
  HttpRequest* request = Detach();
  Close();
  return request;
}

void ClientConnection::Close() {
  if (state_ == State::kClosing) return;
  state_ = State::kClosing;
  pool_->OnConnectionClosing(this);
  connector_.Cancel();
  if (transport_ != nullptr) transport_->Shutdown();  // TLS: close_notify, if it goes now
  // Closing the TCP handle closes the socket at once: a pending write never touches the
  // caller's body after this, even though its callback (UV_ECANCELED) comes later.
  if (timer_open_ && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&timer_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &ClientConnection::OnTimerClosed);
  }
  if (tcp_open_ && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&tcp_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &ClientConnection::OnTcpClosed);
  }
}

void ClientConnection::Attach(HttpRequest* request) {
  HOOKFAN_DCHECK(request_ == nullptr);
  request_ = request;
  request->connection_ = this;
  // The total timeout starts here, not in the pool's queue: a request waiting behind a slow
  // receiver's other requests has not been tried yet, and must not fail for their wait.
  request->deadline_ = static_cast<TimeMs>(uv_now(pool_->loop())) + pool_->options().total_timeout;
  reused_ = served_ > 0;
  write_pending_ = false;
  response_started_ = false;
  response_deadline_ = 0;
}

HttpRequest* ClientConnection::Detach() {
  HttpRequest* request = request_;
  if (request != nullptr) request->connection_ = nullptr;
  request_ = nullptr;
  return request;
}

void ClientConnection::WriteRequest() {
  const HttpRequest& request = *request_;
  const bool has_extra = !request.extra_headers.empty();
  pool_->BuildHead(request, !has_extra, &head_);
  // One write for head, caller's header lines and body: no copy of the body.
  uv_buf_t bufs[4];
  unsigned count = 0;
  bufs[count++] = uv_buf_init(head_.data(), static_cast<unsigned>(head_.size()));
  if (has_extra) {
    bufs[count++] = uv_buf_init(const_cast<char*>(request.extra_headers.data()),
                                static_cast<unsigned>(request.extra_headers.size()));
    static char kBlankLine[] = "\r\n";
    bufs[count++] = uv_buf_init(kBlankLine, 2);
  }
  if (!request.body.empty()) {
    bufs[count++] = uv_buf_init(const_cast<char*>(request.body.data()),
                                static_cast<unsigned>(request.body.size()));
  }
  switch (transport_->Write(std::span<const uv_buf_t>(bufs, count))) {
    case Transport::WriteResult::kDone:
      OnRequestWritten();
      return;
    case Transport::WriteResult::kPending:
      write_pending_ = true;
      ArmTimer(request.deadline_);
      return;
    case Transport::WriteResult::kFailed:
      FailSoon(transport_->failure(), true, transport_->failure_detail());
      return;
  }
}

void ClientConnection::OnRequestWritten() {
  if (response_started_) return;  // the total deadline is armed already
  response_deadline_ =
      static_cast<TimeMs>(uv_now(pool_->loop())) + pool_->options().response_timeout;
  ArmTimer(std::min(response_deadline_, request_->deadline_));
}

void ClientConnection::Complete(bool reusable) {
  HttpRequest* request = Detach();
  RequestOutcome outcome;
  parser_.FillOutcome(&outcome);
  // The parser is reset lazily, on the next response's first byte, so this view stays
  // valid through the callback even if the connection is handed a new request first.
  request->body_prefix_ = parser_.body_prefix();
  ++served_;
  if (reusable) {
    uv_timer_stop(&timer_);
    state_ = State::kIdle;
  } else {
    Close();
  }
  pool_->OnRequestDone(this, request, outcome, reusable);
}

void ClientConnection::Fail(RequestError error, bool retriable, std::string_view detail) {
  HttpRequest* request = Detach();
  const bool early = reused_ && !response_started_;
  // The detail may live in the transport, which outlives Close() (it is freed with us).
  Close();
  if (request != nullptr) pool_->OnRequestFailed(request, error, retriable && early, detail);
}

void ClientConnection::FailSoon(RequestError error, bool retriable, std::string_view detail) {
  pending_error_ = error;
  pending_retriable_ = retriable;
  pending_detail_.assign(detail);
  uv_timer_start(&timer_, &ClientConnection::OnTimer, 0, 0);
}

void ClientConnection::ArmTimer(TimeMs deadline) {
  const TimeMs now = static_cast<TimeMs>(uv_now(pool_->loop()));
  const TimeMs delay = deadline > now ? deadline - now : 0;
  uv_timer_start(&timer_, &ClientConnection::OnTimer, static_cast<std::uint64_t>(delay), 0);
}

void ClientConnection::MaybeRelease() {
  if (state_ == State::kClosing && !tcp_open_ && !timer_open_ && !connector_.busy()) {
    pool_->ReleaseConnection(this);  // deletes this
  }
}

void ClientConnection::OnConnectorDone(RequestError error, std::string_view detail) {
  if (state_ == State::kClosing) {
    MaybeRelease();  // a lookup cancelled by Close() has come back
    return;
  }
  if (error != RequestError::kNone) {
    if (opening_) {
      FailSoon(error, false, detail);
    } else {
      Fail(error, false, detail);
    }
    return;
  }
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  if (uv_read_start(stream, &ClientConnection::OnAlloc, &ClientConnection::OnRead) < 0) {
    Fail(RequestError::kConnectFailed, false);
    return;
  }
  if (TlsContext* tls = pool_->tls_context()) {
    state_ = State::kHandshaking;
    transport_ = std::make_unique<TlsTransport>(stream, static_cast<Transport::Owner*>(this), *tls,
                                                pool_->url().host, pool_->origin());
  } else {
    transport_ = std::make_unique<TcpTransport>(stream, static_cast<Transport::Owner*>(this));
  }
  transport_->Start();
}

void ClientConnection::OnConnectorClosingSocket() {
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &ClientConnection::OnTcpClosed);
}

void ClientConnection::OnTransportReady() {
  if (state_ == State::kClosing || request_ == nullptr) return;
  if (state_ == State::kHandshaking) pool_->OnHandshakeDone(transport_->resumed());
  state_ = State::kActive;
  WriteRequest();
}

void ClientConnection::OnTransportData(std::string_view bytes) {
  if (state_ == State::kIdle) {
    // No response may arrive on an idle connection: stray bytes mean the peer is broken,
    // and the next request must not find it. (TLS tickets and key updates never get here.)
    pool_->OnIdleConnectionLost(this);
    return;
  }
  if (state_ != State::kActive || request_ == nullptr) return;
  if (!response_started_) {
    response_started_ = true;
    parser_.Reset();
  }
  std::size_t used = 0;
  switch (parser_.Feed(bytes, &used)) {
    case HttpResponseParser::Result::kIncomplete:
      return;
    case HttpResponseParser::Result::kComplete:
      // Stray bytes after the response, or a response that beat our own write, leave the
      // connection in an unknown state: do not reuse it.
      Complete(parser_.keep_alive() && !write_pending_ && used == bytes.size());
      return;
    case HttpResponseParser::Result::kError:
      Fail(parser_.error(), false);
      return;
  }
}

void ClientConnection::OnTransportWritten() {
  write_pending_ = false;
  if (state_ != State::kActive || request_ == nullptr) return;
  OnRequestWritten();
}

void ClientConnection::OnTransportEof() {
  if (state_ == State::kIdle) {
    pool_->OnIdleConnectionLost(this);
    return;
  }
  if (state_ == State::kClosing || request_ == nullptr) return;
  if (state_ == State::kActive && response_started_ &&
      parser_.FinishAtEof() == HttpResponseParser::Result::kComplete) {
    Complete(false);
    return;
  }
  Fail(RequestError::kConnectionReset, true);
}

void ClientConnection::OnTransportError(RequestError error, std::string_view detail) {
  if (state_ == State::kIdle) {
    pool_->OnIdleConnectionLost(this);
    return;
  }
  if (state_ == State::kClosing || request_ == nullptr) return;
  if (state_ == State::kHandshaking) pool_->OnHandshakeFailed();
  // A reset before any response byte on a reused connection is retried once (the peer
  // closed it just as we wrote); a TLS failure is not.
  Fail(error, error == RequestError::kConnectionReset, detail);
}

void ClientConnection::OnAlloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  auto* self = static_cast<ClientConnection*>(handle->data);
  const std::span<char> buffer = self->pool_->read_buffer();
  *buf = uv_buf_init(buffer.data(), static_cast<unsigned>(buffer.size()));
}

void ClientConnection::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<ClientConnection*>(stream->data);
  if (nread == 0 || self->state_ == State::kClosing) return;
  self->transport_->OnRead(nread, buf);
}

void ClientConnection::OnTimer(uv_timer_t* timer) {
  auto* self = static_cast<ClientConnection*>(timer->data);
  if (self->pending_error_ != RequestError::kNone) {
    const RequestError error = self->pending_error_;
    self->pending_error_ = RequestError::kNone;
    self->Fail(error, self->pending_retriable_, self->pending_detail_);
    return;
  }
  if (self->request_ == nullptr) return;
  const TimeMs deadline = self->request_->deadline_;
  switch (self->state_) {
    case State::kConnecting:
    case State::kHandshaking:
      // Armed for the earlier of the two deadlines: that one has passed.
      if (self->connect_deadline_ > deadline) {
        self->Fail(RequestError::kTotalTimeout, false);
      } else if (self->state_ == State::kHandshaking) {
        self->pool_->OnHandshakeFailed();
        self->Fail(RequestError::kConnectTimeout, false, "TLS handshake not finished in time");
      } else if (self->connector_.resolving()) {
        self->Fail(RequestError::kDnsFailed, false, "DNS lookup timed out");
      } else {
        self->Fail(RequestError::kConnectTimeout, false);
      }
      return;
    case State::kActive: {
      const TimeMs now = static_cast<TimeMs>(uv_now(self->pool_->loop()));
      const bool awaiting_first_byte = !self->write_pending_ && !self->response_started_;
      if (now >= deadline) {
        self->Fail(RequestError::kTotalTimeout, false);
      } else if (awaiting_first_byte && now >= self->response_deadline_) {
        self->Fail(RequestError::kResponseTimeout, false);
      } else {
        // The first byte came in time: only the total deadline is left.
        self->ArmTimer(awaiting_first_byte ? std::min(deadline, self->response_deadline_)
                                           : deadline);
      }
      return;
    }
    case State::kIdle:
    case State::kClosing:
      return;
  }
}

void ClientConnection::OnTcpClosed(uv_handle_t* handle) {
  auto* self = static_cast<ClientConnection*>(handle->data);
  self->tcp_open_ = false;
  if (self->connector_.retrying() && self->state_ != State::kClosing) {
    if (self->connector_.OnSocketClosed()) {
      self->tcp_open_ = true;
      return;
    }
  } else if (self->connector_.retrying()) {
    (void)self->connector_.OnSocketClosed();  // cancelled: just clears the retry
  }
  self->MaybeRelease();
}

void ClientConnection::OnTimerClosed(uv_handle_t* handle) {
  auto* self = static_cast<ClientConnection*>(handle->data);
  self->timer_open_ = false;
  self->MaybeRelease();
}

}  // namespace hookfan::net
