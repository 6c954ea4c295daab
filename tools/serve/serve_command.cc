// `hookfan serve --config FILE`: the engine behind its HTTP ingest API until SIGINT, SIGTERM
// or SIGHUP (each drains the same way).
#include <uv.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "api/admin_api.h"
#include "api/auth.h"
#include "api/endpoint_store.h"
#include "api/ingest_api.h"
#include "api/logger.h"
#include "net/server/http_server.h"
#include "sources/redis/redis_source.h"
#include "sources/redis/redis_source_report.h"
#include "tools/common/commands.h"
#include "tools/common/engine_setup.h"
#include "tools/serve/event_done_listeners.h"
#include "tools/serve/spool_hooks.h"
#include "tools/serve/spool_publisher.h"

namespace hookfan::tools {
namespace {

struct ServeOptions {
  std::string config_path;
  std::string listen;           // overrides [ingest].listen
  bool require_source = false;  // exit 2 when [source.redis] cannot connect at start
};

bool IsLoopback(const std::string& host) {
  return host.starts_with("127.") || host == "::1" || host == "localhost";
}

// What the start log says of the outbound address guard (docs/security.md).
std::string AddressGuardText(const std::vector<net::Cidr>& allow) {
  std::string text = "public addresses only";
  for (std::size_t i = 0; i < allow.size(); ++i) {
    text += i == 0 ? ", plus allow_cidrs " : " ";
    text += allow[i].ToString();
  }
  return text;
}

// [auth] with HOOKFAN_ADMIN_TOKEN filling in a missing admin token (the environment keeps
// it out of a config file that may be checked in). Setting the variable alone enables auth.
Status ResolveAuth(AuthConfig* auth) {
  const char* env = std::getenv("HOOKFAN_ADMIN_TOKEN");
  if (auth->admin_token.empty() && env != nullptr && *env != '\0') {
    auth->admin_token = env;
    auth->present = true;
    const std::string& token = auth->admin_token;
    bool printable = token.size() >= 16 && token.size() <= 512;
    for (char c : token) printable = printable && c > ' ' && c <= '~';
    if (!printable) {
      return Status::InvalidArgument(
          "HOOKFAN_ADMIN_TOKEN: must be 16 to 512 printable characters without blanks");
    }
  }
  if (auth->present && auth->admin_token.empty()) {
    return Status::InvalidArgument(
        "auth.admin_token: missing (set it, or the HOOKFAN_ADMIN_TOKEN environment variable)");
  }
  return Status::Ok();
}

int RunServe(const ServeOptions& options) {
  auto config = LoadServeConfig(options.config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "hookfan serve: %s\n", config.status().message().c_str());
    return 2;
  }
  if (!options.listen.empty()) config->ingest.listen = options.listen;
  // Name what the operator wrote: the flag when given, else the config field.
  auto listen = ResolveHostPort(config->ingest.listen,
                                options.listen.empty() ? config->ingest.listen_field : "--listen");
  if (!listen.ok()) {
    std::fprintf(stderr, "hookfan serve: %s\n", listen.status().message().c_str());
    return 2;
  }
  if (Status auth = ResolveAuth(&config->auth); !auth.ok()) {
    std::fprintf(stderr, "hookfan serve: %s\n", auth.message().c_str());
    return 2;
  }
  if (!config->auth.present && !IsLoopback(listen->host)) {
    std::fprintf(stderr,
                 "hookfan serve: %s: '%s' is not a loopback address, and without [auth] the API "
                 "would be open to anyone who can reach it; set [auth] admin_token (or "
                 "HOOKFAN_ADMIN_TOKEN), or listen on 127.0.0.1 or ::1\n",
                 options.listen.empty() ? config->ingest.listen_field.c_str() : "--listen",
                 listen->host.c_str());
    return 2;
  }
  if (config->endpoints.size() > config->admin.max_endpoints) {
    std::fprintf(stderr,
                 "hookfan serve: endpoints: %zu endpoints exceed admin.max_endpoints (%zu)\n",
                 config->endpoints.size(), config->admin.max_endpoints);
    return 2;
  }
  LogLevel level = LogLevel::kInfo;
  (void)Logger::ParseLevel(config->log.level, &level);
  const Logger log(level, config->log.json);
  // The spool first: it locks its directory (a second serve on it stops here), and what it
  // recovers is published again before anything listens.
  std::unique_ptr<engine::spool::Spool> spool;
  EventDoneListeners event_done;
  if (config->spool.mode == engine::SpoolMode::kDisk) {
    auto opened = engine::spool::Spool::Open(config->spool);
    if (!opened.ok()) {
      std::fprintf(stderr, "hookfan serve: %s\n", opened.status().message().c_str());
      return 2;
    }
    spool = std::move(*opened);
    std::fprintf(stderr, "hookfan serve: spool %s: %s\n", config->spool.dir.c_str(),
                 spool->recovery().Summary().c_str());
    RecordIntoSpool(spool.get(), &config->engine, &event_done);
  }
  if (config->admin.state_dir.empty()) config->admin.state_dir = config->spool.dir;
  auto store = EndpointStore::Open(config->admin.state_dir);
  if (!store.ok()) {
    std::fprintf(stderr, "hookfan serve: %s\n", store.status().message().c_str());
    return 2;
  }
  // Every attempt's status or error, for GET /v1/endpoints/{id}/attempts. Outlives the
  // engine (declared before it), so the workers never record into a dead log.
  AttemptLog attempts;
  config->engine.on_attempt = [&attempts](const engine::AttemptRecord& record) {
    attempts.Record(record);
  };
  // [source.redis]: made before the engine, whose hooks it listens on; started once serve is
  // up. Declared before the engine: it outlives the workers that call it.
  std::unique_ptr<sources::RedisSource> redis;
  if (config->redis) {
    sources::RedisSourceOptions& r = *config->redis;
    r.max_payload_bytes = config->ingest.limits.max_payload_bytes;
    r.max_pending_deliveries = config->engine.max_pending_deliveries;
    // Longer than any attempt can take, so a live owner's entry is never claimed mid-attempt.
    if (r.claim_idle_ms == 0) r.claim_idle_ms = config->engine.http.total_timeout + 30'000;
    r.log = [&log](bool is_error, const std::string& line) {
      if (is_error) {
        log.Error("redis source: " + line);
      } else {
        log.Info("redis source: " + line);
      }
    };
    redis = std::make_unique<sources::RedisSource>(r);
    // Acknowledged from the event-done signal; dead letters written to <stream>:dead first.
    event_done.Add([&redis](const engine::Event& e) { redis->OnEventDone(e); });
    config->engine.on_outcome =
        [&redis, previous = config->engine.on_outcome](const engine::DeliveryOutcome& o) {
          if (previous) previous(o);
          redis->OnOutcome(o);
        };
  }
  event_done.InstallInto(&config->engine);  // every listener is in (none: no hook at all)
  auto engine = StartEngineWithEndpoints(*config);
  if (!engine.ok()) {
    std::fprintf(stderr, "hookfan serve: %s\n", engine.status().message().c_str());
    return 2;
  }
  AnnounceGeneratedSecrets(*config, "hookfan serve");

  uv_loop_t loop;
  uv_loop_init(&loop);
  IngestApi api(**engine, config->ingest.limits);
  const Authenticator auth = config->auth.present
                                 ? Authenticator(config->auth.admin_token, config->auth.tokens)
                                 : Authenticator();
  AdminApi admin(
      **engine, &loop,
      AdminOptions{.max_endpoints = config->admin.max_endpoints,
                   .store = store->get(),
                   .log = &log,
                   .attempts = &attempts,
                   .on_replay = [&spool](const engine::DeadLetter& letter, bool replaying) {
                     if (spool) RecordReplay(*spool, letter, replaying);
                   }});
  if (Status loaded = admin.Load(config->endpoints); !loaded.ok()) {
    std::fprintf(stderr, "hookfan serve: %s\n", loaded.message().c_str());
    admin.Close();
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    (*engine)->DrainAndStop(0);
    return 2;
  }
  api.SetAdminApi(&admin, &auth);
  std::unique_ptr<SpoolPublisher> publisher;
  if (spool) {
    // Every endpoint is in now (the file's and the API-made ones): recovered deliveries find
    // theirs, and the payloads recovery held go once they are published.
    const RestoreReport restored = RestoreFromSpool(*spool, **engine);
    std::fprintf(stderr, "hookfan serve: spool %s: %s\n", config->spool.dir.c_str(),
                 restored.Summary().c_str());
    spool->Start();
    publisher = std::make_unique<SpoolPublisher>(**engine, *spool, &loop);
    api.SetPublisher(publisher.get());
  }
  net::HttpServerOptions server_options;
  server_options.host = listen->host;
  server_options.port = listen->port;
  server_options.limits.max_body_bytes = config->ingest.max_body_bytes;
  auto server = net::HttpServer::Listen(
      &loop, server_options, [&api](const net::ServerRequest& request, net::HttpResponder r) {
        api.Handle(request, std::move(r));
      });
  if (!server.ok()) {
    std::fprintf(stderr, "hookfan serve: %s\n", server.status().message().c_str());
    admin.Close();
    if (publisher) publisher->Close();
    uv_run(&loop, UV_RUN_DEFAULT);
    (*engine)->DrainAndStop(0);
    uv_loop_close(&loop);
    return 1;
  }
  if (redis) {
    // An unreachable Redis is one clear line (logged by the source), then retried in the
    // background, unless the operator asked serve to insist.
    Status connected = redis->Start(engine->get());
    if (!connected.ok() && options.require_source) {
      std::fprintf(stderr, "hookfan serve: %s (--require-source)\n", connected.message().c_str());
      redis->Stop(0);
      admin.Close();
      if (publisher) publisher->Close();
      (*server)->Close([] {});
      uv_run(&loop, UV_RUN_DEFAULT);
      server->reset();
      uv_loop_close(&loop);
      (*engine)->DrainAndStop(0);
      return 2;
    }
    sources::RedisSource* source = redis.get();
    api.SetSourceStatus(SourceStatus{
        .connected = [source] { return source->Stats().connected; },
        .health_json =
            [source] { return sources::RedisSourceHealthJson(source->Stats(), source->options()); },
        .metrics_text = [source] { return sources::RedisSourcePrometheus(source->Stats()); }});
  }
  // SIGINT/SIGTERM/SIGHUP: stop intake first (ingest answers 503), close the server, then let
  // the engine finish due work within the grace period. Installed before the listening line:
  // whoever waits for that line may signal at once.
  struct ShutdownState {
    IngestApi* api;
    sources::RedisSource* redis;
    AdminApi* admin;
    net::HttpServer* server;
    SpoolPublisher* publisher;  // null in memory mode
    // SIGHUP too: a closed terminal must not kill serve without a drain (there is no live
    // reload yet, so SIGHUP drains and stops like SIGTERM).
    uv_signal_t sigint, sigterm, sighup;
    bool started = false;
  } shutdown{&api, redis.get(), &admin, server->get(), publisher.get(), {}, {}, {}, false};
  auto on_signal = [](uv_signal_t* handle, int signum) {
    auto* state = static_cast<ShutdownState*>(handle->data);
    if (state->started) return;
    state->started = true;
    std::fprintf(stderr, "hookfan serve: %s received, draining\n",
                 signum == SIGINT   ? "SIGINT"
                 : signum == SIGHUP ? "SIGHUP"
                                    : "SIGTERM");
    state->api->StopIntake();
    if (state->redis != nullptr) state->redis->StopReading();
    state->admin->Close();
    uv_signal_stop(&state->sigint);
    uv_signal_stop(&state->sigterm);
    uv_signal_stop(&state->sighup);
    uv_close(reinterpret_cast<uv_handle_t*>(&state->sigint), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&state->sigterm), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&state->sighup), nullptr);
    // Every ingest answer has left once the server is closed: nothing waits on the spool.
    state->server->Close([state] {
      if (state->publisher != nullptr) state->publisher->Close();
    });
  };
  uv_signal_init(&loop, &shutdown.sigint);
  uv_signal_init(&loop, &shutdown.sigterm);
  uv_signal_init(&loop, &shutdown.sighup);
  shutdown.sigint.data = shutdown.sigterm.data = shutdown.sighup.data = &shutdown;
  uv_signal_start(&shutdown.sigint, on_signal, SIGINT);
  uv_signal_start(&shutdown.sigterm, on_signal, SIGTERM);
  uv_signal_start(&shutdown.sighup, on_signal, SIGHUP);
  // The bound port (not 0), written back as --listen accepts it: [::1]:port for IPv6.
  const bool ipv6 = listen->host.find(':') != std::string::npos;
  std::printf("hookfan serve: listening on %s%s%s:%d with %zu endpoints on %d workers\n",
              ipv6 ? "[" : "", listen->host.c_str(), ipv6 ? "]" : "", (*server)->port(),
              admin.endpoint_count(), (*engine)->worker_count());
  std::fflush(stdout);
  log.Info("serve started", {{"listen", listen->host},
                             {"port", std::to_string((*server)->port())},
                             {"endpoints", std::to_string(admin.endpoint_count())},
                             {"auth", config->auth.present ? "bearer" : "none (loopback only)"},
                             {"state_dir", config->admin.state_dir},
                             {"spool", spool ? config->spool.dir : "memory"},
                             {"address_guard", AddressGuardText(config->allow_cidrs)}});
  if (!config->auth.present) {
    log.Warn("no [auth]: the API has no tokens, so serve listens on loopback only");
  }
  for (const engine::EndpointConfig& endpoint : config->endpoints) {
    if (endpoint.tls_verify) continue;
    log.Warn(
        "TLS VERIFICATION IS OFF for this endpoint (tls_verify = false): any certificate "
        "and host name are accepted",
        {{"endpoint", endpoint.id}});
  }

  uv_run(&loop, UV_RUN_DEFAULT);
  server->reset();
  uv_loop_close(&loop);

  engine::DrainReport report = (*engine)->DrainAndStop(config->shutdown_grace_ms);
  // After the drain: the events it finished are acknowledged; cancelled ones stay pending in
  // the group for another instance (or the next start under the same consumer name).
  if (redis) redis->Stop();
  std::printf(
      "hookfan serve: stopped; accepted %llu events, delivered %llu during drain, %llu "
      "attempts cancelled, %llu deliveries still pending%s\n",
      static_cast<unsigned long long>(api.accepted_events()),
      static_cast<unsigned long long>(report.delivered_during_drain),
      static_cast<unsigned long long>(report.cancelled_in_flight),
      static_cast<unsigned long long>(report.still_pending),
      report.graceful ? "" : " (grace period ran out)");
  if (spool) {
    // Cancelled and waiting deliveries have no fate on record: the next start sends them.
    const Status flushed = spool->Flush();
    const engine::spool::SpoolStats stats = spool->Stats();
    std::fprintf(stderr,
                 "hookfan serve: spool %s: %llu pending deliveries and %llu dead letters kept "
                 "for the next start (%llu bytes)%s%s\n",
                 config->spool.dir.c_str(),
                 static_cast<unsigned long long>(stats.pending_deliveries),
                 static_cast<unsigned long long>(stats.dead_letters),
                 static_cast<unsigned long long>(stats.bytes), flushed.ok() ? "" : "; ",
                 flushed.ok() ? "" : flushed.message().c_str());
  }
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* command = app.add_subcommand("serve", "Run the engine behind its HTTP ingest API");
  command->add_option("--config", options->config_path, "TOML configuration file")->required();
  command->add_option("--listen", options->listen, "host:port, overrides [ingest].listen");
  command->add_flag("--require-source", options->require_source,
                    "Exit (2) when [source.redis] cannot connect at start, instead of retrying "
                    "in the background");
  command->callback([options] { throw CommandExit{RunServe(*options)}; });
}

}  // namespace hookfan::tools
