#pragma once
// HttpRequestParser: turns the bytes of one server connection into ServerRequest views, with
// llhttp underneath. It enforces the request limits (header bytes and count, body bytes),
// de-chunks bodies and reports what went wrong as the HTTP status to answer with.
//
//   HttpRequestParser parser(limits, delegate);   // delegate: OnExpectContinue, OnRequest
//   size_t consumed = 0;
//   switch (parser.Feed(bytes, &consumed)) {
//     case Result::kOk: break;                      // all consumed, waiting for more
//     case Result::kPaused: keep bytes.substr(consumed) and call Resume() before feeding them
//     case Result::kUpgrade: stop parsing: the rest is not HTTP/1.1
//     case Result::kError: answer parser.error_status() with parser.error_message(), close
//   }
//
// Buffers (head, header list, body) belong to the parser and are reused from one request to
// the next: a connection in steady state allocates nothing per request. Delegate callbacks run
// inside Feed(); the ServerRequest they receive is valid only during the callback. Not
// thread-safe: one connection, one thread.

#include <llhttp.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/server/server_request.h"

namespace hookfan::net {

struct HttpRequestLimits {
  size_t max_header_bytes = 16 * 1024;  // request line plus header lines (431 beyond)
  size_t max_headers = 100;             // header lines (431 beyond)
  size_t max_body_bytes = 1 << 20;      // body after de-chunking (413 beyond)
};

class HttpRequestParser {
 public:
  class Delegate {
   public:
    virtual ~Delegate() = default;
    // The request announced "Expect: 100-continue" and its headers passed the limits: the
    // client waits for an interim "100 Continue" before sending the body.
    virtual void OnExpectContinue() = 0;
    // One complete request. Return false to stop parsing right after it: Feed then returns
    // kPaused, and the bytes after this request stay unconsumed.
    virtual bool OnRequest(const ServerRequest& request) = 0;
  };

  enum class Result : std::uint8_t { kOk, kPaused, kUpgrade, kError };
  enum class State : std::uint8_t {
    kIdle,  // between requests
    kHead,  // inside a request line or its headers
    kBody,  // headers done, body not complete
  };

  HttpRequestParser(const HttpRequestLimits& limits, Delegate& delegate);
  HttpRequestParser(const HttpRequestParser&) = delete;
  HttpRequestParser& operator=(const HttpRequestParser&) = delete;

  // Parses `data`; *consumed is how many bytes were used (all of them on kOk). After kError
  // every further Feed fails again.
  Result Feed(std::string_view data, size_t* consumed);
  // Continues after kPaused; the caller then feeds the unconsumed bytes.
  void Resume();

  State state() const { return state_; }
  // After kError: 400 (malformed), 413 (body too large), 417 (unknown Expect), 431 (headers
  // too large), and one line for the error body naming what was wrong.
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }

 private:
  struct HeaderOffsets {
    std::uint32_t name_offset;
    std::uint32_t name_length;
    std::uint32_t value_offset;
    std::uint32_t value_length;
  };

  static const llhttp_settings_t& Settings();
  static HttpRequestParser& From(llhttp_t* parser);
  static int OnMessageBegin(llhttp_t* parser);
  static int OnUrl(llhttp_t* parser, const char* at, size_t length);
  static int OnHeaderField(llhttp_t* parser, const char* at, size_t length);
  static int OnHeaderFieldComplete(llhttp_t* parser);
  static int OnHeaderValue(llhttp_t* parser, const char* at, size_t length);
  static int OnHeadersComplete(llhttp_t* parser);
  static int OnBody(llhttp_t* parser, const char* at, size_t length);
  static int OnMessageComplete(llhttp_t* parser);

  // Counts head bytes against the limit; sets the 431 error when over.
  bool AddHeadBytes(size_t length);
  int Fail(int status, std::string message);
  int CheckHeadersComplete();

  const HttpRequestLimits limits_;
  Delegate& delegate_;
  llhttp_t parser_;
  State state_ = State::kIdle;

  std::string head_;  // target, header names and values of the current request
  std::vector<HeaderOffsets> header_offsets_;
  std::vector<HttpHeader> headers_;  // views into head_, built when the headers end
  size_t head_bytes_ = 0;            // what counts against max_header_bytes
  bool in_header_field_ = false;
  size_t target_length_ = 0;

  // The body is a view into the caller's bytes while it arrived in one piece, else a copy.
  std::string body_;
  std::string_view body_view_;
  bool body_in_input_ = false;
  size_t body_bytes_ = 0;

  int error_status_ = 0;
  std::string error_message_;
};

}  // namespace hookfan::net
