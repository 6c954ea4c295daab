// `hookfan serve --config FILE`: the engine behind its HTTP ingest API until SIGINT/SIGTERM.
#include <uv.h>

#include <cstdio>
#include <memory>

#include "api/ingest_api.h"
#include "net/server/http_server.h"
#include "tools/common/commands.h"
#include "tools/common/engine_setup.h"

namespace hookfan::tools {
namespace {

struct ServeOptions {
  std::string config_path;
  std::string listen;  // overrides [ingest].listen
};

int RunServe(const ServeOptions& options) {
  auto config = LoadServeConfig(options.config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "hookfan serve: %s\n", config.status().message().c_str());
    return 2;
  }
  if (!options.listen.empty()) config->ingest.listen = options.listen;
  // Name what the operator wrote: the flag when given, else the config field.
  auto listen =
      ParseHostPort(config->ingest.listen, options.listen.empty() ? "ingest.listen" : "--listen");
  if (!listen.ok()) {
    std::fprintf(stderr, "hookfan serve: %s\n", listen.status().message().c_str());
    return 2;
  }
  auto engine = StartEngineWithEndpoints(*config);
  if (!engine.ok()) {
    std::fprintf(stderr, "hookfan serve: %s\n", engine.status().message().c_str());
    return 2;
  }

  uv_loop_t loop;
  uv_loop_init(&loop);
  IngestApi api(**engine, config->ingest.limits);
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
    (*engine)->DrainAndStop(0);
    uv_loop_close(&loop);
    return 1;
  }
  // The bound port (not 0), written back as --listen accepts it: [::1]:port for IPv6.
  const bool ipv6 = listen->host.find(':') != std::string::npos;
  std::printf("hookfan serve: listening on %s%s%s:%d with %zu endpoints on %d workers\n",
              ipv6 ? "[" : "", listen->host.c_str(), ipv6 ? "]" : "", (*server)->port(),
              config->endpoints.size(), (*engine)->worker_count());
  std::fflush(stdout);

  // SIGINT/SIGTERM: stop intake first (ingest answers 503), close the server, then let the
  // engine finish due work within the grace period.
  struct ShutdownState {
    IngestApi* api;
    net::HttpServer* server;
    uv_signal_t sigint, sigterm;
    bool started = false;
  } shutdown{&api, server->get(), {}, {}, false};
  auto on_signal = [](uv_signal_t* handle, int signum) {
    auto* state = static_cast<ShutdownState*>(handle->data);
    if (state->started) return;
    state->started = true;
    std::fprintf(stderr, "hookfan serve: %s received, draining\n",
                 signum == SIGINT ? "SIGINT" : "SIGTERM");
    state->api->StopIntake();
    uv_signal_stop(&state->sigint);
    uv_signal_stop(&state->sigterm);
    uv_close(reinterpret_cast<uv_handle_t*>(&state->sigint), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&state->sigterm), nullptr);
    state->server->Close([] {});
  };
  uv_signal_init(&loop, &shutdown.sigint);
  uv_signal_init(&loop, &shutdown.sigterm);
  shutdown.sigint.data = shutdown.sigterm.data = &shutdown;
  uv_signal_start(&shutdown.sigint, on_signal, SIGINT);
  uv_signal_start(&shutdown.sigterm, on_signal, SIGTERM);

  uv_run(&loop, UV_RUN_DEFAULT);
  server->reset();
  uv_loop_close(&loop);

  engine::DrainReport report = (*engine)->DrainAndStop(config->shutdown_grace_ms);
  std::printf(
      "hookfan serve: stopped; accepted %llu events, delivered %llu during drain, %llu "
      "attempts cancelled, %llu deliveries still pending%s\n",
      static_cast<unsigned long long>(api.accepted_events()),
      static_cast<unsigned long long>(report.delivered_during_drain),
      static_cast<unsigned long long>(report.cancelled_in_flight),
      static_cast<unsigned long long>(report.still_pending),
      report.graceful ? "" : " (grace period ran out)");
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* command = app.add_subcommand("serve", "Run the engine behind its HTTP ingest API");
  command->add_option("--config", options->config_path, "TOML configuration file")->required();
  command->add_option("--listen", options->listen, "host:port, overrides [ingest].listen");
  command->callback([options] { throw CommandExit{RunServe(*options)}; });
}

}  // namespace hookfan::tools
