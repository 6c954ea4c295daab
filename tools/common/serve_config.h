#pragma once
// The configuration of `hookfan serve`, from a TOML file (docs/configuration.md lists every
// field with its default). Every error is one line naming the file, the line and the field:
//   hookfan.toml:14: endpoints[1].retry.attempts: must be between 1 and 100, got 0
// Unknown keys are errors too, so a typo never silently falls back to a default.
// An endpoint signed with "standard" (the default) and given no secret gets a generated one.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/endpoints/endpoint_config.h"
#include "engine/events/ingest_parser.h"
#include "engine/hookfan.h"
#include "engine/spool/spool_options.h"
#include "net/address/address_policy.h"
#include "net/base/status.h"
#include "sources/redis/redis_source_options.h"

namespace hookfan::tools {

struct IngestConfig {
  std::string listen = "127.0.0.1:8080";  // host:port of the ingest/stats HTTP server
  // What errors about `listen` call it: "hookfan.toml:7: ingest.listen" when the file set it.
  std::string listen_field = "ingest.listen";
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  engine::IngestLimits limits;
};

// [auth]: bearer tokens for the HTTP API (api/auth.h). Absent: no auth, loopback only.
struct AuthConfig {
  bool present = false;             // the [auth] table was written
  std::string admin_token;          // may do everything; env HOOKFAN_ADMIN_TOKEN when empty
  std::vector<std::string> tokens;  // tenants: their own endpoints and events only
};

// [admin]: endpoint management over HTTP (api/admin_api.h).
struct AdminConfig {
  std::size_t max_endpoints = 10000;  // config-file and API-made endpoints together
  std::string state_dir;  // API-made endpoints persist here (SQLite); empty: [spool] dir
};

// [log]: serve's own log lines on stderr (api/logger.h).
struct LogConfig {
  std::string level = "info";  // debug, info, warn, error
  bool json = true;            // format = "json" (one object per line) or "text"
};

struct ServeConfig {
  // engine.http.address_policy is PublicOnly(allow_cidrs): the guard is on by default.
  engine::EngineConfig engine;
  std::vector<net::Cidr> allow_cidrs;  // [http] allow_cidrs
  IngestConfig ingest;
  AuthConfig auth;
  AdminConfig admin;
  LogConfig log;
  std::vector<engine::EndpointConfig> endpoints;
  DurationMs shutdown_grace_ms = 10000;
  // [spool]: `serve` keeps accepted events on disk by default. `spool.dir` (relative to the
  // working directory) is also where other state that must survive a restart belongs.
  engine::SpoolOptions spool{.mode = engine::SpoolMode::kDisk};
  bool spool_mode_set = false;  // `mode` written in the file (`run` defaults to memory if not)
  // [source.redis]: consume a Redis Streams consumer group (docs/redis_source.md).
  std::optional<sources::RedisSourceOptions> redis;
  // Indexes into `endpoints` of those signed with "standard" that had no secret: each got a
  // new one (GenerateStandardSecret), which the command shows once at start
  // (AnnounceGeneratedSecrets in engine_setup.h), since the receiver needs it to verify.
  std::vector<std::size_t> generated_secrets;
};

// `source_name` is what errors call the text (usually its path).
StatusOr<ServeConfig> ParseServeConfig(std::string_view text, std::string_view source_name);
StatusOr<ServeConfig> LoadServeConfig(const std::string& path);

}  // namespace hookfan::tools
