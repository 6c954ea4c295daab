#pragma once
// Day-2 operations over HTTP (docs/http_api.md): endpoints made, changed, enabled, disabled,
// deleted and their secrets rotated without a restart; dead letters listed and replayed.
//   POST   /v1/endpoints                      create (201, the secret once)
//   GET    /v1/endpoints?limit=&cursor=       list, by id, paged
//   GET    /v1/endpoints/{id}                 one
//   PATCH  /v1/endpoints/{id}                 change in place
//   DELETE /v1/endpoints/{id}                 remove (what was queued is dead-lettered)
//   POST   /v1/endpoints/{id}/enable|disable
//   POST   /v1/endpoints/{id}/secret/rotate   {"grace":"24h"}: old and new sign until then
//   GET    /v1/endpoints/{id}/attempts?limit= the latest attempts, newest first
//   GET    /v1/dead-letters?endpoint=&since=&limit=&cursor=
//   POST   /v1/dead-letters/replay            {"ids":[...]} or {"endpoint":..,"since":..}
// Tenancy: a tenant token sees and changes only the endpoints it created; any other id
// answers 404 as if it did not exist. The admin sees everything.
//
// The registry here is the source of truth for what the API made: every change goes to the
// engine and to the store (EndpointStore) before it is answered; a store failure undoes
// the engine change. Config-file endpoints are listed and can be enabled or disabled, but
// not changed or deleted over HTTP (the file would bring them back at the next start).
// Runs on the server's loop thread.

#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "api/attempt_log.h"
#include "api/auth.h"
#include "api/endpoint_store.h"
#include "api/logger.h"
#include "engine/hookfan.h"
#include "net/server/http_responder.h"
#include "net/server/server_request.h"

namespace hookfan::tools {

struct AdminOptions {
  std::size_t max_endpoints = 10000;
  EndpointStore* store = nullptr;  // null: API-made endpoints live in memory only
  const Logger* log = nullptr;
  AttemptLog* attempts = nullptr;  // null: the attempts route answers an empty list
  // Called with `replaying` true just before a dead letter is replayed (its delivery is then
  // pending again: serve's spool records that first, so the new delivery's fate comes after
  // it), and with false if the replay then failed (the letter stays).
  std::function<void(const engine::DeadLetter&, bool replaying)> on_replay;
};

class AdminApi {
 public:
  AdminApi(engine::Engine& engine, uv_loop_t* loop, AdminOptions options);
  ~AdminApi();
  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;

  // Registers the config-file endpoints (already in the engine, owned by the admin) and
  // adds the stored ones; a stored endpoint whose id a config endpoint took is skipped with
  // a warning (the file wins). Call once, before serving.
  Status Load(const std::vector<engine::EndpointConfig>& config_endpoints);

  // Whether `path` is one of the routes above.
  static bool Handles(std::string_view path);
  void Handle(const net::ServerRequest& request, const Principal& who,
              net::HttpResponder& responder);

  // Stops the rotation timer (before the loop closes).
  void Close();

  std::size_t endpoint_count() const { return endpoints_.size(); }

 private:
  struct Managed {
    engine::EndpointConfig config;
    std::string owner;
    std::string profile;
    bool from_config = false;
    bool api_disabled = false;
    std::int64_t created_unix_ms = 0;
    std::int64_t rotation_ends_unix_ms = 0;
  };

  static constexpr std::int64_t kMaxPageSize = 1000;  // the largest `limit` of a list

  Managed* Visible(const std::string& id, const Principal& who);
  void ListEndpoints(const net::ServerRequest& request, const Principal& who,
                     net::HttpResponder& responder);
  void CreateEndpoint(const net::ServerRequest& request, const Principal& who,
                      net::HttpResponder& responder);
  void PatchEndpoint(Managed& managed, std::string_view body, net::HttpResponder& responder);
  void DeleteEndpoint(Managed& managed, net::HttpResponder& responder);
  void SetEnabled(Managed& managed, bool enabled, net::HttpResponder& responder);
  void RotateSecret(Managed& managed, std::string_view body, net::HttpResponder& responder);
  void ListAttempts(const Managed& managed, const net::ServerRequest& request,
                    net::HttpResponder& responder);
  void ListDeadLetters(const net::ServerRequest& request, const Principal& who,
                       net::HttpResponder& responder);
  void ReplayDeadLetters(const net::ServerRequest& request, const Principal& who,
                         net::HttpResponder& responder);

  std::string EndpointJson(const Managed& managed, bool enabled,
                           std::string_view secret = {}) const;
  bool EngineEnabled(const std::string& id);
  Status Persist(const Managed& managed);
  // The dead letters still listed (not replayed), newest first; forgets replayed ids the
  // engine no longer keeps, so `replayed_` stays bounded by the engine's letters.
  std::vector<engine::DeadLetter> LiveDeadLetters();
  // The last attempt's result for the letter's event ("http_503", "connect_refused"), from
  // the attempt log; the letter's reason when no attempt is known.
  std::string LastErrorOf(const engine::DeadLetter& letter) const;
  void ArmRotationTimer();
  static void OnRotationTimer(uv_timer_t* timer);
  void EndDueRotations();

  engine::Engine& engine_;
  AdminOptions options_;
  Logger default_log_;
  std::map<std::string, Managed> endpoints_;  // by id: lists come out sorted
  // Replayed dead letters leave the list, and a second replay of one is a 404 (never a
  // second delivery). The engine keeps its letters; this is the API's view of which are
  // spent. In memory: after a restart the engine's letters start afresh too.
  std::set<std::uint64_t> replayed_;
  uv_timer_t rotation_timer_{};
  bool timer_open_ = false;
};

}  // namespace hookfan::tools
