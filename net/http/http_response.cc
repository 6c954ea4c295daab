#include "net/http/http_response.h"

#include <charconv>

#include "net/base/check.h"

namespace hookfan::net {

namespace {

// 1xx, 204 and 304 never carry a body (RFC 9110 6.4.1), so they get no Content-Length.
bool StatusHasBody(int status) { return status >= 200 && status != 204 && status != 304; }

void AppendNumber(std::size_t value, std::string* out) {
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof(digits), value);
  out->append(digits, end);
}

}  // namespace

std::string_view HttpReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

void AppendHttpResponse(const HttpResponse& response, const ResponseFraming& framing,
                        std::string_view date_line, std::string* out) {
  HOOKFAN_CHECK(response.status >= 100 && response.status <= 999);
  out->append("HTTP/1.1 ");
  AppendNumber(static_cast<std::size_t>(response.status), out);
  out->push_back(' ');
  out->append(HttpReasonPhrase(response.status));
  out->append("\r\n");
  out->append(date_line);
  for (const HttpHeader& header : response.headers) {
    out->append(header.name);
    out->append(": ");
    out->append(header.value);
    out->append("\r\n");
  }
  if (!response.content_type.empty()) {
    out->append("Content-Type: ");
    out->append(response.content_type);
    out->append("\r\n");
  }
  const bool has_body = StatusHasBody(response.status);
  if (has_body) {
    out->append("Content-Length: ");
    AppendNumber(response.body.size(), out);
    out->append("\r\n");
  }
  if (!framing.keep_alive) {
    out->append("Connection: close\r\n");
  } else if (framing.http10) {
    out->append("Connection: keep-alive\r\n");
  }
  out->append("\r\n");
  if (has_body && !framing.head_request) out->append(response.body);
}

}  // namespace hookfan::net
