#pragma once
// ServerRequest: a read-only view of one parsed HTTP/1.x request, as the server hands it to its
// handler. It owns nothing: every string_view points into the connection's buffers and is
// valid only during the handler call. A handler that answers later copies what it needs.
//
//   void OnRequest(const ServerRequest& request, HttpResponder responder) {
//     if (request.method() != "POST" || request.path() != "/v1/events") { ... }
//     std::optional<std::string_view> id = request.FindHeader("webhook-id");
//     Ingest(request.body());
//   }

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace hookfan::net {

struct HttpHeader {
  std::string_view name;
  std::string_view value;
};

// ASCII case-insensitive equality, as HTTP field names compare.
bool HeaderNameEquals(std::string_view a, std::string_view b);

class ServerRequest {
 public:
  ServerRequest() = default;
  ServerRequest(std::string_view method, std::string_view target, int http_minor,
                std::span<const HttpHeader> headers, std::string_view body, bool keep_alive)
      : method_(method),
        target_(target),
        headers_(headers),
        body_(body),
        http_minor_(http_minor),
        keep_alive_(keep_alive) {}

  std::string_view method() const { return method_; }  // "GET", "POST", ...
  std::string_view target() const { return target_; }  // raw request target: "/a/b?x=1"
  std::string_view path() const;                       // target before '?': "/a/b"
  std::string_view query() const;                      // target after '?', or empty: "x=1"
  int http_minor() const { return http_minor_; }       // 0 for HTTP/1.0, 1 for HTTP/1.1
  // Whether the connection stays open after this request (HTTP/1.1 default, HTTP/1.0 with
  // "Connection: keep-alive"); false when the client sent "Connection: close".
  bool keep_alive() const { return keep_alive_; }

  // Headers in arrival order, names and values as sent (values without surrounding blanks).
  std::span<const HttpHeader> headers() const { return headers_; }
  // The first header with this name (case-insensitive), or nullopt.
  std::optional<std::string_view> FindHeader(std::string_view name) const;

  // The whole body, de-chunked when it came with Transfer-Encoding: chunked.
  std::string_view body() const { return body_; }

 private:
  std::string_view method_;
  std::string_view target_;
  std::span<const HttpHeader> headers_;
  std::string_view body_;
  int http_minor_ = 1;
  bool keep_alive_ = true;
};

}  // namespace hookfan::net
