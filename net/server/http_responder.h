#pragma once
// HttpResponder: the right (and duty) to answer one request, handed to the server's handler.
// Answer now, or move it somewhere and answer later from the same loop thread; responses on
// a connection still leave in request order, whatever order handlers answer in.
//
//   server handler:  [](const ServerRequest& request, HttpResponder responder) {
//                      if (request.path() == "/healthz") return responder.Respond(200, "ok");
//                      pending.push_back(std::move(responder));   // answered by a timer
//                    }
//
// Move-only and small (a pointer and a number): creating one allocates nothing. Answering
// after the client went away is harmless (the answer is dropped). Respond() and Reset() never
// call the handler re-entrantly: requests they unblock are parsed on a later loop turn, so a
// handler may answer from a loop over its own queue of responders. A responder destroyed
// without an answer sends 500 and closes the connection: a handler bug never hangs a client.
// The connection stays allocated while any of its responders is pending, so every responder
// must be answered or destroyed before HttpServer::Close can finish.

#include <cstdint>
#include <string_view>

#include "net/http/http_response.h"

namespace hookfan::net {

class HttpServerConnection;

class HttpResponder {
 public:
  HttpResponder() = default;  // answers nothing; pending() is false
  HttpResponder(HttpServerConnection* connection, std::uint64_t sequence)
      : connection_(connection), sequence_(sequence) {}
  HttpResponder(HttpResponder&& other) noexcept;
  HttpResponder& operator=(HttpResponder&& other) noexcept;
  HttpResponder(const HttpResponder&) = delete;
  HttpResponder& operator=(const HttpResponder&) = delete;
  ~HttpResponder();

  // Sends the response (once its turn on the connection comes). Copies what it needs: the
  // views in `response` may die right after the call. Must be pending.
  void Respond(const HttpResponse& response);
  void Respond(int status, std::string_view body = {}, std::string_view content_type = {});

  // Drops the whole connection with a TCP reset (RST) instead of answering: earlier
  // responses not yet written are lost too. For fault injection. Must be pending.
  void Reset();

  // Not answered yet.
  bool pending() const { return connection_ != nullptr; }
  // The connection can still carry this answer (the client has not gone away).
  bool connection_open() const;

 private:
  HttpServerConnection* connection_ = nullptr;
  std::uint64_t sequence_ = 0;
};

}  // namespace hookfan::net
