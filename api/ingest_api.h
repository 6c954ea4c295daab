#pragma once
// The HTTP API of `hookfan serve`, as a handler for net::HttpServer:
//   POST /v1/events   one event or an array -> 202 {"accepted":N,"ids":[...]}
//   GET  /v1/stats    per-endpoint and total counters, latency percentiles (JSON)
//   GET  /metrics     the same in Prometheus text format
//   GET  /healthz     {"status":"ok"} (503 while stopping)
// Errors are JSON: {"error":{"status":400,"message":"events[2].type: missing"}}. A batch is
// all or nothing: on any error nothing from it was accepted. When the engine's pending bound
// is reached the answer is 503 with Retry-After, and nothing is dropped silently. With an
// EventPublisher (serve's durable spool) the 202 leaves only once the events are durable.
// Runs on the server's loop thread.

#include <functional>
#include <string>
#include <string_view>

#include "api/auth.h"
#include "api/event_publisher.h"
#include "engine/events/ingest_parser.h"
#include "engine/hookfan.h"
#include "net/server/http_responder.h"
#include "net/server/server_request.h"

namespace hookfan::tools {

class AdminApi;

// A broker source's state (serve's [source.redis]), shown by /healthz under "source" and
// appended to /metrics. Called on the server's loop thread; must be thread-safe snapshots.
struct SourceStatus {
  std::function<bool()> connected;            // false: /healthz says "degraded" (still 200)
  std::function<std::string()> health_json;   // one JSON object
  std::function<std::string()> metrics_text;  // Prometheus text
};

class IngestApi {
 public:
  IngestApi(engine::Engine& engine, engine::IngestLimits limits);
  IngestApi(const IngestApi&) = delete;
  IngestApi& operator=(const IngestApi&) = delete;

  void Handle(const net::ServerRequest& request, net::HttpResponder responder);
  // Bearer tokens on every route but /healthz (401 with WWW-Authenticate: Bearer when
  // wrong), events published with a tenant token carry its owner, and the admin routes
  // (api/admin_api.h) go to `admin`. Both must outlive this object; null: no auth, no admin.
  void SetAdminApi(AdminApi* admin, const Authenticator* auth) {
    admin_ = admin;
    auth_ = auth;
  }
  // Accepted events go to `publisher` (which answers when they are durable) instead of
  // straight to the engine; it must outlive this object. Null: the engine, answered at once.
  void SetPublisher(EventPublisher* publisher) { publisher_ = publisher; }
  void SetSourceStatus(SourceStatus status) { source_ = std::move(status); }
  // After this, ingest answers 503 and /healthz reports stopping.
  void StopIntake() { stopping_ = true; }

  std::uint64_t accepted_events() const { return accepted_events_; }

 private:
  void PostEvents(const net::ServerRequest& request, net::HttpResponder& responder,
                  const std::string& owner = {});
  void AnswerPublished(net::HttpResponder& responder, const Status& published,
                       const std::vector<engine::EventPtr>& events);

  engine::Engine& engine_;
  engine::IngestParser parser_;
  AdminApi* admin_ = nullptr;
  const Authenticator* auth_ = nullptr;
  EventPublisher* publisher_ = nullptr;
  bool stopping_ = false;
  std::uint64_t accepted_events_ = 0;
  SourceStatus source_;
};

// The methods a known path answers ("POST", "GET, HEAD"), as an Allow header lists them;
// empty for a path that does not exist (404). A new route is added here and in Handle.
std::string_view AllowedMethods(std::string_view path);

}  // namespace hookfan::tools
