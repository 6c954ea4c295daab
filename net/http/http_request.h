#pragma once
// One POST to send through an OriginPool. The caller owns it (typically embedded in its
// delivery-attempt record) and fills the public fields; the client keeps only pointers into
// them, never copies, until the callback has run.
//
//   struct Attempt { HttpRequest request; ... };
//   attempt->request.path_and_query = url.path_and_query;
//   attempt->request.extra_headers = signature_lines;   // "Name: value\r\n" lines
//   attempt->request.body = payload;                      // shared, not copied
//   attempt->request.context = attempt;
//   attempt->request.on_complete = [](HttpRequest* r, const RequestOutcome& outcome) {
//     static_cast<Attempt*>(r->context)->Done(outcome);
//   };
//   Status sent = client.Send(pool, &attempt->request);  // error: no callback will come
//
// Contract:
//  - After Send() returns ok, on_complete runs exactly once, on the loop thread, never from
//    inside Send() itself. Until then the request and every byte its views point to must
//    stay alive and unchanged. Inside the callback the client is done with the request: it
//    may be destroyed or sent again.
//  - The request written is
//      POST <path_and_query> HTTP/1.1\r\nHost: ..\r\nUser-Agent: ..\r\n
//      Content-Type: <content_type>\r\nContent-Length: <body size>\r\n<extra_headers>\r\n<body>
//    path_and_query and extra_headers must be well-formed (no CR/LF outside the header
//    lines' own line ends): they come from validated configuration, not from peers.

#include "net/base/clock.h"
#include "net/base/intrusive_list.h"
#include "net/client/request_outcome.h"

namespace hookfan::net {

class ClientConnection;
class OriginPool;
struct PendingRequestTag {};

class HttpRequest : private IntrusiveLink<PendingRequestTag> {
 public:
  using Callback = void (*)(HttpRequest* request, const RequestOutcome& outcome);

  HttpRequest() = default;
  HttpRequest(const HttpRequest&) = delete;
  HttpRequest& operator=(const HttpRequest&) = delete;

  std::string_view path_and_query = "/";
  std::string_view content_type = "application/json";
  std::string_view extra_headers;  // preformatted "Name: value\r\n" lines, may be empty
  std::string_view body;
  Callback on_complete = nullptr;
  void* context = nullptr;  // for the caller; the client never touches it

  // True from a successful Send() until on_complete starts.
  bool in_flight() const { return pool_ != nullptr; }

  // Inside on_complete only: the first bytes (at most 256) of the response body, for
  // diagnostics. Empty for failed attempts.
  std::string_view response_body_prefix() const { return body_prefix_; }

 private:
  friend class ClientConnection;
  friend class OriginPool;
  friend class IntrusiveList<HttpRequest, PendingRequestTag>;

  OriginPool* pool_ = nullptr;
  ClientConnection* connection_ = nullptr;
  TimeMs deadline_ = 0;  // total timeout, on the loop's clock (uv_now)
  bool retried_ = false;
  std::string_view body_prefix_;
};

}  // namespace hookfan::net
