#include "net/http/http_request_parser.h"

#include <string>
#include <utility>

namespace hookfan::net {

namespace {

// Bytes a header line costs beyond its name and value: ": " and CRLF. The request line's
// method, version and separators are charged as a flat 16 so that the limit reads as "bytes
// on the wire" without tracking llhttp's exact positions.
constexpr size_t kHeaderLineOverhead = 4;
constexpr size_t kRequestLineOverhead = 16;

}  // namespace

const llhttp_settings_t& HttpRequestParser::Settings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = &HttpRequestParser::OnMessageBegin;
    s.on_url = &HttpRequestParser::OnUrl;
    s.on_header_field = &HttpRequestParser::OnHeaderField;
    s.on_header_field_complete = &HttpRequestParser::OnHeaderFieldComplete;
    s.on_header_value = &HttpRequestParser::OnHeaderValue;
    s.on_headers_complete = &HttpRequestParser::OnHeadersComplete;
    s.on_body = &HttpRequestParser::OnBody;
    s.on_message_complete = &HttpRequestParser::OnMessageComplete;
    return s;
  }();
  return settings;
}

HttpRequestParser::HttpRequestParser(const HttpRequestLimits& limits, Delegate& delegate)
    : limits_(limits), delegate_(delegate) {
  llhttp_init(&parser_, HTTP_REQUEST, &Settings());
  parser_.data = this;
  head_.reserve(512);
  header_offsets_.reserve(16);
  headers_.reserve(16);
}

HttpRequestParser& HttpRequestParser::From(llhttp_t* parser) {
  return *static_cast<HttpRequestParser*>(parser->data);
}

HttpRequestParser::Result HttpRequestParser::Feed(std::string_view data, size_t* consumed) {
  llhttp_errno_t error = llhttp_execute(&parser_, data.data(), data.size());
  // A body still arriving must not keep pointing into bytes the caller is about to reuse.
  if (body_in_input_ && state_ == State::kBody) {
    body_.assign(body_view_);
    body_view_ = body_;
    body_in_input_ = false;
  }
  switch (error) {
    case HPE_OK:
      *consumed = data.size();
      return Result::kOk;
    case HPE_PAUSED:
      *consumed = static_cast<size_t>(llhttp_get_error_pos(&parser_) - data.data());
      return Result::kPaused;
    case HPE_PAUSED_UPGRADE:
      *consumed = static_cast<size_t>(llhttp_get_error_pos(&parser_) - data.data());
      return Result::kUpgrade;
    default:
      *consumed = 0;
      if (error_status_ == 0) {
        error_status_ = 400;
        error_message_ = "request: malformed HTTP/1.1 (";
        error_message_ += llhttp_get_error_reason(&parser_);
        error_message_ += ")";
      }
      return Result::kError;
  }
}

void HttpRequestParser::Resume() { llhttp_resume(&parser_); }

int HttpRequestParser::Fail(int status, std::string message) {
  error_status_ = status;
  error_message_ = std::move(message);
  return HPE_USER;
}

bool HttpRequestParser::AddHeadBytes(size_t length) {
  head_bytes_ += length;
  return head_bytes_ <= limits_.max_header_bytes;
}

int HttpRequestParser::OnMessageBegin(llhttp_t* parser) {
  HttpRequestParser& self = From(parser);
  self.state_ = State::kHead;
  self.head_.clear();
  self.header_offsets_.clear();
  self.headers_.clear();
  self.head_bytes_ = kRequestLineOverhead;
  self.in_header_field_ = false;
  self.target_length_ = 0;
  self.body_.clear();
  self.body_view_ = {};
  self.body_in_input_ = false;
  self.body_bytes_ = 0;
  return HPE_OK;
}

int HttpRequestParser::OnUrl(llhttp_t* parser, const char* at, size_t length) {
  HttpRequestParser& self = From(parser);
  if (!self.AddHeadBytes(length)) {
    return self.Fail(431, "headers: request line and headers exceed " +
                              std::to_string(self.limits_.max_header_bytes) + " bytes");
  }
  self.head_.append(at, length);
  self.target_length_ += length;
  return HPE_OK;
}

int HttpRequestParser::OnHeaderField(llhttp_t* parser, const char* at, size_t length) {
  HttpRequestParser& self = From(parser);
  if (!self.AddHeadBytes(length + (self.in_header_field_ ? 0 : kHeaderLineOverhead))) {
    return self.Fail(431, "headers: request line and headers exceed " +
                              std::to_string(self.limits_.max_header_bytes) + " bytes");
  }
  if (self.state_ == State::kBody) return HPE_OK;  // a trailer: counted, not kept
  if (!self.in_header_field_) {
    if (self.header_offsets_.size() >= self.limits_.max_headers) {
      return self.Fail(
          431, "headers: more than " + std::to_string(self.limits_.max_headers) + " header lines");
    }
    self.in_header_field_ = true;
    auto offset = static_cast<std::uint32_t>(self.head_.size());
    self.header_offsets_.push_back({offset, 0, offset, 0});
  }
  self.head_.append(at, length);
  self.header_offsets_.back().name_length += static_cast<std::uint32_t>(length);
  return HPE_OK;
}

int HttpRequestParser::OnHeaderFieldComplete(llhttp_t* parser) {
  HttpRequestParser& self = From(parser);
  self.in_header_field_ = false;
  if (self.state_ == State::kBody) return HPE_OK;
  self.header_offsets_.back().value_offset = static_cast<std::uint32_t>(self.head_.size());
  return HPE_OK;
}

int HttpRequestParser::OnHeaderValue(llhttp_t* parser, const char* at, size_t length) {
  HttpRequestParser& self = From(parser);
  if (!self.AddHeadBytes(length)) {
    return self.Fail(431, "headers: request line and headers exceed " +
                              std::to_string(self.limits_.max_header_bytes) + " bytes");
  }
  if (self.state_ == State::kBody) return HPE_OK;
  self.head_.append(at, length);
  self.header_offsets_.back().value_length += static_cast<std::uint32_t>(length);
  return HPE_OK;
}

int HttpRequestParser::CheckHeadersComplete() {
  std::string_view head(head_);
  for (const HeaderOffsets& offsets : header_offsets_) {
    headers_.push_back({head.substr(offsets.name_offset, offsets.name_length),
                        head.substr(offsets.value_offset, offsets.value_length)});
  }
  const bool has_length = (parser_.flags & F_CONTENT_LENGTH) != 0;
  if (has_length && parser_.content_length > limits_.max_body_bytes) {
    return Fail(413, "body: Content-Length " + std::to_string(parser_.content_length) +
                         " exceeds the limit of " + std::to_string(limits_.max_body_bytes) +
                         " bytes");
  }
  for (const HttpHeader& header : headers_) {
    if (!HeaderNameEquals(header.name, "expect")) continue;
    if (!HeaderNameEquals(header.value, "100-continue")) {
      return Fail(417, "expect: only \"100-continue\" is supported");
    }
    const bool body_follows =
        (parser_.flags & F_CHUNKED) != 0 || (has_length && parser_.content_length > 0);
    // HTTP/1.0 clients do not know 100-continue (RFC 9110 10.1.1): they send the body anyway.
    if (body_follows && parser_.http_minor >= 1) delegate_.OnExpectContinue();
    break;
  }
  return HPE_OK;
}

int HttpRequestParser::OnHeadersComplete(llhttp_t* parser) {
  HttpRequestParser& self = From(parser);
  self.state_ = State::kBody;
  return self.CheckHeadersComplete();
}

int HttpRequestParser::OnBody(llhttp_t* parser, const char* at, size_t length) {
  HttpRequestParser& self = From(parser);
  self.body_bytes_ += length;
  if (self.body_bytes_ > self.limits_.max_body_bytes) {
    return self.Fail(413, "body: exceeds the limit of " +
                              std::to_string(self.limits_.max_body_bytes) + " bytes");
  }
  if (self.body_bytes_ == length) {
    // First piece: point at the input; most bodies arrive whole and are never copied.
    self.body_view_ = std::string_view(at, length);
    self.body_in_input_ = true;
    return HPE_OK;
  }
  if (self.body_in_input_) {
    self.body_.assign(self.body_view_);
    self.body_in_input_ = false;
  }
  self.body_.append(at, length);
  self.body_view_ = self.body_;
  return HPE_OK;
}

int HttpRequestParser::OnMessageComplete(llhttp_t* parser) {
  HttpRequestParser& self = From(parser);
  self.state_ = State::kIdle;
  std::string_view method = llhttp_method_name(static_cast<llhttp_method_t>(parser->method));
  std::string_view target = std::string_view(self.head_).substr(0, self.target_length_);
  ServerRequest request(method, target, parser->http_minor, self.headers_, self.body_view_,
                        llhttp_should_keep_alive(parser) != 0);
  return self.delegate_.OnRequest(request) ? HPE_OK : HPE_PAUSED;
}

}  // namespace hookfan::net
