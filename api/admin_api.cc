#include "api/admin_api.h"

#include <simdjson.h>

#include <algorithm>

#include "api/endpoint_json.h"
#include "api/json_response.h"
#include "api/query_params.h"
#include "engine/signing/webhook_secret.h"
#include "net/base/clock.h"
#include "net/base/duration.h"
#include "net/base/json_writer.h"

namespace hookfan::tools {
namespace {

constexpr std::string_view kEndpoints = "/v1/endpoints";
constexpr std::string_view kDeadLetters = "/v1/dead-letters";
constexpr DurationMs kDefaultGraceMs = 24 * kHourMs;

}  // namespace

AdminApi::AdminApi(engine::Engine& engine, uv_loop_t* loop, AdminOptions options)
    : engine_(engine), options_(options) {
  if (options_.log == nullptr) options_.log = &default_log_;
  uv_timer_init(loop, &rotation_timer_);
  rotation_timer_.data = this;
  // Rotations that end in a day must not keep the loop alive at shutdown.
  uv_unref(reinterpret_cast<uv_handle_t*>(&rotation_timer_));
  timer_open_ = true;
}

AdminApi::~AdminApi() { Close(); }

void AdminApi::Close() {
  if (!timer_open_) return;
  timer_open_ = false;
  uv_timer_stop(&rotation_timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&rotation_timer_), nullptr);
}

Status AdminApi::Load(const std::vector<engine::EndpointConfig>& config_endpoints) {
  for (const engine::EndpointConfig& config : config_endpoints) {
    Managed& managed = endpoints_[config.id];
    managed.config = config;
    managed.owner = std::string(kAdminOwner);
    managed.from_config = true;
  }
  if (options_.store == nullptr) return Status::Ok();
  auto stored = options_.store->LoadAll();
  if (!stored.ok()) return stored.status();
  for (const StoredEndpoint& row : *stored) {
    if (endpoints_.contains(row.id)) {
      options_.log->Warn("a config-file endpoint has the id of an API-made one; the file wins",
                         {{"endpoint", row.id}, {"store", options_.store->path()}});
      continue;
    }
    Managed managed;
    Status parsed = ApplyEndpointJson(row.config_json, EndpointJsonMode::kStored, &managed.config);
    if (parsed.ok()) {
      managed.config.id = row.id;
      managed.config.owner = row.owner;
      parsed = engine_.AddEndpoint(managed.config);
    }
    if (!parsed.ok()) {
      return Status::Io(options_.store->path() + ": endpoint '" + row.id +
                        "': " + parsed.message());
    }
    managed.owner = row.owner;
    managed.profile = row.profile;
    managed.api_disabled = row.disabled;
    managed.created_unix_ms = row.created_unix_ms;
    managed.rotation_ends_unix_ms = row.rotation_ends_unix_ms;
    if (managed.api_disabled) (void)engine_.SetEndpointEnabled(row.id, false);
    endpoints_.emplace(row.id, std::move(managed));
  }
  EndDueRotations();
  return Status::Ok();
}

bool AdminApi::Handles(std::string_view path) {
  auto under = [path](std::string_view root) {
    return path == root || (path.starts_with(root) && path[root.size()] == '/');
  };
  return under(kEndpoints) || under(kDeadLetters);
}

AdminApi::Managed* AdminApi::Visible(const std::string& id, const Principal& who) {
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return nullptr;
  if (!who.admin && it->second.owner != who.owner) return nullptr;
  return &it->second;
}

void AdminApi::Handle(const net::ServerRequest& request, const Principal& who,
                      net::HttpResponder& responder) {
  const std::string_view path = request.path();
  const std::string_view method = request.method();
  const bool get = method == "GET" || method == "HEAD";
  if (path == kEndpoints) {
    if (get) return ListEndpoints(request, who, responder);
    if (method == "POST") return CreateEndpoint(request, who, responder);
    return RespondMethodNotAllowed(responder, path, "GET, POST");
  }
  if (path == kDeadLetters) {
    if (get) return ListDeadLetters(request, who, responder);
    return RespondMethodNotAllowed(responder, path, "GET");
  }
  if (path == "/v1/dead-letters/replay") {
    if (method == "POST") return ReplayDeadLetters(request, who, responder);
    return RespondMethodNotAllowed(responder, path, "POST");
  }
  if (!path.starts_with("/v1/endpoints/")) {
    return RespondError(responder, 404, std::string(path) + ": no such resource");
  }
  std::string_view rest = path.substr(kEndpoints.size() + 1);
  const std::size_t slash = rest.find('/');
  const std::string id(rest.substr(0, slash));
  const std::string_view action =
      slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  if (action != "" && action != "enable" && action != "disable" && action != "secret/rotate" &&
      action != "attempts") {
    return RespondError(responder, 404, std::string(path) + ": no such resource");
  }
  Managed* managed = Visible(id, who);
  if (managed == nullptr) {
    return RespondError(responder, 404, "endpoint '" + id + "': not found");
  }
  if (action.empty()) {
    if (get) return RespondJson(responder, 200, EndpointJson(*managed, EngineEnabled(id)));
    if (method == "PATCH") return PatchEndpoint(*managed, request.body(), responder);
    if (method == "DELETE") return DeleteEndpoint(*managed, responder);
    return RespondMethodNotAllowed(responder, path, "GET, PATCH, DELETE");
  }
  if (action == "attempts") {
    if (get) return ListAttempts(*managed, request, responder);
    return RespondMethodNotAllowed(responder, path, "GET");
  }
  if (method != "POST") return RespondMethodNotAllowed(responder, path, "POST");
  if (action == "secret/rotate") return RotateSecret(*managed, request.body(), responder);
  return SetEnabled(*managed, action == "enable", responder);
}

bool AdminApi::EngineEnabled(const std::string& id) {
  for (const engine::EndpointStats& e : engine_.Stats().endpoints) {
    if (e.id == id) return e.enabled;
  }
  return false;
}

std::string AdminApi::EndpointJson(const Managed& managed, bool enabled,
                                   std::string_view secret) const {
  JsonWriter json;
  json.BeginObject();
  WriteEndpointFields(json, managed.config, /*with_secrets=*/false);
  json.Key("enabled").Bool(enabled);
  json.Key("disabled_by_api").Bool(managed.api_disabled);
  json.Key("source").String(managed.from_config ? "config" : "api");
  if (!managed.profile.empty()) json.Key("profile").String(managed.profile);
  json.Key("created_unix_ms").Int(managed.created_unix_ms);
  if (managed.rotation_ends_unix_ms > 0) {
    json.Key("previous_secret_until_unix_ms").Int(managed.rotation_ends_unix_ms);
  }
  if (!secret.empty()) json.Key("secret").String(secret);
  json.EndObject();
  return json.Take();
}

Status AdminApi::Persist(const Managed& managed) {
  if (options_.store == nullptr || managed.from_config) return Status::Ok();
  JsonWriter json;
  json.BeginObject();
  WriteEndpointFields(json, managed.config, /*with_secrets=*/true);
  json.EndObject();
  StoredEndpoint row{.id = managed.config.id,
                     .owner = managed.owner,
                     .config_json = json.Take(),
                     .profile = managed.profile,
                     .disabled = managed.api_disabled,
                     .created_unix_ms = managed.created_unix_ms,
                     .rotation_ends_unix_ms = managed.rotation_ends_unix_ms};
  Status put = options_.store->Put(row);
  if (!put.ok()) options_.log->Error("endpoint store write failed", {{"error", put.message()}});
  return put;
}

void AdminApi::ListEndpoints(const net::ServerRequest& request, const Principal& who,
                             net::HttpResponder& responder) {
  auto query = QueryParams::Parse(request.query());
  if (!query.ok()) return RespondStatus(responder, query.status());
  if (auto unknown = query->Unknown({"limit", "cursor"})) {
    return RespondError(responder, 400, *unknown + ": unknown query parameter");
  }
  auto limit = query->Int("limit", 100, 1, kMaxPageSize);
  if (!limit.ok()) return RespondStatus(responder, limit.status());
  const std::string cursor = query->Get("cursor").value_or("");
  std::map<std::string, bool> enabled;
  for (const engine::EndpointStats& e : engine_.Stats().endpoints) enabled[e.id] = e.enabled;

  JsonWriter json;
  json.BeginObject().Key("endpoints").BeginArray();
  std::int64_t written = 0;
  std::string last;
  bool more = false;
  for (auto it = cursor.empty() ? endpoints_.begin() : endpoints_.upper_bound(cursor);
       it != endpoints_.end(); ++it) {
    if (!who.admin && it->second.owner != who.owner) continue;
    if (written == *limit) {
      more = true;
      break;
    }
    json.Raw(EndpointJson(it->second, enabled[it->first]));
    last = it->first;
    ++written;
  }
  json.EndArray().Key("next_cursor");
  if (more) {
    json.String(last);
  } else {
    json.Null();
  }
  json.EndObject();
  RespondJson(responder, 200, json.text());
}

void AdminApi::CreateEndpoint(const net::ServerRequest& request, const Principal& who,
                              net::HttpResponder& responder) {
  Managed managed;
  bool generated = false;
  Status parsed = ApplyEndpointJson(request.body(), EndpointJsonMode::kCreate, &managed.config,
                                    &managed.profile, &generated);
  if (!parsed.ok()) return RespondStatus(responder, parsed);
  const std::string& id = managed.config.id;
  // Said the same way whoever owns it, so a tenant learns nothing about others' ids.
  if (endpoints_.contains(id)) {
    return RespondError(responder, 409, "endpoints.id: '" + id + "' is already taken");
  }
  if (endpoints_.size() >= options_.max_endpoints) {
    return RespondError(responder, 409,
                        "endpoints: the limit of " + std::to_string(options_.max_endpoints) +
                            " endpoints is reached ([admin] max_endpoints)");
  }
  managed.owner = who.owner;
  managed.config.owner = who.owner;
  managed.created_unix_ms = WallNowMs();
  Status added = engine_.AddEndpoint(managed.config);
  if (!added.ok()) {
    return RespondStatus(responder, added.code() == StatusCode::kInvalidArgument
                                        ? Status::InvalidArgument("endpoints." + added.message())
                                        : added);
  }
  Status stored = Persist(managed);
  if (!stored.ok()) {
    (void)engine_.RemoveEndpoint(id);
    return RespondError(responder, 500, "endpoint store: " + stored.message());
  }
  options_.log->Info("endpoint created", {{"endpoint", id}, {"url", managed.config.url}});
  const std::string secret = managed.config.secrets.empty() ? "" : managed.config.secrets.front();
  (void)generated;
  const std::string body = EndpointJson(managed, true, secret);
  if (options_.attempts != nullptr) options_.attempts->Forget(id);  // an earlier holder's
  endpoints_.emplace(id, std::move(managed));
  RespondJson(responder, 201, body);
}

void AdminApi::PatchEndpoint(Managed& managed, std::string_view body,
                             net::HttpResponder& responder) {
  if (managed.from_config) {
    return RespondError(
        responder, 409,
        "endpoint '" + managed.config.id + "': defined in the config file; change it there");
  }
  engine::EndpointConfig changed = managed.config;
  Status parsed = ApplyEndpointJson(body, EndpointJsonMode::kPatch, &changed);
  if (!parsed.ok()) return RespondStatus(responder, parsed);
  Status updated = engine_.UpdateEndpoint(changed);
  if (!updated.ok()) {
    return RespondStatus(responder, updated.code() == StatusCode::kInvalidArgument
                                        ? Status::InvalidArgument("endpoints." + updated.message())
                                        : updated);
  }
  engine::EndpointConfig previous = std::move(managed.config);
  managed.config = std::move(changed);
  if (Status stored = Persist(managed); !stored.ok()) {
    (void)engine_.UpdateEndpoint(previous);
    managed.config = std::move(previous);
    return RespondError(responder, 500, "endpoint store: " + stored.message());
  }
  options_.log->Info("endpoint changed", {{"endpoint", managed.config.id}});
  RespondJson(responder, 200, EndpointJson(managed, EngineEnabled(managed.config.id)));
}

void AdminApi::DeleteEndpoint(Managed& managed, net::HttpResponder& responder) {
  const std::string id = managed.config.id;
  if (managed.from_config) {
    return RespondError(responder, 409,
                        "endpoint '" + id + "': defined in the config file; remove it there");
  }
  if (options_.store != nullptr) {
    if (Status deleted = options_.store->Delete(id); !deleted.ok()) {
      return RespondError(responder, 500, "endpoint store: " + deleted.message());
    }
  }
  Status removed = engine_.RemoveEndpoint(id, "endpoint_deleted");
  if (!removed.ok()) return RespondStatus(responder, removed);
  endpoints_.erase(id);
  if (options_.attempts != nullptr) options_.attempts->Forget(id);
  options_.log->Info("endpoint deleted", {{"endpoint", id}});
  responder.Respond(net::HttpResponse{.status = 204});
}

void AdminApi::SetEnabled(Managed& managed, bool enabled, net::HttpResponder& responder) {
  const std::string& id = managed.config.id;
  const bool was_disabled = managed.api_disabled;
  managed.api_disabled = !enabled;
  if (Status stored = Persist(managed); !stored.ok()) {
    managed.api_disabled = was_disabled;
    return RespondError(responder, 500, "endpoint store: " + stored.message());
  }
  Status set = engine_.SetEndpointEnabled(id, enabled);
  if (!set.ok()) return RespondStatus(responder, set);
  options_.log->Info(enabled ? "endpoint enabled" : "endpoint disabled",
                     {{"endpoint", id}, {"by", "api"}});
  RespondJson(responder, 200, EndpointJson(managed, enabled));
}

void AdminApi::RotateSecret(Managed& managed, std::string_view body,
                            net::HttpResponder& responder) {
  if (managed.from_config) {
    return RespondError(responder, 409,
                        "endpoint '" + managed.config.id +
                            "': defined in the config file; change its secret there");
  }
  const bool standard = managed.config.signing == "standard";
  DurationMs grace = standard ? kDefaultGraceMs : 0;
  std::string secret;
  if (!body.empty()) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    simdjson::dom::object members;
    if (parser.parse(body.data(), body.size()).get(root) || root.get_object().get(members)) {
      return RespondError(responder, 400, "rotate: the body must be a JSON object");
    }
    for (auto [key, value] : members) {
      std::string_view text;
      if (key == "grace") {
        if (value.get_string().get(text)) {
          return RespondError(responder, 400, "rotate.grace: must be a duration such as \"24h\"");
        }
        auto parsed = ParseDuration(text, "rotate.grace");
        if (!parsed.ok()) return RespondStatus(responder, parsed.status());
        grace = *parsed;
      } else if (key == "secret") {
        if (value.get_string().get(text)) {
          return RespondError(responder, 400, "rotate.secret: must be a string");
        }
        secret = std::string(text);
      } else {
        return RespondError(responder, 400, "rotate." + std::string(key) + ": unknown field");
      }
    }
  }
  if (!standard && grace > 0) {
    return RespondError(responder, 400,
                        "rotate.grace: only \"standard\" signing can sign with two secrets; "
                        "use \"0s\"");
  }
  if (secret.empty()) {
    if (!standard) {
      return RespondError(
          responder, 400,
          "rotate.secret: missing (needed for \"" + managed.config.signing + "\" signing)");
    }
    secret = engine::GenerateStandardSecret();
  }
  engine::EndpointConfig changed = managed.config;
  // The new secret signs first; the newest old one keeps signing during the grace.
  std::vector<std::string> secrets = {secret};
  if (grace > 0 && !managed.config.secrets.empty()) {
    secrets.push_back(managed.config.secrets.front());
  }
  changed.secrets = std::move(secrets);
  Status updated = engine_.UpdateEndpoint(changed);
  if (!updated.ok()) {
    return RespondStatus(responder, updated.code() == StatusCode::kInvalidArgument
                                        ? Status::InvalidArgument("rotate." + updated.message())
                                        : updated);
  }
  const engine::EndpointConfig previous = managed.config;
  const std::int64_t previous_end = managed.rotation_ends_unix_ms;
  managed.config = std::move(changed);
  managed.rotation_ends_unix_ms = grace > 0 ? WallNowMs() + grace : 0;
  if (Status stored = Persist(managed); !stored.ok()) {
    (void)engine_.UpdateEndpoint(previous);
    managed.config = previous;
    managed.rotation_ends_unix_ms = previous_end;
    return RespondError(responder, 500, "endpoint store: " + stored.message());
  }
  ArmRotationTimer();
  options_.log->Info("endpoint secret rotated",
                     {{"endpoint", managed.config.id}, {"grace_ms", std::to_string(grace)}});
  JsonWriter json;
  json.BeginObject();
  json.Key("id").String(managed.config.id);
  json.Key("secret").String(secret);
  json.Key("previous_secret_until_unix_ms").Int(managed.rotation_ends_unix_ms);
  json.EndObject();
  RespondJson(responder, 200, json.text());
}

void AdminApi::EndDueRotations() {
  const std::int64_t now = WallNowMs();
  for (auto& [id, managed] : endpoints_) {
    if (managed.rotation_ends_unix_ms == 0 || managed.rotation_ends_unix_ms > now) continue;
    engine::EndpointConfig changed = managed.config;
    if (changed.secrets.size() > 1) changed.secrets.resize(1);
    Status updated = engine_.UpdateEndpoint(changed);
    if (!updated.ok()) {
      options_.log->Error("ending a secret rotation failed",
                          {{"endpoint", id}, {"error", updated.message()}});
      continue;
    }
    managed.config = std::move(changed);
    managed.rotation_ends_unix_ms = 0;
    (void)Persist(managed);
    options_.log->Info("previous secret retired", {{"endpoint", id}});
  }
  ArmRotationTimer();
}

void AdminApi::ArmRotationTimer() {
  if (!timer_open_) return;
  std::int64_t next = 0;
  for (const auto& [id, managed] : endpoints_) {
    const std::int64_t end = managed.rotation_ends_unix_ms;
    if (end > 0 && (next == 0 || end < next)) next = end;
  }
  uv_timer_stop(&rotation_timer_);
  if (next == 0) return;
  const std::int64_t wait = std::max<std::int64_t>(0, next - WallNowMs());
  uv_timer_start(&rotation_timer_, &AdminApi::OnRotationTimer, static_cast<std::uint64_t>(wait), 0);
}

void AdminApi::OnRotationTimer(uv_timer_t* timer) {
  static_cast<AdminApi*>(timer->data)->EndDueRotations();
}

void AdminApi::ListAttempts(const Managed& managed, const net::ServerRequest& request,
                            net::HttpResponder& responder) {
  auto query = QueryParams::Parse(request.query());
  if (!query.ok()) return RespondStatus(responder, query.status());
  if (auto unknown = query->Unknown({"limit"})) {
    return RespondError(responder, 400, *unknown + ": unknown query parameter");
  }
  const auto kept =
      static_cast<std::int64_t>(options_.attempts ? options_.attempts->per_endpoint() : 100);
  auto limit = query->Int("limit", std::min<std::int64_t>(50, kept), 1, kept);
  if (!limit.ok()) return RespondStatus(responder, limit.status());
  std::vector<AttemptEntry> entries;
  if (options_.attempts != nullptr) {
    entries = options_.attempts->Latest(managed.config.id, static_cast<std::size_t>(*limit));
  }
  JsonWriter json;
  json.BeginObject().Key("attempts").BeginArray();
  for (const AttemptEntry& entry : entries) {
    json.BeginObject();
    json.Key("unix_ms").Int(entry.unix_ms);
    json.Key("event_id").String(entry.event_id);
    json.Key("attempt").Int(entry.attempt);
    json.Key("status");
    if (entry.error == net::RequestError::kNone) {
      json.Int(entry.status);
    } else {
      json.Null();
    }
    json.Key("error");
    if (entry.error == net::RequestError::kNone) {
      json.Null();
    } else {
      json.String(net::RequestErrorName(entry.error));
    }
    json.Key("error_detail");
    if (entry.detail.empty()) {
      json.Null();
    } else {
      json.String(entry.detail);
    }
    json.Key("duration_ms").Double(static_cast<double>(entry.duration_us) / 1000.0);
    // The network layer does not hand the response body to the engine (yet): null, so a
    // client written against the documented shape keeps working once it does.
    json.Key("response_body").Null();
    json.EndObject();
  }
  json.EndArray().EndObject();
  RespondJson(responder, 200, json.text());
}

}  // namespace hookfan::tools
