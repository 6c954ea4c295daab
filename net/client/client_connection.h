#pragma once
// One TCP connection of an OriginPool: resolve (names only), connect, write one request at
// a time with a single uv_write, parse the response, then go idle or close. Internal to the
// pool; nothing outside net/client/origin_pool.cc and net/client/http_client.cc uses it.
//
// Life cycle: the pool creates it with its first request (Open), reuses it while idle
// (Start), and closes it (Close / Cancel). The object owns uv handles, so it is freed only
// when the last of them has closed, by OriginPool::ReleaseConnection from a close callback.
// It never calls back into the pool from Open() or Start(): failures there are deferred to
// the next loop turn, so that HttpClient::Send never calls back from inside itself.
//
// Seam for TLS: WriteRequest() and OnRead() are the only places that touch bytes on the
// wire; an https connection will wrap them with an OpenSSL memory-BIO layer.

#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "net/base/clock.h"
#include "net/base/intrusive_list.h"
#include "net/client/request_outcome.h"
#include "net/http/http_request.h"
#include "net/http/http_response_parser.h"

namespace hookfan::net {

class OriginPool;
struct IdleConnectionTag {};

class ClientConnection : private IntrusiveLink<IdleConnectionTag> {
 public:
  ClientConnection(OriginPool* pool, std::size_t index);
  ~ClientConnection();
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  // First request: resolve, connect, send. Never calls back synchronously.
  void Open(HttpRequest* request);
  // Next request on an idle connection. Never calls back synchronously.
  void Start(HttpRequest* request);
  // Closes the connection and hands back the request it carried, if any, without calling
  // its callback.
  HttpRequest* Cancel();
  // Starts closing (idempotent); the pool frees the object once every handle has closed.
  void Close();

  bool closing() const { return state_ == State::kClosing; }
  bool in_idle_list() const { return IntrusiveLink<IdleConnectionTag>::linked(); }
  std::size_t index() const { return index_; }
  void set_index(std::size_t index) { index_ = index; }
  TimeMs idle_since() const { return idle_since_; }
  void set_idle_since(TimeMs now) { idle_since_ = now; }

 private:
  friend class IntrusiveList<ClientConnection, IdleConnectionTag>;
  enum class State : std::uint8_t { kResolving, kConnecting, kActive, kIdle, kClosing };
  static constexpr int kMaxAddresses = 4;

  void Attach(HttpRequest* request);
  HttpRequest* Detach();
  // Keeps `address` for connecting unless the address policy refuses it (returns false).
  bool TakeAddress(const sockaddr& address, std::size_t length);
  void ConnectNext();
  void ConnectFailed(int uv_error);
  void WriteRequest();
  void OnRequestWritten();
  void Complete(bool reusable);
  void Fail(RequestError error, bool retriable);
  void FailSoon(RequestError error, bool retriable);
  void ArmTimer(TimeMs deadline);
  void MaybeRelease();

  static void OnResolved(uv_getaddrinfo_t* request, int status, addrinfo* result);
  static void OnConnected(uv_connect_t* request, int status);
  static void OnWritten(uv_write_t* request, int status);
  static void OnAlloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void OnTimer(uv_timer_t* timer);
  static void OnTcpClosed(uv_handle_t* handle);
  static void OnTimerClosed(uv_handle_t* handle);

  OriginPool* pool_;
  std::size_t index_;
  State state_ = State::kResolving;
  HttpRequest* request_ = nullptr;

  uv_tcp_t tcp_;
  uv_timer_t timer_;
  uv_connect_t connect_request_;
  uv_write_t write_request_;
  uv_getaddrinfo_t dns_request_;
  bool tcp_open_ = false;
  bool timer_open_ = false;
  bool dns_pending_ = false;
  bool reconnecting_ = false;  // tcp_ closes to try the next resolved address

  std::array<sockaddr_storage, kMaxAddresses> addresses_{};
  int address_count_ = 0;
  int next_address_ = 0;

  TimeMs connect_deadline_ = 0;
  TimeMs response_deadline_ = 0;
  TimeMs idle_since_ = 0;
  std::uint64_t served_ = 0;  // responses completed on this connection
  bool reused_ = false;       // the current request is not the connection's first
  bool write_pending_ = false;
  bool response_started_ = false;
  std::string refusal_;  // the address guard's first refusal: address and rule
  RequestError pending_error_ = RequestError::kNone;  // set by FailSoon
  bool pending_retriable_ = false;

  HttpResponseParser parser_;
  std::string head_;  // request head, rebuilt per request in place
};

}  // namespace hookfan::net
