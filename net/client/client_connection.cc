#include "net/client/client_connection.h"

#include <netdb.h>

#include <algorithm>
#include <cstring>

#include "net/address/address_policy.h"
#include "net/base/check.h"
#include "net/client/origin_pool.h"

namespace hookfan::net {
namespace {

RequestError ConnectError(int uv_error) {
  switch (uv_error) {
    case UV_ECONNREFUSED:
      return RequestError::kConnectRefused;
    case UV_ETIMEDOUT:
      return RequestError::kConnectTimeout;
    default:
      return RequestError::kConnectFailed;
  }
}

}  // namespace

ClientConnection::ClientConnection(OriginPool* pool, std::size_t index)
    : pool_(pool),
      index_(index),
      parser_({.max_header_bytes = pool->options().max_response_header_bytes,
               .max_body_bytes = pool->options().max_response_body_bytes}) {
  head_.reserve(512);
}

ClientConnection::~ClientConnection() {
  HOOKFAN_DCHECK(!tcp_open_ && !timer_open_ && !dns_pending_);
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

  // IP literals (and test addresses) skip DNS; the policy still sees every address.
  const std::span<const sockaddr_storage> fixed = pool_->fixed_addresses();
  if (!fixed.empty()) {
    state_ = State::kConnecting;
    for (const sockaddr_storage& address : fixed) {
      TakeAddress(*reinterpret_cast<const sockaddr*>(&address), sizeof(address));
    }
    if (address_count_ == 0) {
      FailSoon(RequestError::kAddressRefused, false);
      return;
    }
    ConnectNext();
    return;
  }
  state_ = State::kResolving;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  dns_request_.data = this;
  const int r = uv_getaddrinfo(loop, &dns_request_, &ClientConnection::OnResolved,
                               pool_->url().host.c_str(), pool_->port_text().c_str(), &hints);
  if (r < 0) {
    FailSoon(RequestError::kDnsFailed, false);
    return;
  }
  dns_pending_ = true;
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
  // Closing the TCP handle closes the socket at once: a pending write never touches the
  // caller's body after this, even though its callback (UV_ECANCELED) comes later.
  if (timer_open_ && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&timer_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &ClientConnection::OnTimerClosed);
  }
  if (tcp_open_ && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&tcp_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &ClientConnection::OnTcpClosed);
  }
  if (dns_pending_) uv_cancel(reinterpret_cast<uv_req_t*>(&dns_request_));
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

bool ClientConnection::TakeAddress(const sockaddr& address, std::size_t length) {
  const AddressVerdict verdict = pool_->options().address_policy.Check(address);
  if (!verdict.allowed) {
    // The first refusal is what the attempt reports: one address and its rule.
    if (refusal_.empty()) {
      const std::optional<IpAddress> ip = IpAddress::FromSockaddr(address);
      refusal_ = ip ? DescribeRefusal(*ip, verdict) : std::string(verdict.rule);
    }
    return false;
  }
  if (address_count_ < kMaxAddresses) {
    std::memcpy(&addresses_[address_count_++], &address,
                std::min(length, sizeof(sockaddr_storage)));
  }
  return true;
}

void ClientConnection::ConnectNext() {
  const auto* address = reinterpret_cast<const sockaddr*>(&addresses_[next_address_++]);
  const int r = uv_tcp_connect(&connect_request_, &tcp_, address, &ClientConnection::OnConnected);
  if (r < 0) ConnectFailed(r);
}

void ClientConnection::ConnectFailed(int uv_error) {
  if (next_address_ < address_count_) {
    // The socket of a failed connect cannot be reused (and the next address may be of the
    // other family): close the handle and connect again from its close callback.
    reconnecting_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &ClientConnection::OnTcpClosed);
    return;
  }
  FailSoon(ConnectError(uv_error), false);
}

void ClientConnection::WriteRequest() {
  const HttpRequest& request = *request_;
  const bool has_extra = !request.extra_headers.empty();
  pool_->BuildHead(request, !has_extra, &head_);
  // One write for head, caller's header lines and body: no copy of the body, and libuv
  // keeps up to four buffers inline in a queued write (no allocation).
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
  // Most requests fit in the socket buffer: write them right now and queue a libuv write
  // only for what is left. That also spares a queued write's epoll_ctl per request.
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  std::size_t total = 0;
  for (unsigned i = 0; i < count; ++i) total += bufs[i].len;
  int written = uv_try_write(stream, bufs, count);
  if (written == UV_EAGAIN) written = 0;
  if (written < 0) {
    FailSoon(RequestError::kConnectionReset, true);
    return;
  }
  if (static_cast<std::size_t>(written) == total) {
    OnRequestWritten();
    return;
  }
  unsigned first = 0;
  auto skip = static_cast<std::size_t>(written);
  while (skip >= bufs[first].len) skip -= bufs[first++].len;
  bufs[first].base += skip;
  bufs[first].len -= skip;
  write_request_.data = this;
  if (uv_write(&write_request_, stream, bufs + first, count - first, &ClientConnection::OnWritten) <
      0) {
    FailSoon(RequestError::kConnectionReset, true);
    return;
  }
  write_pending_ = true;
  ArmTimer(request.deadline_);
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

void ClientConnection::Fail(RequestError error, bool retriable) {
  HttpRequest* request = Detach();
  const bool early = reused_ && !response_started_;
  Close();
  const std::string_view detail =
      error == RequestError::kAddressRefused ? std::string_view(refusal_) : std::string_view();
  if (request != nullptr) pool_->OnRequestFailed(request, error, retriable && early, detail);
}

void ClientConnection::FailSoon(RequestError error, bool retriable) {
  pending_error_ = error;
  pending_retriable_ = retriable;
  uv_timer_start(&timer_, &ClientConnection::OnTimer, 0, 0);
}

void ClientConnection::ArmTimer(TimeMs deadline) {
  const TimeMs now = static_cast<TimeMs>(uv_now(pool_->loop()));
  const TimeMs delay = deadline > now ? deadline - now : 0;
  uv_timer_start(&timer_, &ClientConnection::OnTimer, static_cast<std::uint64_t>(delay), 0);
}

void ClientConnection::MaybeRelease() {
  if (state_ == State::kClosing && !tcp_open_ && !timer_open_ && !dns_pending_) {
    pool_->ReleaseConnection(this);  // deletes this
  }
}

void ClientConnection::OnResolved(uv_getaddrinfo_t* request, int status, addrinfo* result) {
  auto* self = static_cast<ClientConnection*>(request->data);
  self->dns_pending_ = false;
  if (self->state_ == State::kClosing) {
    if (result != nullptr) uv_freeaddrinfo(result);
    self->MaybeRelease();
    return;
  }
  if (status < 0) {
    self->Fail(RequestError::kDnsFailed, false);
    return;
  }
  bool refused = false;
  for (addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    if (!self->TakeAddress(*ai->ai_addr, ai->ai_addrlen)) refused = true;
  }
  uv_freeaddrinfo(result);
  if (self->address_count_ == 0) {
    self->Fail(refused ? RequestError::kAddressRefused : RequestError::kDnsFailed, false);
    return;
  }
  self->state_ = State::kConnecting;
  self->ConnectNext();
}

void ClientConnection::OnConnected(uv_connect_t* request, int status) {
  auto* self = static_cast<ClientConnection*>(request->handle->data);
  if (status == UV_ECANCELED || self->state_ == State::kClosing) return;
  if (status < 0) {
    self->ConnectFailed(status);
    return;
  }
  self->state_ = State::kActive;
  const int r = uv_read_start(reinterpret_cast<uv_stream_t*>(&self->tcp_),
                              &ClientConnection::OnAlloc, &ClientConnection::OnRead);
  if (r < 0) {
    self->Fail(RequestError::kConnectFailed, false);
    return;
  }
  self->WriteRequest();
}

void ClientConnection::OnWritten(uv_write_t* request, int status) {
  auto* self = static_cast<ClientConnection*>(request->data);
  self->write_pending_ = false;
  if (status == UV_ECANCELED || self->state_ != State::kActive || self->request_ == nullptr) {
    return;
  }
  if (status < 0) {
    self->Fail(RequestError::kConnectionReset, true);
    return;
  }
  self->OnRequestWritten();
}

void ClientConnection::OnAlloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  auto* self = static_cast<ClientConnection*>(handle->data);
  const std::span<char> buffer = self->pool_->read_buffer();
  *buf = uv_buf_init(buffer.data(), static_cast<unsigned>(buffer.size()));
}

void ClientConnection::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<ClientConnection*>(stream->data);
  if (nread == 0) return;
  if (self->state_ == State::kIdle) {
    // Nothing may arrive on an idle connection: EOF, an error or stray bytes all mean the
    // peer is done with it (or broken), and the next request must not find it.
    self->pool_->OnIdleConnectionLost(self);
    return;
  }
  if (self->state_ != State::kActive || self->request_ == nullptr) return;
  if (nread < 0) {
    if (nread == UV_EOF && self->response_started_ &&
        self->parser_.FinishAtEof() == HttpResponseParser::Result::kComplete) {
      self->Complete(false);
      return;
    }
    self->Fail(RequestError::kConnectionReset, true);
    return;
  }
  if (!self->response_started_) {
    self->response_started_ = true;
    self->parser_.Reset();
  }
  std::size_t used = 0;
  const auto bytes = std::string_view(buf->base, static_cast<std::size_t>(nread));
  switch (self->parser_.Feed(bytes, &used)) {
    case HttpResponseParser::Result::kIncomplete:
      return;
    case HttpResponseParser::Result::kComplete:
      // Stray bytes after the response, or a response that beat our own write, leave the
      // connection in an unknown state: do not reuse it.
      self->Complete(self->parser_.keep_alive() && !self->write_pending_ && used == bytes.size());
      return;
    case HttpResponseParser::Result::kError:
      self->Fail(self->parser_.error(), false);
      return;
  }
}

void ClientConnection::OnTimer(uv_timer_t* timer) {
  auto* self = static_cast<ClientConnection*>(timer->data);
  if (self->pending_error_ != RequestError::kNone) {
    const RequestError error = self->pending_error_;
    self->pending_error_ = RequestError::kNone;
    self->Fail(error, self->pending_retriable_);
    return;
  }
  if (self->request_ == nullptr) return;
  const TimeMs deadline = self->request_->deadline_;
  switch (self->state_) {
    case State::kResolving:
    case State::kConnecting:
      // Armed for the earlier of the two deadlines: that one has passed.
      if (self->connect_deadline_ <= deadline) {
        self->Fail(self->state_ == State::kResolving ? RequestError::kDnsFailed
                                                     : RequestError::kConnectTimeout,
                   false);
      } else {
        self->Fail(RequestError::kTotalTimeout, false);
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
  if (self->reconnecting_ && self->state_ != State::kClosing) {
    self->reconnecting_ = false;
    HOOKFAN_CHECK(uv_tcp_init(self->pool_->loop(), &self->tcp_) == 0);
    self->tcp_.data = self;
    self->tcp_open_ = true;
    uv_tcp_nodelay(&self->tcp_, 1);
    self->ConnectNext();
    return;
  }
  self->MaybeRelease();
}

void ClientConnection::OnTimerClosed(uv_handle_t* handle) {
  auto* self = static_cast<ClientConnection*>(handle->data);
  self->timer_open_ = false;
  self->MaybeRelease();
}

}  // namespace hookfan::net
