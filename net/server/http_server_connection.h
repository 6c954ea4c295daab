#pragma once
// HttpServerConnection: one accepted client connection of an HttpServer. It reads and parses
// requests, hands each to the server's handler with an HttpResponder, puts the answers back
// in request order (a ring of slots holds answers that arrive early), writes them, and
// closes the connection on "Connection: close", errors and timeouts.
//
// Internal to net/: only HttpServer creates connections and only HttpResponder calls the
// answer methods. Life cycle (STYLE.md): the connection owns itself from accept on and is
// freed in the close callback of its last uv handle, but not before every responder it
// handed out is answered or destroyed (the responders point at it). Loop thread only.
//
// Flow control: reading pauses (and unparsed bytes wait in pending_input_) while
// max_pipelined answers are outstanding or max_output_bytes wait to be written. A closing
// response is followed by a write-side shutdown and a short drain of unread input, so the
// client reads the answer instead of a reset.

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/base/clock.h"
#include "net/http/http_request_parser.h"
#include "net/http/http_response.h"
#include "net/server/server_request.h"

namespace hookfan::net {

class HttpServer;

class HttpServerConnection final : private HttpRequestParser::Delegate {
 public:
  explicit HttpServerConnection(HttpServer& server);
  HttpServerConnection(const HttpServerConnection&) = delete;
  HttpServerConnection& operator=(const HttpServerConnection&) = delete;

  // Accepts the connection waiting on `listener` and starts reading; on failure the
  // connection closes (and frees) itself.
  void Start(uv_stream_t* listener);
  // Closes at once; pending answers are dropped. Idempotent.
  void Close();

  // For HttpResponder, each ends one responder; `sequence` identifies its request. They may
  // free the connection: the caller must not touch it afterwards.
  void Answer(std::uint64_t sequence, const HttpResponse& response);
  void AnswerWithReset();
  void AnswerDropped(std::uint64_t sequence);
  bool open() const { return !closing_; }

  // The server's intrusive list of live connections.
  HttpServerConnection* prev_in_server = nullptr;
  HttpServerConnection* next_in_server = nullptr;

 private:
  // One request awaiting its answer, or an answer waiting for earlier ones.
  struct Slot {
    std::string bytes;  // the formatted answer, when it arrived early
    bool ready = false;
    bool keep_alive = true;
    bool http10 = false;
    bool head_request = false;
    bool closes = false;  // `bytes` ends the connection
  };

  static constexpr TimeMs kNoDeadline = -1;

  ~HttpServerConnection() override = default;

  // HttpRequestParser::Delegate
  void OnExpectContinue() override;
  bool OnRequest(const ServerRequest& request) override;

  static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void OnWrite(uv_write_t* request, int status);
  static void OnShutdown(uv_shutdown_t* request, int status);
  static void OnTimer(uv_timer_t* timer);
  static void OnHandleClosed(uv_handle_t* handle);

  void Feed(const char* data, size_t length);
  void Reject(int status, std::string_view message);
  // Puts the answer to `sequence` in order; Answer without the responder bookkeeping.
  void Deliver(std::uint64_t sequence, const HttpResponse& response);
  // Ends one responder. False when the connection is closing: the answer has nowhere to go
  // and the connection may be freed already.
  bool ReleaseResponder();
  std::uint64_t AddSlot(bool keep_alive, bool http10, bool head_request);
  void AppendInOrder(bool keep_alive);
  bool ShouldPauseReading() const;
  bool AllAnswered() const { return next_to_send_ == next_sequence_; }
  // After any event: write, resume reading, start closing, re-arm the timer. Parsing (and so
  // calling the handler) only when no handler is on the stack (`may_parse`); otherwise it is
  // deferred to a zero-delay timer.
  void Pump(bool may_parse = true);
  void ScheduleResume();
  void ResumeParsing();
  void Flush();
  void BeginLingeringClose();
  void StartReading();
  void StopReading();
  void UpdateDeadline();
  void MaybeFree();

  HttpServer& server_;
  uv_loop_t* const loop_;
  uv_tcp_t tcp_;
  uv_timer_t timer_;
  uv_write_t write_request_;
  uv_shutdown_t shutdown_request_;
  int open_handles_ = 0;
  int pending_responders_ = 0;  // handed out, not yet answered or destroyed

  HttpRequestParser parser_;
  std::string pending_input_;  // read but not parsed while reading is paused
  std::string resume_input_;   // pending_input_ being parsed on resume

  std::vector<Slot> slots_;          // ring indexed by sequence % max_pipelined
  std::uint64_t next_sequence_ = 0;  // given to the next request
  std::uint64_t next_to_send_ = 0;   // oldest request whose answer is not in out_ yet
  bool continue_pending_ = false;    // "100 Continue" owed once earlier answers are out

  std::string out_;      // answers ready to write, in order
  std::string writing_;  // answers handed to uv_write
  bool write_in_flight_ = false;

  bool reading_ = false;
  bool read_paused_ = false;        // flow control, pending_input_ may hold bytes
  bool stop_parsing_ = false;       // no further requests: close, error, EOF or upgrade
  bool close_after_write_ = false;  // a closing answer is in out_ or being written
  bool peer_eof_ = false;
  bool lingering_ = false;
  bool closing_ = false;
  bool in_feed_ = false;  // answers given during parsing are flushed once it ends
  bool in_pump_ = false;
  bool resume_scheduled_ = false;

  TimeMs head_started_at_;  // first byte of the current request head (or accept)
  TimeMs body_read_at_ = 0;
  TimeMs write_started_at_ = 0;
  TimeMs idle_since_ = kNoDeadline;
  TimeMs linger_until_ = 0;
  TimeMs deadline_ = kNoDeadline;
  TimeMs timer_due_ = kNoDeadline;  // when the uv timer fires, kNoDeadline if stopped
};

}  // namespace hookfan::net
