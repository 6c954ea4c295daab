#pragma once
// HttpResponse: what a handler answers, and the one function that turns it into HTTP/1.1
// bytes. The caller supplies the framing (keep-alive, HEAD) that the server knows from the
// request; AppendHttpResponse appends to a reused buffer so a response costs no allocation
// once the buffer has grown.
//
//   HttpHeader extra[] = {{"Retry-After", "30"}};
//   responder.Respond({.status = 503, .headers = extra, .body = "busy"});
//
// Content-Length is always written by the server; handlers never set it (nor Date,
// Connection or Transfer-Encoding).

#include <span>
#include <string>
#include <string_view>

#include "net/server/server_request.h"

namespace hookfan::net {

struct HttpResponse {
  int status = 200;                       // 100..999
  std::span<const HttpHeader> headers{};  // extra headers, written in order as given
  std::string_view content_type{};        // "Content-Type" when not empty
  std::string_view body{};
  bool close = false;  // close the connection after this response
};

// How the server frames a response for the request it answers.
struct ResponseFraming {
  bool keep_alive = true;     // else "Connection: close" is sent
  bool http10 = false;        // HTTP/1.0 client: a kept-alive connection says so explicitly
  bool head_request = false;  // HEAD: headers as for GET, no body bytes
};

// Appends the status line, `date_line` (a full "Date: ...\r\n" line, may be empty), the
// headers and the body to *out.
void AppendHttpResponse(const HttpResponse& response, const ResponseFraming& framing,
                        std::string_view date_line, std::string* out);

// "OK", "Not Found", ...; "Unknown" for codes without a registered phrase.
std::string_view HttpReasonPhrase(int status);

}  // namespace hookfan::net
