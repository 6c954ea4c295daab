#pragma once
// Incremental parser for one HTTP/1.x response at a time (llhttp underneath), tuned for a
// webhook sender: it keeps the status, the raw Retry-After value and the first bytes of the
// body, and discards the rest of the body. Caps on header and body size turn a hostile or
// broken receiver into kResponseTooLarge instead of unbounded work.
//
//   HttpResponseParser parser({.max_header_bytes = 16384, .max_body_bytes = 1 << 20});
//   size_t used = 0;
//   switch (parser.Feed(bytes, &used)) {
//     case HttpResponseParser::Result::kComplete: Use(parser.status()); break;
//     case HttpResponseParser::Result::kIncomplete: /* wait for more bytes */ break;
//     case HttpResponseParser::Result::kError: Fail(parser.error()); break;
//   }
//   ...on EOF: parser.FinishAtEof();        // completes a close-delimited body, else kError
//   parser.Reset();                          // before the next response on the connection
//
// One instance per connection, reused across responses: no allocation after construction.
// Interim 1xx responses (100 Continue, 103 Early Hints) are skipped; 101 is a protocol
// error because we never ask to switch protocols.

#include <llhttp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/client/request_outcome.h"

namespace hookfan::net {

class HttpResponseParser {
 public:
  struct Limits {
    std::size_t max_header_bytes = 16384;
    std::size_t max_body_bytes = 1 << 20;
  };
  enum class Result : std::uint8_t { kIncomplete, kComplete, kError };
  static constexpr std::size_t kBodyPrefixBytes = 256;

  explicit HttpResponseParser(Limits limits);
  HttpResponseParser(const HttpResponseParser&) = delete;
  HttpResponseParser& operator=(const HttpResponseParser&) = delete;

  void Reset();

  // Parses `bytes`, stopping at the end of the response. `*consumed` is how many bytes were
  // used: on kComplete, fewer than bytes.size() means the peer sent more than one response
  // (we never pipeline, so the connection must not be reused).
  Result Feed(std::string_view bytes, std::size_t* consumed);
  // The peer closed its side: completes a response whose body runs to EOF.
  Result FinishAtEof();

  // Valid after kComplete.
  int status() const { return status_; }
  bool keep_alive() const { return keep_alive_; }
  std::string_view retry_after() const { return {retry_after_.data(), retry_after_len_}; }
  std::string_view body_prefix() const { return {body_prefix_.data(), body_prefix_len_}; }
  std::uint64_t body_bytes() const { return body_bytes_; }
  // Valid after kError.
  RequestError error() const { return error_; }
  const char* error_reason() const { return llhttp_get_error_reason(&parser_); }

  // Copies status and Retry-After into `outcome` (error kNone).
  void FillOutcome(RequestOutcome* outcome) const;

 private:
  static int OnMessageBegin(llhttp_t* parser);
  static int OnStatus(llhttp_t* parser, const char* at, std::size_t length);
  static int OnHeaderField(llhttp_t* parser, const char* at, std::size_t length);
  static int OnHeaderFieldComplete(llhttp_t* parser);
  static int OnHeaderValue(llhttp_t* parser, const char* at, std::size_t length);
  static int OnHeaderValueComplete(llhttp_t* parser);
  static int OnHeadersComplete(llhttp_t* parser);
  static int OnBody(llhttp_t* parser, const char* at, std::size_t length);
  static int OnMessageComplete(llhttp_t* parser);
  static const llhttp_settings_t& Settings();

  int CountHeaderBytes(std::size_t length);
  Result Fail(RequestError error);

  llhttp_t parser_;
  Limits limits_;
  std::size_t header_bytes_ = 0;
  std::uint64_t body_bytes_ = 0;
  int status_ = 0;
  bool complete_ = false;
  bool keep_alive_ = false;
  RequestError error_ = RequestError::kNone;

  // The header name being read, kept only as far as needed to recognise Retry-After.
  std::array<char, 12> field_{};
  std::uint8_t field_len_ = 0;
  bool field_overflow_ = false;
  bool in_retry_after_ = false;
  std::array<char, 40> retry_after_{};
  std::uint8_t retry_after_len_ = 0;

  std::array<char, kBodyPrefixBytes> body_prefix_{};
  std::size_t body_prefix_len_ = 0;
};

}  // namespace hookfan::net
