#include "net/server/http_server_connection.h"

#include <algorithm>
#include <string>
#include <utility>

#include "net/base/check.h"
#include "net/server/http_server.h"

namespace hookfan::net {

namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

uv_stream_t* Stream(uv_tcp_t* tcp) { return reinterpret_cast<uv_stream_t*>(tcp); }
uv_handle_t* Handle(auto* handle) { return reinterpret_cast<uv_handle_t*>(handle); }

// {"error":"..."} with the message escaped: llhttp's reasons are plain ASCII, but nothing
// guarantees it.
std::string ErrorBody(std::string_view message) {
  std::string body = "{\"error\":\"";
  for (char c : message) {
    if (c == '"' || c == '\\') {
      body.push_back('\\');
      body.push_back(c);
    } else if (static_cast<unsigned char>(c) >= 0x20) {
      body.push_back(c);
    }
  }
  body += "\"}\n";
  return body;
}

}  // namespace

HttpServerConnection::HttpServerConnection(HttpServer& server)
    : server_(server),
      loop_(server.loop_),
      parser_(server.options_.limits, *this),
      slots_(std::max<std::size_t>(server.options_.max_pipelined, 1)),
      head_started_at_(static_cast<TimeMs>(uv_now(server.loop_))) {}

void HttpServerConnection::Start(uv_stream_t* listener) {
  HOOKFAN_CHECK(uv_tcp_init(loop_, &tcp_) == 0);
  tcp_.data = this;
  ++open_handles_;
  HOOKFAN_CHECK(uv_timer_init(loop_, &timer_) == 0);
  timer_.data = this;
  ++open_handles_;
  if (uv_accept(listener, Stream(&tcp_)) != 0) {
    Close();
    return;
  }
  // Answers are small and written whole; Nagle would only delay them.
  uv_tcp_nodelay(&tcp_, 1);
  StartReading();
  Pump();
}

void HttpServerConnection::Close() {
  if (closing_) return;
  closing_ = true;
  uv_close(Handle(&tcp_), &HttpServerConnection::OnHandleClosed);
  uv_close(Handle(&timer_), &HttpServerConnection::OnHandleClosed);
}

void HttpServerConnection::OnHandleClosed(uv_handle_t* handle) {
  auto* self = static_cast<HttpServerConnection*>(handle->data);
  --self->open_handles_;
  self->MaybeFree();
}

void HttpServerConnection::MaybeFree() {
  if (open_handles_ > 0 || pending_responders_ > 0) return;
  HttpServer& server = server_;
  server.Unlink(this);
  delete this;
  server.OnConnectionFreed();
}

bool HttpServerConnection::ReleaseResponder() {
  --pending_responders_;
  if (!closing_) return true;
  MaybeFree();
  return false;
}

void HttpServerConnection::StartReading() {
  if (reading_ || closing_ || peer_eof_) return;
  if (uv_read_start(Stream(&tcp_), &HttpServerConnection::OnAlloc, &HttpServerConnection::OnRead) !=
      0) {
    Close();
    return;
  }
  reading_ = true;
}

void HttpServerConnection::StopReading() {
  if (!reading_) return;
  uv_read_stop(Stream(&tcp_));
  reading_ = false;
}

void HttpServerConnection::OnAlloc(uv_handle_t* handle, size_t /*suggested*/, uv_buf_t* buf) {
  auto* self = static_cast<HttpServerConnection*>(handle->data);
  *buf = uv_buf_init(self->server_.read_buffer_.get(), HttpServer::kReadBufferSize);
}

void HttpServerConnection::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<HttpServerConnection*>(stream->data);
  if (self->closing_) return;
  if (nread > 0) {
    // After the last request (or while draining before close) input is read and dropped.
    if (!self->stop_parsing_ && !self->lingering_) {
      self->Feed(buf->base, static_cast<size_t>(nread));
    }
  } else if (nread == UV_EOF) {
    self->StopReading();
    self->peer_eof_ = true;
    if (self->lingering_) return self->Close();
    self->stop_parsing_ = true;  // a request cut short by EOF is abandoned
  } else if (nread < 0) {
    return self->Close();
  }
  self->Pump();
}

void HttpServerConnection::Feed(const char* data, size_t length) {
  in_feed_ = true;
  size_t consumed = 0;
  HttpRequestParser::Result result = parser_.Feed(std::string_view(data, length), &consumed);
  if (closing_) {
    in_feed_ = false;
    return;
  }
  switch (result) {
    case HttpRequestParser::Result::kOk:
      break;
    case HttpRequestParser::Result::kPaused:
      // Paused after a request: either flow control (keep the rest for later) or the last
      // request of the connection (drop the rest).
      if (!stop_parsing_) {
        pending_input_.append(data + consumed, length - consumed);
        read_paused_ = true;
        StopReading();
      }
      break;
    case HttpRequestParser::Result::kUpgrade:
      stop_parsing_ = true;  // what follows is another protocol: answer, then close
      break;
    case HttpRequestParser::Result::kError:
      stop_parsing_ = true;
      ++server_.stats_.rejected;
      Reject(parser_.error_status(), parser_.error_message());
      break;
  }
  const TimeMs now = static_cast<TimeMs>(uv_now(loop_));
  if (parser_.state() == HttpRequestParser::State::kHead && head_started_at_ == kNoDeadline) {
    head_started_at_ = now;
  } else if (parser_.state() == HttpRequestParser::State::kBody) {
    body_read_at_ = now;
  }
  in_feed_ = false;
}

std::uint64_t HttpServerConnection::AddSlot(bool keep_alive, bool http10, bool head_request) {
  std::uint64_t sequence = next_sequence_++;
  Slot& slot = slots_[sequence % slots_.size()];
  slot.ready = false;
  slot.keep_alive = keep_alive;
  slot.http10 = http10;
  slot.head_request = head_request;
  slot.closes = false;
  return sequence;
}

bool HttpServerConnection::OnRequest(const ServerRequest& request) {
  ++server_.stats_.requests;
  head_started_at_ = kNoDeadline;
  if (!request.keep_alive()) stop_parsing_ = true;
  std::uint64_t sequence =
      AddSlot(request.keep_alive(), request.http_minor() == 0, request.method() == "HEAD");
  ++pending_responders_;
  server_.handler_(request, HttpResponder(this, sequence));
  return !stop_parsing_ && !closing_ && !ShouldPauseReading();
}

void HttpServerConnection::OnExpectContinue() {
  if (AllAnswered()) {
    out_.append(kContinue);
  } else {
    continue_pending_ = true;
  }
}

void HttpServerConnection::Reject(int status, std::string_view message) {
  std::uint64_t sequence = AddSlot(false, false, false);
  std::string body = ErrorBody(message);
  Deliver(sequence,
          HttpResponse{
              .status = status, .content_type = "application/json", .body = body, .close = true});
}

void HttpServerConnection::Answer(std::uint64_t sequence, const HttpResponse& response) {
  HOOKFAN_DCHECK(server_.OnLoopThread());
  if (!ReleaseResponder()) return;
  Deliver(sequence, response);
}

void HttpServerConnection::AnswerDropped(std::uint64_t sequence) {
  if (!ReleaseResponder()) return;
  ++server_.stats_.handler_dropped;
  Deliver(sequence, HttpResponse{.status = 500, .close = true});
}

void HttpServerConnection::AnswerWithReset() {
  HOOKFAN_DCHECK(server_.OnLoopThread());
  if (!ReleaseResponder()) return;
  ++server_.stats_.resets;
  // uv_tcp_close_reset refuses a socket being shut down; a normal close is all that is left.
  StopReading();
  closing_ = true;
  if (lingering_ || uv_tcp_close_reset(&tcp_, &HttpServerConnection::OnHandleClosed) != 0) {
    uv_close(Handle(&tcp_), &HttpServerConnection::OnHandleClosed);
  }
  uv_close(Handle(&timer_), &HttpServerConnection::OnHandleClosed);
}

void HttpServerConnection::Deliver(std::uint64_t sequence, const HttpResponse& response) {
  // Answers behind a closing one have nowhere to go.
  if (close_after_write_ && sequence >= next_to_send_) return;
  Slot& slot = slots_[sequence % slots_.size()];
  ResponseFraming framing{.keep_alive = slot.keep_alive && !response.close,
                          .http10 = slot.http10,
                          .head_request = slot.head_request};
  std::string_view date = server_.date_.Line(static_cast<TimeMs>(uv_now(loop_)));
  if (sequence == next_to_send_) {
    AppendHttpResponse(response, framing, date, &out_);
    AppendInOrder(framing.keep_alive);
  } else {
    slot.bytes.clear();
    AppendHttpResponse(response, framing, date, &slot.bytes);
    slot.ready = true;
    slot.closes = !framing.keep_alive;
  }
  // Inside a handler's Respond(): no parsing here, so handlers are never re-entered.
  if (!in_feed_) Pump(/*may_parse=*/false);
}

void HttpServerConnection::AppendInOrder(bool keep_alive) {
  ++next_to_send_;
  while (keep_alive && next_to_send_ < next_sequence_) {
    Slot& slot = slots_[next_to_send_ % slots_.size()];
    if (!slot.ready) break;
    out_.append(slot.bytes);
    slot.ready = false;
    keep_alive = !slot.closes;
    ++next_to_send_;
  }
  if (!keep_alive) {
    close_after_write_ = true;
    stop_parsing_ = true;
    continue_pending_ = false;
    return;
  }
  if (continue_pending_ && AllAnswered()) {
    out_.append(kContinue);
    continue_pending_ = false;
  }
}

bool HttpServerConnection::ShouldPauseReading() const {
  std::size_t unwritten = out_.size() + (write_in_flight_ ? writing_.size() : 0);
  return next_sequence_ - next_to_send_ >= slots_.size() ||
         unwritten >= server_.options_.max_output_bytes;
}

void HttpServerConnection::Pump(bool may_parse) {
  if (closing_ || in_pump_) return;
  in_pump_ = true;
  for (;;) {
    Flush();
    if (closing_) break;
    const bool idle_output = !write_in_flight_ && out_.empty();
    if (close_after_write_) {
      if (idle_output) BeginLingeringClose();
      break;
    }
    if (stop_parsing_ && AllAnswered() && idle_output) {
      if (peer_eof_) {
        Close();
      } else {
        BeginLingeringClose();
      }
      break;
    }
    if (read_paused_ && !stop_parsing_ && !ShouldPauseReading()) {
      if (!may_parse) {
        ScheduleResume();
        break;
      }
      ResumeParsing();
      continue;  // the resumed requests may have produced answers
    }
    break;
  }
  if (!closing_) UpdateDeadline();
  in_pump_ = false;
}

void HttpServerConnection::ScheduleResume() {
  if (resume_scheduled_) return;
  resume_scheduled_ = true;
  uv_timer_start(&timer_, &HttpServerConnection::OnTimer, 0, 0);
  timer_due_ = static_cast<TimeMs>(uv_now(loop_));
}

void HttpServerConnection::ResumeParsing() {
  read_paused_ = false;
  parser_.Resume();
  // Parse from a second buffer: a new pause refills pending_input_ with what is left.
  std::swap(pending_input_, resume_input_);
  pending_input_.clear();
  Feed(resume_input_.data(), resume_input_.size());
  resume_input_.clear();
  if (!read_paused_ && !stop_parsing_) StartReading();
}

void HttpServerConnection::Flush() {
  if (write_in_flight_ || out_.empty() || closing_) return;
  // Most answers fit the socket buffer: try the write now and skip the write request.
  uv_buf_t buf = uv_buf_init(out_.data(), static_cast<unsigned int>(out_.size()));
  int written = uv_try_write(Stream(&tcp_), &buf, 1);
  if (written == static_cast<int>(out_.size())) {
    out_.clear();
    return;
  }
  if (written < 0 && written != UV_EAGAIN) return Close();
  const std::size_t done = written > 0 ? static_cast<std::size_t>(written) : 0;
  std::swap(out_, writing_);
  out_.clear();
  buf = uv_buf_init(writing_.data() + done, static_cast<unsigned int>(writing_.size() - done));
  if (uv_write(&write_request_, Stream(&tcp_), &buf, 1, &HttpServerConnection::OnWrite) != 0) {
    return Close();
  }
  write_in_flight_ = true;
  write_started_at_ = static_cast<TimeMs>(uv_now(loop_));
}

void HttpServerConnection::OnWrite(uv_write_t* request, int status) {
  auto* self = static_cast<HttpServerConnection*>(request->handle->data);
  self->write_in_flight_ = false;
  self->writing_.clear();
  if (self->closing_) return;
  if (status < 0) return self->Close();
  self->Pump();
}

void HttpServerConnection::BeginLingeringClose() {
  if (lingering_) return;
  if (peer_eof_) return Close();
  lingering_ = true;
  stop_parsing_ = true;
  linger_until_ = static_cast<TimeMs>(uv_now(loop_)) + server_.options_.linger_timeout_ms;
  if (uv_shutdown(&shutdown_request_, Stream(&tcp_), &HttpServerConnection::OnShutdown) != 0) {
    return Close();
  }
  StartReading();  // drain until the peer closes or the linger time is over
}

void HttpServerConnection::OnShutdown(uv_shutdown_t* request, int status) {
  auto* self = static_cast<HttpServerConnection*>(request->handle->data);
  if (self->closing_) return;
  if (status < 0 || self->peer_eof_) self->Close();
}

void HttpServerConnection::UpdateDeadline() {
  const TimeMs now = static_cast<TimeMs>(uv_now(loop_));
  const HttpServerOptions& options = server_.options_;
  TimeMs deadline = kNoDeadline;
  bool idle = false;
  if (lingering_) {
    deadline = linger_until_;
  } else if (!stop_parsing_ && parser_.state() == HttpRequestParser::State::kHead) {
    deadline = head_started_at_ + options.header_timeout_ms;
  } else if (!stop_parsing_ && parser_.state() == HttpRequestParser::State::kBody) {
    deadline = body_read_at_ + options.body_timeout_ms;
  } else if (write_in_flight_) {
    deadline = write_started_at_ + options.idle_timeout_ms;
  } else if (!AllAnswered() || read_paused_) {
    // The handler's turn: the client is not at fault.
  } else if (next_sequence_ == 0 && head_started_at_ != kNoDeadline) {
    // A fresh connection that has not sent a byte yet gets the header timeout.
    deadline = head_started_at_ + options.header_timeout_ms;
  } else {
    idle = true;
    if (idle_since_ == kNoDeadline) idle_since_ = now;
    deadline = idle_since_ + options.idle_timeout_ms;
  }
  if (!idle) idle_since_ = kNoDeadline;
  deadline_ = deadline;
  if (deadline == kNoDeadline) return;
  // The timer is re-armed only when the deadline moves earlier; a later deadline is picked
  // up when the timer fires. Most requests therefore touch no timer at all.
  if (timer_due_ == kNoDeadline || deadline < timer_due_) {
    uv_timer_start(&timer_, &HttpServerConnection::OnTimer,
                   static_cast<std::uint64_t>(std::max<TimeMs>(deadline - now, 0)), 0);
    timer_due_ = deadline;
  }
}

void HttpServerConnection::OnTimer(uv_timer_t* timer) {
  auto* self = static_cast<HttpServerConnection*>(timer->data);
  self->timer_due_ = kNoDeadline;
  if (self->closing_) return;
  if (self->resume_scheduled_) {
    self->resume_scheduled_ = false;
    self->Pump();
    return;
  }
  if (self->deadline_ == kNoDeadline) return;
  if (static_cast<TimeMs>(uv_now(self->loop_)) < self->deadline_) {
    self->UpdateDeadline();
    return;
  }
  if (!self->lingering_) ++self->server_.stats_.timeouts;
  self->Close();
}

}  // namespace hookfan::net
