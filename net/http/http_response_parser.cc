#include "net/http/http_response_parser.h"

#include <algorithm>
#include <cstring>

namespace hookfan::net {
namespace {

constexpr std::string_view kRetryAfter = "retry-after";
// Bytes of a status line that llhttp does not report through callbacks ("HTTP/1.1 200 \r\n").
constexpr std::size_t kStatusLineOverhead = 15;
// ": " and CRLF around every header line.
constexpr std::size_t kHeaderLineOverhead = 4;

HttpResponseParser* Self(llhttp_t* parser) {
  return static_cast<HttpResponseParser*>(parser->data);
}

bool IsRetryAfter(const char* name, std::size_t length) {
  if (length != kRetryAfter.size()) return false;
  for (std::size_t i = 0; i < length; ++i) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kRetryAfter[i]) return false;
  }
  return true;
}

}  // namespace

const llhttp_settings_t& HttpResponseParser::Settings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = &HttpResponseParser::OnMessageBegin;
    s.on_status = &HttpResponseParser::OnStatus;
    s.on_header_field = &HttpResponseParser::OnHeaderField;
    s.on_header_field_complete = &HttpResponseParser::OnHeaderFieldComplete;
    s.on_header_value = &HttpResponseParser::OnHeaderValue;
    s.on_header_value_complete = &HttpResponseParser::OnHeaderValueComplete;
    s.on_headers_complete = &HttpResponseParser::OnHeadersComplete;
    s.on_body = &HttpResponseParser::OnBody;
    s.on_message_complete = &HttpResponseParser::OnMessageComplete;
    return s;
  }();
  return settings;
}

HttpResponseParser::HttpResponseParser(Limits limits) : limits_(limits) { Reset(); }

void HttpResponseParser::Reset() {
  // llhttp_init rather than llhttp_reset: it also clears a sticky error or pause.
  llhttp_init(&parser_, HTTP_RESPONSE, &Settings());
  parser_.data = this;
  header_bytes_ = 0;
  body_bytes_ = 0;
  status_ = 0;
  complete_ = false;
  keep_alive_ = false;
  error_ = RequestError::kNone;
  field_len_ = 0;
  field_overflow_ = false;
  in_retry_after_ = false;
  retry_after_len_ = 0;
  body_prefix_len_ = 0;
}

HttpResponseParser::Result HttpResponseParser::Feed(std::string_view bytes, std::size_t* consumed) {
  *consumed = 0;
  if (complete_) return Result::kComplete;
  if (error_ != RequestError::kNone) return Result::kError;
  const llhttp_errno_t code = llhttp_execute(&parser_, bytes.data(), bytes.size());
  if (code == HPE_OK) {
    *consumed = bytes.size();
    return Result::kIncomplete;
  }
  if (code == HPE_PAUSED && complete_) {
    // OnMessageComplete pauses the parser so that anything after the response stays unread.
    *consumed = static_cast<std::size_t>(llhttp_get_error_pos(&parser_) - bytes.data());
    return Result::kComplete;
  }
  return Fail(RequestError::kProtocolError);
}

HttpResponseParser::Result HttpResponseParser::FinishAtEof() {
  if (complete_) return Result::kComplete;
  if (error_ != RequestError::kNone) return Result::kError;
  llhttp_finish(&parser_);
  if (complete_) {
    keep_alive_ = false;
    return Result::kComplete;
  }
  return Fail(RequestError::kConnectionReset);
}

HttpResponseParser::Result HttpResponseParser::Fail(RequestError error) {
  // A cap hit inside a callback has already recorded the more specific error.
  if (error_ == RequestError::kNone) error_ = error;
  return Result::kError;
}

void HttpResponseParser::FillOutcome(RequestOutcome* outcome) const {
  outcome->error = RequestError::kNone;
  outcome->status = status_;
  outcome->set_retry_after(retry_after());
}

int HttpResponseParser::CountHeaderBytes(std::size_t length) {
  header_bytes_ += length;
  if (header_bytes_ <= limits_.max_header_bytes) return HPE_OK;
  error_ = RequestError::kResponseTooLarge;
  llhttp_set_error_reason(&parser_, "response headers exceed the cap");
  return HPE_USER;
}

int HttpResponseParser::OnMessageBegin(llhttp_t* parser) {
  HttpResponseParser* self = Self(parser);
  // Per-message state; header_bytes_ keeps counting across interim 1xx responses.
  self->status_ = 0;
  self->retry_after_len_ = 0;
  self->body_bytes_ = 0;
  self->body_prefix_len_ = 0;
  return self->CountHeaderBytes(kStatusLineOverhead);
}

int HttpResponseParser::OnStatus(llhttp_t* parser, const char*, std::size_t length) {
  return Self(parser)->CountHeaderBytes(length);
}

int HttpResponseParser::OnHeaderField(llhttp_t* parser, const char* at, std::size_t length) {
  HttpResponseParser* self = Self(parser);
  if (!self->field_overflow_) {
    if (self->field_len_ + length > self->field_.size()) {
      self->field_overflow_ = true;
    } else {
      std::memcpy(self->field_.data() + self->field_len_, at, length);
      self->field_len_ = static_cast<std::uint8_t>(self->field_len_ + length);
    }
  }
  return self->CountHeaderBytes(length);
}

int HttpResponseParser::OnHeaderFieldComplete(llhttp_t* parser) {
  HttpResponseParser* self = Self(parser);
  self->in_retry_after_ =
      !self->field_overflow_ && IsRetryAfter(self->field_.data(), self->field_len_);
  if (self->in_retry_after_) self->retry_after_len_ = 0;  // the last one wins
  self->field_len_ = 0;
  self->field_overflow_ = false;
  return self->CountHeaderBytes(kHeaderLineOverhead);
}

int HttpResponseParser::OnHeaderValue(llhttp_t* parser, const char* at, std::size_t length) {
  HttpResponseParser* self = Self(parser);
  if (self->in_retry_after_) {
    const std::size_t room = self->retry_after_.size() - self->retry_after_len_;
    const std::size_t n = std::min(room, length);
    std::memcpy(self->retry_after_.data() + self->retry_after_len_, at, n);
    self->retry_after_len_ = static_cast<std::uint8_t>(self->retry_after_len_ + n);
  }
  return self->CountHeaderBytes(length);
}

int HttpResponseParser::OnHeaderValueComplete(llhttp_t* parser) {
  HttpResponseParser* self = Self(parser);
  if (self->in_retry_after_) {
    while (self->retry_after_len_ > 0 && (self->retry_after_[self->retry_after_len_ - 1] == ' ' ||
                                          self->retry_after_[self->retry_after_len_ - 1] == '\t')) {
      --self->retry_after_len_;
    }
  }
  self->in_retry_after_ = false;
  return HPE_OK;
}

int HttpResponseParser::OnHeadersComplete(llhttp_t* parser) {
  HttpResponseParser* self = Self(parser);
  self->status_ = parser->status_code;
  // llhttp takes any three digits; "000" or "002" is no HTTP status (and a 0 would read as
  // "no response" in the stats).
  if (self->status_ < 100) {
    self->error_ = RequestError::kProtocolError;
    llhttp_set_error_reason(parser, "status code below 100");
    return -1;
  }
  if (self->status_ == 101) {
    self->error_ = RequestError::kProtocolError;
    llhttp_set_error_reason(parser, "unexpected 101 Switching Protocols");
    return -1;
  }
  if ((parser->flags & F_CONTENT_LENGTH) && parser->content_length > self->limits_.max_body_bytes) {
    self->error_ = RequestError::kResponseTooLarge;
    llhttp_set_error_reason(parser, "declared Content-Length exceeds the body cap");
    return -1;
  }
  return 0;
}

int HttpResponseParser::OnBody(llhttp_t* parser, const char* at, std::size_t length) {
  HttpResponseParser* self = Self(parser);
  self->body_bytes_ += length;
  if (self->body_bytes_ > self->limits_.max_body_bytes) {
    self->error_ = RequestError::kResponseTooLarge;
    llhttp_set_error_reason(parser, "response body exceeds the cap");
    return HPE_USER;
  }
  const std::size_t n = std::min(kBodyPrefixBytes - self->body_prefix_len_, length);
  std::memcpy(self->body_prefix_.data() + self->body_prefix_len_, at, n);
  self->body_prefix_len_ += n;
  return HPE_OK;
}

int HttpResponseParser::OnMessageComplete(llhttp_t* parser) {
  HttpResponseParser* self = Self(parser);
  if (self->status_ >= 100 && self->status_ < 200) return HPE_OK;  // interim: keep parsing
  self->complete_ = true;
  // HTTP/1.0 keep-alive is an opt-in extension with its own pitfalls: never reuse.
  self->keep_alive_ =
      llhttp_should_keep_alive(parser) != 0 && parser->http_major == 1 && parser->http_minor >= 1;
  return HPE_PAUSED;
}

}  // namespace hookfan::net
