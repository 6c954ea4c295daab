#include "api/ingest_api.h"

#include "api/admin_api.h"
#include "api/json_response.h"
#include "api/stats_report.h"
#include "net/base/json_writer.h"

namespace hookfan::tools {

std::string_view AllowedMethods(std::string_view path) {
  if (path == "/v1/events") return "POST";
  if (path == "/v1/stats" || path == "/metrics" || path == "/healthz") return "GET, HEAD";
  return {};
}

IngestApi::IngestApi(engine::Engine& engine, engine::IngestLimits limits)
    : engine_(engine), parser_(limits) {}

void IngestApi::Handle(const net::ServerRequest& request, net::HttpResponder responder) {
  const std::string_view path = request.path();
  const std::string_view method = request.method();
  Principal who;
  if (auth_ != nullptr && path != "/healthz") {
    who = auth_->Authenticate(request.FindHeader("authorization"));
    if (!who.authenticated) {
      // The same answer for a missing and a wrong token: nothing to learn from it.
      net::HttpHeader challenge[] = {{"WWW-Authenticate", "Bearer"}};
      const std::string body = ErrorJson(401, "authorization: a valid Bearer token is required");
      responder.Respond(net::HttpResponse{
          .status = 401, .headers = challenge, .content_type = kJsonContentType, .body = body});
      return;
    }
  } else {
    who = Authenticator().Authenticate(std::nullopt);  // no auth: everything is the admin
  }
  if (admin_ != nullptr && AdminApi::Handles(path)) {
    admin_->Handle(request, who, responder);
    return;
  }
  if (!who.admin && (path == "/v1/stats" || path == "/metrics")) {
    RespondError(responder, 403, std::string(path) + ": needs the admin token");
    return;
  }
  // 404 for a path that does not exist whatever the method; 405 (with Allow) only for a
  // known path asked with the wrong method.
  const std::string_view allowed = AllowedMethods(path);
  if (allowed.empty()) {
    RespondError(responder, 404, std::string(path) + ": no such resource");
    return;
  }
  const bool is_post = allowed == "POST";
  if (is_post ? method != "POST" : method != "GET" && method != "HEAD") {
    RespondMethodNotAllowed(responder, path, allowed, is_post ? "POST" : "GET");
    return;
  }
  if (path == "/v1/events") {
    PostEvents(request, responder, who.owner);
  } else if (path == "/healthz") {
    const Status health = publisher_ != nullptr ? publisher_->Health() : Status::Ok();
    if (stopping_) {
      RespondJson(responder, 503, R"({"status":"stopping"})");
    } else if (!health.ok()) {
      JsonWriter json;
      json.BeginObject().Key("status").String("error").Key("error").String(health.message());
      json.EndObject();
      RespondJson(responder, 503, json.text());
    } else if (source_.health_json) {
      // A source that lost its broker is degraded, not down: what is in memory is still
      // being delivered, and it reconnects by itself.
      std::string body = source_.connected() ? R"({"status":"ok")" : R"({"status":"degraded")";
      body += ",\"source\":";
      body += source_.health_json();
      body += '}';
      RespondJson(responder, 200, body);
    } else {
      RespondJson(responder, 200, R"({"status":"ok"})");
    }
  } else if (path == "/v1/stats") {
    RespondJson(responder, 200, StatsToJson(engine_.Stats()));
  } else if (path == "/metrics") {
    std::string text = StatsToPrometheus(engine_.Stats());
    if (source_.metrics_text) text += source_.metrics_text();
    if (publisher_ != nullptr) text += publisher_->MetricsText();
    responder.Respond(net::HttpResponse{
        .status = 200, .content_type = "text/plain; version=0.0.4", .body = text});
  }
}

void IngestApi::PostEvents(const net::ServerRequest& request, net::HttpResponder& responder,
                           const std::string& owner) {
  if (stopping_) {
    net::HttpHeader retry[] = {{"Retry-After", "5"}};
    const std::string body = ErrorJson(503, "stopping: not accepting events");
    responder.Respond(net::HttpResponse{
        .status = 503, .headers = retry, .content_type = kJsonContentType, .body = body});
    return;
  }
  auto events = parser_.ParseBody(request.body());
  if (!events.ok()) {
    const int status = engine::HttpStatusForIngestError(events.status());
    RespondError(responder, status, events.status().message());
    return;
  }
  if (!owner.empty()) {
    // Fresh from the parser and not shared yet: the tenant is stamped before publishing.
    for (const auto& event : *events) std::const_pointer_cast<engine::Event>(event)->owner = owner;
  }
  if (publisher_ != nullptr) {
    // Answered once durable: the responder waits in the callback (HttpResponder answers late
    // and in request order on its connection).
    auto waiting = std::make_shared<net::HttpResponder>(std::move(responder));
    std::vector<engine::EventPtr> batch = *events;
    publisher_->Publish(std::move(batch),
                        [this, waiting, events = std::move(*events)](const Status& published) {
                          AnswerPublished(*waiting, published, events);
                        });
    return;
  }
  AnswerPublished(responder, engine_.PublishBatch(*events), *events);
}

void IngestApi::AnswerPublished(net::HttpResponder& responder, const Status& published,
                                const std::vector<engine::EventPtr>& events) {
  if (!published.ok()) {
    if (published.code() == StatusCode::kInvalidArgument) {
      RespondError(responder, 400, published.message());
      return;
    }
    if (published.code() != StatusCode::kResourceExhausted &&
        published.code() != StatusCode::kUnavailable) {
      // Not stored: the client must not take it as accepted (a retry may deliver it twice,
      // never zero times).
      RespondError(responder, 500, published.message());
      return;
    }
    // Backpressure, not loss: the client keeps the batch and tries again later.
    net::HttpHeader retry[] = {{"Retry-After", "1"}};
    const std::string body = ErrorJson(503, published.message());
    responder.Respond(net::HttpResponse{
        .status = 503, .headers = retry, .content_type = kJsonContentType, .body = body});
    return;
  }
  accepted_events_ += events.size();
  JsonWriter json;
  json.BeginObject();
  json.Key("accepted").Uint(events.size());
  json.Key("ids").BeginArray();
  for (const auto& event : events) json.String(event->id);
  json.EndArray().EndObject();
  RespondJson(responder, 202, json.text());
}

}  // namespace hookfan::tools
