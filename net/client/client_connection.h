#pragma once
// One connection of an OriginPool: connect (net/client/connector.h: resolve, address guard,
// TCP), then the HTTP/1.1 exchange over a transport (net/client/transport.h: plaintext or
// TLS): write one request at a time, parse the response, then go idle or close. Internal to
// the pool; nothing outside net/client/origin_pool.cc and net/client/http_client.cc uses it.
//
// Life cycle: the pool creates it with its first request (Open), reuses it while idle
// (Start), and closes it (Close / Cancel). The object owns uv handles, so it is freed only
// when the last of them has closed, by OriginPool::ReleaseConnection from a close callback.
// It never calls back into the pool from Open() or Start(): failures there are deferred to
// the next loop turn, so that HttpClient::Send never calls back from inside itself.

#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "net/base/clock.h"
#include "net/base/intrusive_list.h"
#include "net/client/connector.h"
#include "net/client/request_outcome.h"
#include "net/client/transport.h"
#include "net/http/http_request.h"
#include "net/http/http_response_parser.h"

namespace hookfan::net {

class OriginPool;
struct IdleConnectionTag {};

class ClientConnection final : private IntrusiveLink<IdleConnectionTag>,
                               private Connector::Owner,
                               private Transport::Owner {
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
  // kConnecting covers DNS and TCP, kHandshaking the TLS handshake: both are bounded by
  // the connect timeout.
  enum class State : std::uint8_t { kConnecting, kHandshaking, kActive, kIdle, kClosing };

  void Attach(HttpRequest* request);
  HttpRequest* Detach();
  void WriteRequest();
  void OnRequestWritten();
  void Complete(bool reusable);
  void Fail(RequestError error, bool retriable, std::string_view detail = {});
  void FailSoon(RequestError error, bool retriable, std::string_view detail = {});
  void ArmTimer(TimeMs deadline);
  void MaybeRelease();

  // Connector::Owner
  void OnConnectorDone(RequestError error, std::string_view detail) override;
  void OnConnectorClosingSocket() override;
  // Transport::Owner
  void OnTransportReady() override;
  void OnTransportData(std::string_view bytes) override;
  void OnTransportWritten() override;
  void OnTransportEof() override;
  void OnTransportError(RequestError error, std::string_view detail) override;

  static void OnAlloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void OnTimer(uv_timer_t* timer);
  static void OnTcpClosed(uv_handle_t* handle);
  static void OnTimerClosed(uv_handle_t* handle);

  OriginPool* pool_;
  std::size_t index_;
  State state_ = State::kConnecting;
  HttpRequest* request_ = nullptr;

  uv_tcp_t tcp_;
  uv_timer_t timer_;
  bool tcp_open_ = false;
  bool timer_open_ = false;
  bool opening_ = false;  // inside Open(): failures must wait for the next loop turn
  Connector connector_;
  std::unique_ptr<Transport> transport_;  // once connected

  TimeMs connect_deadline_ = 0;
  TimeMs response_deadline_ = 0;
  TimeMs idle_since_ = 0;
  std::uint64_t served_ = 0;  // responses completed on this connection
  bool reused_ = false;       // the current request is not the connection's first
  bool write_pending_ = false;
  bool response_started_ = false;
  RequestError pending_error_ = RequestError::kNone;  // set by FailSoon
  bool pending_retriable_ = false;
  std::string pending_detail_;

  HttpResponseParser parser_;
  std::string head_;  // request head, rebuilt per request in place
};

}  // namespace hookfan::net
