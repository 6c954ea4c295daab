#include "tools/common/serve_config.h"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "engine/endpoints/profiles.h"
#include "engine/signing/webhook_secret.h"
#include "net/base/duration.h"
#include "sources/redis/redis_url.h"
#include "tools/common/toml_table_reader.h"

namespace hookfan::tools {
namespace {

using engine::EndpointConfig;

// The deepest node along a field path such as "retry.delays[2]" (the table itself when even
// the first key is absent), so an error points at the line that holds the bad value.
const toml::node* FindNode(const toml::table& table, std::string_view path) {
  const toml::node* found = &table;
  while (!path.empty()) {
    const std::size_t end = path.find_first_of(".[");
    const std::string_view key = path.substr(0, end);
    path = end == std::string_view::npos ? std::string_view() : path.substr(end);
    const toml::table* current = found->as_table();
    const toml::node* next = current ? current->get(key) : nullptr;
    if (next == nullptr) return found;
    found = next;
    while (path.starts_with('[')) {
      const std::size_t close = path.find(']');
      if (close == std::string_view::npos) return found;
      std::size_t index = 0;
      for (char c : path.substr(1, close - 1))
        index = index * 10 + static_cast<std::size_t>(c - '0');
      path.remove_prefix(close + 1);
      const toml::array* array = found->as_array();
      const toml::node* element = array ? array->get(index) : nullptr;
      if (element == nullptr) return found;
      found = element;
    }
    if (path.starts_with('.')) path.remove_prefix(1);
  }
  return found;
}

Status ReadRetry(const toml::table& table, const std::string& prefix, const ConfigErrors& errors,
                 engine::RetryPolicySpec* spec) {
  TableReader reader(table, prefix, errors);
  HOOKFAN_RETURN_IF_ERROR(reader.String("preset", &spec->preset));
  if (reader.Node("attempts")) {
    int attempts = 0;
    HOOKFAN_RETURN_IF_ERROR(reader.Integer("attempts", &attempts, 1, engine::kMaxRetryAttempts));
    spec->attempts = attempts;
  }
  DurationMs duration = 0;
  if (reader.Node("initial_delay")) {
    HOOKFAN_RETURN_IF_ERROR(reader.Duration("initial_delay", &duration));
    spec->initial_delay = duration;
  }
  if (reader.Node("max_delay")) {
    HOOKFAN_RETURN_IF_ERROR(reader.Duration("max_delay", &duration));
    spec->max_delay = duration;
  }
  double number = 0;
  if (reader.Node("multiplier")) {
    HOOKFAN_RETURN_IF_ERROR(reader.Number("multiplier", &number));
    spec->multiplier = number;
  }
  if (reader.Node("jitter")) {
    HOOKFAN_RETURN_IF_ERROR(reader.Number("jitter", &number));
    spec->jitter = number;
  }
  if (const toml::node* node = reader.Node("delays")) {
    const toml::array* array = node->as_array();
    if (array == nullptr) return reader.Error("delays", "must be an array of durations");
    std::vector<DurationMs> delays;
    for (const toml::node& element : *array) {
      // Like every duration: a string such as "5s", or an integer of milliseconds.
      if (element.is_integer() && **element.as_integer() >= 0) {
        delays.push_back(**element.as_integer());
        continue;
      }
      if (!element.is_string()) {
        return errors.At(&element, reader.Field("delays"), "must be an array of durations");
      }
      auto parsed = ParseDuration(**element.as_string(), reader.Field("delays"));
      if (!parsed.ok()) {
        return errors.At(&element, reader.Field("delays"),
                         TableReader::AfterField(parsed.status()));
      }
      delays.push_back(*parsed);
    }
    spec->delays = std::move(delays);
  }
  return reader.NoUnknownKeys();
}

Status ReadEndpoint(const toml::table& table, const std::string& prefix, const ConfigErrors& errors,
                    EndpointConfig* endpoint, bool* generated_secret) {
  TableReader reader(table, prefix, errors);
  // A profile's defaults go in first, so that every key below overrides them.
  std::string profile;
  HOOKFAN_RETURN_IF_ERROR(reader.String("profile", &profile));
  if (reader.Node("profile") != nullptr) {
    Status applied = engine::ApplyProfile(profile, endpoint);
    if (!applied.ok()) return reader.Error("profile", TableReader::AfterField(applied));
  }
  HOOKFAN_RETURN_IF_ERROR(reader.String("id", &endpoint->id));
  if (endpoint->id.empty()) return errors.At(&table, prefix + ".id", "missing");
  HOOKFAN_RETURN_IF_ERROR(reader.String("url", &endpoint->url));
  if (endpoint->url.empty()) return errors.At(&table, prefix + ".url", "missing");
  HOOKFAN_RETURN_IF_ERROR(reader.StringList("event_types", &endpoint->event_types));
  HOOKFAN_RETURN_IF_ERROR(reader.StringList("channels", &endpoint->channels));
  HOOKFAN_RETURN_IF_ERROR(reader.String("signing", &endpoint->signing));
  HOOKFAN_RETURN_IF_ERROR(reader.StringList("secrets", &endpoint->secrets));
  if (const toml::node* node = reader.Node("secret")) {
    if (!node->is_string()) return reader.Error("secret", "must be a string");
    if (table.contains("secrets")) return reader.Error("secrets", "cannot be combined with secret");
    endpoint->secrets = {std::string(**node->as_string())};
  }
  if (const toml::node* node = reader.Node("rate_limit")) {
    const toml::table* limit = node->as_table();
    if (limit == nullptr) return reader.Error("rate_limit", "must be a table {per_second, burst}");
    TableReader limit_reader(*limit, prefix + ".rate_limit", errors);
    HOOKFAN_RETURN_IF_ERROR(limit_reader.Number("per_second", &endpoint->rate_limit_per_second));
    HOOKFAN_RETURN_IF_ERROR(limit_reader.Number("burst", &endpoint->rate_limit_burst));
    HOOKFAN_RETURN_IF_ERROR(limit_reader.NoUnknownKeys());
  }
  HOOKFAN_RETURN_IF_ERROR(reader.Integer("max_in_flight", &endpoint->max_in_flight, 1, 10000));
  HOOKFAN_RETURN_IF_ERROR(reader.Integer("max_pending", &endpoint->max_pending, 1, 100'000'000));
  HOOKFAN_RETURN_IF_ERROR(
      reader.Integer("disable_after_failures", &endpoint->disable_after_failures, 0, 1'000'000));
  HOOKFAN_RETURN_IF_ERROR(reader.StringPairs("headers", &endpoint->headers));
  HOOKFAN_RETURN_IF_ERROR(reader.StringPairs("query", &endpoint->query));
  HOOKFAN_RETURN_IF_ERROR(reader.String("content_type", &endpoint->content_type));
  std::string mode =
      endpoint->payload_mode == engine::PayloadMode::kNotification ? "notification" : "event";
  HOOKFAN_RETURN_IF_ERROR(reader.String("payload_mode", &mode));
  if (mode == "event") {
    endpoint->payload_mode = engine::PayloadMode::kEvent;
  } else if (mode == "notification") {
    endpoint->payload_mode = engine::PayloadMode::kNotification;
  } else {
    return reader.Error("payload_mode",
                        "must be \"event\" or \"notification\", got '" + mode + "'");
  }
  HOOKFAN_RETURN_IF_ERROR(reader.String("received_field", &endpoint->received_field));
  HOOKFAN_RETURN_IF_ERROR(reader.String("tls_ca_file", &endpoint->tls_ca_file));
  HOOKFAN_RETURN_IF_ERROR(reader.String("tls_cert_file", &endpoint->tls_cert_file));
  HOOKFAN_RETURN_IF_ERROR(reader.String("tls_key_file", &endpoint->tls_key_file));
  HOOKFAN_RETURN_IF_ERROR(reader.Bool("tls_verify", &endpoint->tls_verify));
  if (const toml::node* node = reader.Node("notification")) {
    const toml::table* notification = node->as_table();
    if (notification == nullptr) {
      return reader.Error("notification",
                          "must be a table {max_batch, max_wait, api_version, serial}");
    }
    TableReader n(*notification, prefix + ".notification", errors);
    auto& settings = endpoint->notification;
    HOOKFAN_RETURN_IF_ERROR(n.Integer("max_batch", &settings.max_batch, 1, 10000));
    HOOKFAN_RETURN_IF_ERROR(n.Duration("max_wait", &settings.max_wait_ms));
    HOOKFAN_RETURN_IF_ERROR(n.String("api_version", &settings.api_version));
    HOOKFAN_RETURN_IF_ERROR(n.Integer("serial", &settings.serial, 0, INT64_MAX));
    HOOKFAN_RETURN_IF_ERROR(n.NoUnknownKeys());
  }
  if (const toml::node* node = reader.Node("retry")) {
    const toml::table* retry = node->as_table();
    if (retry == nullptr) return reader.Error("retry", "must be a table");
    endpoint->retry = {};  // replaces a profile's preset rather than mixing with it
    HOOKFAN_RETURN_IF_ERROR(ReadRetry(*retry, prefix + ".retry", errors, &endpoint->retry));
  }
  HOOKFAN_RETURN_IF_ERROR(reader.NoUnknownKeys());
  // docs/configuration.md promises that id and url are enough: the default signing scheme
  // then gets a fresh secret rather than refusing the endpoint.
  if (endpoint->signing == "standard" && endpoint->secrets.empty()) {
    endpoint->secrets = {engine::GenerateStandardSecret()};
    *generated_secret = true;
  }
  // Semantic checks (URL, secrets, filters, policy) name a field inside the endpoint.
  Status valid = profile.empty() ? Status::Ok() : engine::ValidateForProfile(profile, *endpoint);
  if (valid.ok()) valid = engine::ValidateEndpointConfig(*endpoint);
  if (!valid.ok()) {
    std::string path = valid.message().substr(0, valid.message().find(": "));
    // The signer calls one secret "secret" and a novu/api-key one "key", whatever the file
    // wrote; name the key as written so the line and the field match the file.
    if (path == "secret" || path == "key") {
      path = !table.contains("secrets")      ? "secret"
             : endpoint->secrets.size() == 1 ? "secrets[0]"
                                             : "secrets";
    }
    return errors.At(FindNode(table, path), prefix + "." + path, TableReader::AfterField(valid));
  }
  return Status::Ok();
}

// [http] allow_cidrs: each entry a CIDR ("10.1.0.0/16") or a bare address; a bad one is
// named by its index and line.
Status ReadAllowCidrs(TableReader& reader, const ConfigErrors& errors,
                      std::vector<net::Cidr>* out) {
  const toml::node* node = reader.Node("allow_cidrs");
  if (node == nullptr) return Status::Ok();
  const toml::array* array = node->as_array();
  if (array == nullptr) return reader.Error("allow_cidrs", "must be an array of CIDR strings");
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    const std::string field = reader.Field("allow_cidrs") + "[" + std::to_string(i) + "]";
    if (!element.is_string()) {
      return errors.At(&element, field, "must be a CIDR string such as \"10.0.0.0/8\"");
    }
    StatusOr<net::Cidr> cidr = net::Cidr::Parse(**element.as_string());
    if (!cidr.ok()) return errors.At(&element, field, cidr.status().message());
    out->push_back(*cidr);
  }
  return Status::Ok();
}

Status ReadEngine(const toml::table& root, const ConfigErrors& errors, ServeConfig* config) {
  if (const toml::node* node = root.get("engine")) {
    if (!node->is_table()) return errors.At(node, "engine", "must be a table");
    TableReader reader(*node->as_table(), "engine", errors);
    engine::EngineConfig& e = config->engine;
    HOOKFAN_RETURN_IF_ERROR(reader.Integer("workers", &e.workers, 0, 256));
    HOOKFAN_RETURN_IF_ERROR(reader.Number("retry_scale", &e.retry_scale));
    if (!(e.retry_scale > 0 && e.retry_scale <= 1)) {
      return reader.Error("retry_scale", "must be in (0, 1]");
    }
    HOOKFAN_RETURN_IF_ERROR(
        reader.Integer("max_pending_deliveries", &e.max_pending_deliveries, 1, 1'000'000'000));
    HOOKFAN_RETURN_IF_ERROR(
        reader.Integer("max_dead_letters", &e.max_dead_letters, 0, 100'000'000));
    HOOKFAN_RETURN_IF_ERROR(reader.Duration("shutdown_grace", &config->shutdown_grace_ms));
    HOOKFAN_RETURN_IF_ERROR(reader.NoUnknownKeys());
  }
  if (const toml::node* node = root.get("http")) {
    if (!node->is_table()) return errors.At(node, "http", "must be a table");
    TableReader reader(*node->as_table(), "http", errors);
    net::ClientOptions& h = config->engine.http;
    HOOKFAN_RETURN_IF_ERROR(
        reader.Integer("max_connections_per_origin", &h.max_connections_per_origin, 1, 100000));
    HOOKFAN_RETURN_IF_ERROR(reader.Duration("connect_timeout", &h.connect_timeout));
    HOOKFAN_RETURN_IF_ERROR(reader.Duration("response_timeout", &h.response_timeout));
    HOOKFAN_RETURN_IF_ERROR(reader.Duration("total_timeout", &h.total_timeout));
    HOOKFAN_RETURN_IF_ERROR(reader.Duration("idle_timeout", &h.idle_timeout));
    HOOKFAN_RETURN_IF_ERROR(reader.String("user_agent", &h.user_agent));
    HOOKFAN_RETURN_IF_ERROR(ReadAllowCidrs(reader, errors, &config->allow_cidrs));
    HOOKFAN_RETURN_IF_ERROR(reader.NoUnknownKeys());
  }
  // The outbound address guard is on whether or not [http] was written: only public
  // addresses, plus the ranges allow-listed (docs/security.md).
  config->engine.http.address_policy = net::AddressPolicy::PublicOnly(config->allow_cidrs);
  if (const toml::node* node = root.get("ingest")) {
    if (!node->is_table()) return errors.At(node, "ingest", "must be a table");
    TableReader reader(*node->as_table(), "ingest", errors);
    IngestConfig& i = config->ingest;
    HOOKFAN_RETURN_IF_ERROR(reader.String("listen", &i.listen));
    if (const toml::node* listen = reader.Node("listen")) {
      i.listen_field = errors.At(listen, "ingest.listen", "").message();
      i.listen_field.resize(i.listen_field.size() - 2);  // "file:line: ingest.listen"
    }
    HOOKFAN_RETURN_IF_ERROR(reader.Integer("max_body_bytes", &i.max_body_bytes, 1, 1 << 30));
    HOOKFAN_RETURN_IF_ERROR(
        reader.Integer("max_payload_bytes", &i.limits.max_payload_bytes, 1, 1 << 30));
    HOOKFAN_RETURN_IF_ERROR(
        reader.Integer("max_batch_events", &i.limits.max_batch_events, 1, 1'000'000));
    HOOKFAN_RETURN_IF_ERROR(reader.NoUnknownKeys());
  }
  return Status::Ok();
}

Status ReadSpool(const toml::table& root, const ConfigErrors& errors, ServeConfig* config) {
  const toml::node* node = root.get("spool");
  if (node == nullptr) return Status::Ok();
  if (!node->is_table()) return errors.At(node, "spool", "must be a table");
  TableReader reader(*node->as_table(), "spool", errors);
  engine::SpoolOptions& s = config->spool;
  HOOKFAN_RETURN_IF_ERROR(reader.String("dir", &s.dir));
  if (s.dir.empty()) return reader.Error("dir", "must not be empty");
  if (s.dir.find('\0') != std::string::npos) return reader.Error("dir", "must not contain NUL");
  std::string mode = engine::SpoolModeName(s.mode);
  config->spool_mode_set = reader.Node("mode") != nullptr;
  HOOKFAN_RETURN_IF_ERROR(reader.String("mode", &mode));
  if (mode == "disk") {
    s.mode = engine::SpoolMode::kDisk;
  } else if (mode == "memory") {
    s.mode = engine::SpoolMode::kMemory;
  } else {
    return reader.Error("mode", "must be \"disk\" or \"memory\", got '" + mode + "'");
  }
  std::string fsync = engine::FsyncPolicyName(s.fsync);
  HOOKFAN_RETURN_IF_ERROR(reader.String("fsync", &fsync));
  if (fsync == "batch") {
    s.fsync = engine::FsyncPolicy::kBatch;
  } else if (fsync == "always") {
    s.fsync = engine::FsyncPolicy::kAlways;
  } else if (fsync == "never") {
    s.fsync = engine::FsyncPolicy::kNever;
  } else {
    return reader.Error("fsync", "must be \"batch\", \"always\" or \"never\", got '" + fsync + "'");
  }
  HOOKFAN_RETURN_IF_ERROR(reader.Duration("commit_interval", &s.commit_interval_ms));
  if (s.commit_interval_ms > 1000) {
    return reader.Error("commit_interval", "must be at most 1s (every 202 waits for it)");
  }
  HOOKFAN_RETURN_IF_ERROR(reader.Size("segment_bytes", &s.segment_bytes, 64 * 1024));
  HOOKFAN_RETURN_IF_ERROR(reader.Size("max_bytes", &s.max_bytes, 1 << 20));
  if (s.max_bytes < 2 * s.segment_bytes) {
    return reader.Error(reader.Node("max_bytes") ? "max_bytes" : "segment_bytes",
                        "max_bytes must be at least twice segment_bytes (" +
                            std::to_string(s.max_bytes) + " < 2 x " +
                            std::to_string(s.segment_bytes) + ")");
  }
  return reader.NoUnknownKeys();
}

// A token is sent in an Authorization header: printable ASCII without blanks, long enough
// that guessing is hopeless.
Status CheckToken(const toml::node* node, const std::string& field, const std::string& token,
                  const ConfigErrors& errors) {
  if (token.size() < 16 || token.size() > 512) {
    return errors.At(node, field, "must be 16 to 512 characters");
  }
  for (char c : token) {
    if (c <= ' ' || c > '~') {
      return errors.At(node, field, "only printable ASCII without blanks is allowed");
    }
  }
  return Status::Ok();
}

Status ReadAuthAndAdmin(const toml::table& root, const ConfigErrors& errors, ServeConfig* config) {
  if (const toml::node* node = root.get("auth")) {
    if (!node->is_table()) return errors.At(node, "auth", "must be a table");
    const toml::table& table = *node->as_table();
    TableReader reader(table, "auth", errors);
    AuthConfig& auth = config->auth;
    auth.present = true;
    HOOKFAN_RETURN_IF_ERROR(reader.String("admin_token", &auth.admin_token));
    if (!auth.admin_token.empty()) {
      HOOKFAN_RETURN_IF_ERROR(
          CheckToken(table.get("admin_token"), "auth.admin_token", auth.admin_token, errors));
    }
    HOOKFAN_RETURN_IF_ERROR(reader.StringList("tokens", &auth.tokens));
    std::set<std::string> seen;
    for (std::size_t i = 0; i < auth.tokens.size(); ++i) {
      const toml::node* element = table.get("tokens")->as_array()->get(i);
      const std::string field = "auth.tokens[" + std::to_string(i) + "]";
      HOOKFAN_RETURN_IF_ERROR(CheckToken(element, field, auth.tokens[i], errors));
      // Said without the token itself: configuration errors end up in logs.
      if (!seen.insert(auth.tokens[i]).second || auth.tokens[i] == auth.admin_token) {
        return errors.At(element, field, "repeats another token");
      }
    }
    HOOKFAN_RETURN_IF_ERROR(reader.NoUnknownKeys());
  }
  if (const toml::node* node = root.get("admin")) {
    if (!node->is_table()) return errors.At(node, "admin", "must be a table");
    TableReader reader(*node->as_table(), "admin", errors);
    AdminConfig& admin = config->admin;
    HOOKFAN_RETURN_IF_ERROR(reader.Integer("max_endpoints", &admin.max_endpoints, 1, 1'000'000));
    HOOKFAN_RETURN_IF_ERROR(reader.String("state_dir", &admin.state_dir));
    if (admin.state_dir.empty()) return reader.Error("state_dir", "must not be empty");
    HOOKFAN_RETURN_IF_ERROR(reader.NoUnknownKeys());
  }
  if (const toml::node* node = root.get("log")) {
    if (!node->is_table()) return errors.At(node, "log", "must be a table");
    TableReader reader(*node->as_table(), "log", errors);
    LogConfig& log = config->log;
    HOOKFAN_RETURN_IF_ERROR(reader.String("level", &log.level));
    if (log.level != "debug" && log.level != "info" && log.level != "warn" &&
        log.level != "error") {
      return reader.Error("level", "must be debug, info, warn or error, got '" + log.level + "'");
    }
    std::string format = log.json ? "json" : "text";
    HOOKFAN_RETURN_IF_ERROR(reader.String("format", &format));
    if (format != "json" && format != "text") {
      return reader.Error("format", "must be \"json\" or \"text\", got '" + format + "'");
    }
    log.json = format == "json";
    HOOKFAN_RETURN_IF_ERROR(reader.NoUnknownKeys());
  }
  return Status::Ok();
}

// [source.redis] (docs/redis_source.md); the URL's syntax is checked here, so a typo is a
// config error rather than a connection that never comes up.
Status ReadSource(const toml::table& root, const ConfigErrors& errors, ServeConfig* config) {
  const toml::node* node = root.get("source");
  if (node == nullptr) return Status::Ok();
  if (!node->is_table()) return errors.At(node, "source", "must be a table");
  TableReader sources(*node->as_table(), "source", errors);
  if (const toml::node* redis = sources.Node("redis")) {
    if (!redis->is_table()) return sources.Error("redis", "must be a table");
    TableReader reader(*redis->as_table(), "source.redis", errors);
    sources::RedisSourceOptions& r = config->redis.emplace();
    HOOKFAN_RETURN_IF_ERROR(reader.String("url", &r.url));
    if (auto address = sources::ParseRedisUrl(r.url, "source.redis.url"); !address.ok()) {
      return reader.Error("url", TableReader::AfterField(address.status()));
    }
    HOOKFAN_RETURN_IF_ERROR(reader.String("stream", &r.stream));
    if (r.stream.empty()) return reader.Error("stream", "must not be empty");
    HOOKFAN_RETURN_IF_ERROR(reader.String("group", &r.group));
    if (r.group.empty()) return reader.Error("group", "must not be empty");
    HOOKFAN_RETURN_IF_ERROR(reader.String("consumer", &r.consumer));
    HOOKFAN_RETURN_IF_ERROR(reader.Integer("batch", &r.batch, 1, 100'000));
    HOOKFAN_RETURN_IF_ERROR(reader.Duration("block", &r.block_ms));
    if (r.block_ms < 1 || r.block_ms > 60'000) {
      return reader.Error("block", "must be between 1ms and 60s");
    }
    HOOKFAN_RETURN_IF_ERROR(
        reader.Integer("max_entries_in_memory", &r.max_entries_in_memory, 1, 100'000'000));
    HOOKFAN_RETURN_IF_ERROR(
        reader.Integer("dead_max_entries", &r.dead_max_entries, 1, 1'000'000'000));
    HOOKFAN_RETURN_IF_ERROR(reader.Duration("claim_idle", &r.claim_idle_ms));
    if (reader.Node("claim_idle") != nullptr && r.claim_idle_ms < 100) {
      return reader.Error("claim_idle", "must be at least 100ms");
    }
    HOOKFAN_RETURN_IF_ERROR(reader.Integer("max_claims", &r.max_claims, 0, 1000));
    HOOKFAN_RETURN_IF_ERROR(reader.NoUnknownKeys());
  }
  return sources.NoUnknownKeys();
}

}  // namespace

StatusOr<ServeConfig> ParseServeConfig(std::string_view text, std::string_view source_name) {
  const ConfigErrors errors(source_name);
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& error) {
    return Status::InvalidArgument(std::string(source_name) + ":" +
                                   std::to_string(error.source().begin.line) + ": " +
                                   std::string(error.description()));
  }
  ServeConfig config;
  for (const auto& [key, value] : root) {
    const std::string_view name = key.str();
    if (name != "engine" && name != "http" && name != "ingest" && name != "endpoints" &&
        name != "spool" && name != "auth" && name != "admin" && name != "log" && name != "source") {
      return errors.At(&value, std::string(name),
                       "unknown section (known: engine, http, ingest, spool, endpoints, auth, "
                       "admin, log, source)");
    }
  }
  HOOKFAN_RETURN_IF_ERROR(ReadEngine(root, errors, &config));
  HOOKFAN_RETURN_IF_ERROR(ReadSpool(root, errors, &config));
  HOOKFAN_RETURN_IF_ERROR(ReadAuthAndAdmin(root, errors, &config));
  HOOKFAN_RETURN_IF_ERROR(ReadSource(root, errors, &config));
  if (const toml::node* node = root.get("endpoints")) {
    const toml::array* array = node->as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      return errors.At(node, "endpoints", "must be an array of tables ([[endpoints]])");
    }
    std::set<std::string> ids;
    std::size_t index = 0;
    for (const toml::node& element : *array) {
      EndpointConfig endpoint;
      const std::string prefix = "endpoints[" + std::to_string(index++) + "]";
      bool generated_secret = false;
      HOOKFAN_RETURN_IF_ERROR(
          ReadEndpoint(*element.as_table(), prefix, errors, &endpoint, &generated_secret));
      if (generated_secret) config.generated_secrets.push_back(config.endpoints.size());
      if (!ids.insert(endpoint.id).second) {
        return errors.At(element.as_table()->get("id"), prefix + ".id",
                         "duplicate endpoint id '" + endpoint.id + "'");
      }
      config.endpoints.push_back(std::move(endpoint));
    }
  }
  return config;
}

StatusOr<ServeConfig> LoadServeConfig(const std::string& path) {
  // A directory opens and reads as empty text, which would be a default config.
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return Status::InvalidArgument(path + ": is a directory, not a config file");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::Io(path + ": cannot open the config file");
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return Status::Io(path + ": cannot read the config file");
  return ParseServeConfig(text.str(), path);
}

}  // namespace hookfan::tools
