// The serve/run TOML configuration: every documented field, its defaults, and errors that
// are one line naming the file, the line and the field.
#include "tools/common/serve_config.h"

#include <gtest/gtest.h>

#include <string>

#include "engine/signing/webhook_secret.h"

namespace hookfan::tools {
namespace {

constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

std::string ErrorOf(std::string_view text) {
  StatusOr<ServeConfig> config = ParseServeConfig(text, "hookfan.toml");
  if (config.ok()) return "(parsed without error)";
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message().find('\n'), std::string::npos) << "one line";
  return config.status().message();
}

TEST(ServeConfigTest, EmptyFileGivesTheDocumentedDefaults) {
  StatusOr<ServeConfig> config = ParseServeConfig("", "empty.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->engine.workers, 0);
  EXPECT_EQ(config->engine.retry_scale, 1.0);
  EXPECT_EQ(config->engine.max_pending_deliveries, 20'000'000u);
  EXPECT_EQ(config->engine.max_dead_letters, 100'000u);
  EXPECT_EQ(config->shutdown_grace_ms, 10'000);
  EXPECT_EQ(config->engine.http.max_connections_per_origin, 64);
  EXPECT_EQ(config->engine.http.connect_timeout, 5'000);
  EXPECT_EQ(config->engine.http.response_timeout, 15'000);
  EXPECT_EQ(config->engine.http.total_timeout, 30'000);
  EXPECT_EQ(config->engine.http.idle_timeout, 60'000);
  EXPECT_EQ(config->engine.http.user_agent, "hookfan/0.1");
  EXPECT_EQ(config->ingest.listen, "127.0.0.1:8080");
  EXPECT_EQ(config->ingest.max_body_bytes, 4u * 1024 * 1024);
  EXPECT_EQ(config->ingest.limits.max_payload_bytes, 262'144u);
  EXPECT_EQ(config->ingest.limits.max_batch_events, 1000u);
  EXPECT_TRUE(config->endpoints.empty());
}

TEST(ServeConfigTest, ReadsEveryEngineHttpAndIngestField) {
  StatusOr<ServeConfig> config = ParseServeConfig(R"(
[engine]
workers = 3
retry_scale = 0.001
max_pending_deliveries = 5000
max_dead_letters = 7
shutdown_grace = "2s"

[http]
max_connections_per_origin = 8
connect_timeout = "250ms"
response_timeout = 1500
total_timeout = "1m"
idle_timeout = "1h"
user_agent = "acme/2"

[ingest]
listen = "127.0.0.1:0"
max_body_bytes = 1000
max_payload_bytes = 100
max_batch_events = 4
)",
                                                  "full.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->engine.workers, 3);
  EXPECT_EQ(config->engine.retry_scale, 0.001);
  EXPECT_EQ(config->engine.max_pending_deliveries, 5000u);
  EXPECT_EQ(config->engine.max_dead_letters, 7u);
  EXPECT_EQ(config->shutdown_grace_ms, 2000);
  EXPECT_EQ(config->engine.http.max_connections_per_origin, 8);
  EXPECT_EQ(config->engine.http.connect_timeout, 250);
  EXPECT_EQ(config->engine.http.response_timeout, 1500);
  EXPECT_EQ(config->engine.http.total_timeout, 60'000);
  EXPECT_EQ(config->engine.http.idle_timeout, 3'600'000);
  EXPECT_EQ(config->engine.http.user_agent, "acme/2");
  EXPECT_EQ(config->ingest.listen, "127.0.0.1:0");
  EXPECT_EQ(config->ingest.max_body_bytes, 1000u);
  EXPECT_EQ(config->ingest.limits.max_payload_bytes, 100u);
  EXPECT_EQ(config->ingest.limits.max_batch_events, 4u);
}

TEST(ServeConfigTest, ReadsEveryEndpointField) {
  StatusOr<ServeConfig> config = ParseServeConfig(R"(
[[endpoints]]
id = "orders"
url = "http://127.0.0.1:9000/hooks"
event_types = ["order.*", "refund.created"]
channels = ["eu"]
signing = "standard"
secrets = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]
retry = { preset = "cleverpush" }
rate_limit = { per_second = 100, burst = 10 }
max_in_flight = 4
max_pending = 50
disable_after_failures = 9
headers = { "X-Team" = "payments" }
query = { token = "abc" }
content_type = "application/json; charset=utf-8"
payload_mode = "event"

[[endpoints]]
id = "custom"
url = "http://127.0.0.1:9001/"
signing = "api-key"
secret = "Bearer k"
[endpoints.retry]
attempts = 4
initial_delay = "1s"
multiplier = 3
max_delay = "1m"
jitter = 0.1

[[endpoints]]
id = "listed"
url = "http://127.0.0.1:9002/"
signing = "none"
retry = { delays = ["1m", "10m", 3600000] }
)",
                                                  "endpoints.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->endpoints.size(), 3u);
  const engine::EndpointConfig& orders = config->endpoints[0];
  EXPECT_EQ(orders.id, "orders");
  EXPECT_EQ(orders.url, "http://127.0.0.1:9000/hooks");
  EXPECT_EQ(orders.event_types, (std::vector<std::string>{"order.*", "refund.created"}));
  EXPECT_EQ(orders.channels, (std::vector<std::string>{"eu"}));
  EXPECT_EQ(orders.signing, "standard");
  EXPECT_EQ(orders.secrets.size(), 2u);
  EXPECT_EQ(orders.secrets[0], kSecret);
  EXPECT_EQ(orders.retry.preset, "cleverpush");
  EXPECT_EQ(orders.rate_limit_per_second, 100);
  EXPECT_EQ(orders.rate_limit_burst, 10);
  EXPECT_EQ(orders.max_in_flight, 4);
  EXPECT_EQ(orders.max_pending, 50u);
  EXPECT_EQ(orders.disable_after_failures, 9);
  EXPECT_EQ(orders.headers,
            (std::vector<std::pair<std::string, std::string>>{{"X-Team", "payments"}}));
  EXPECT_EQ(orders.query, (std::vector<std::pair<std::string, std::string>>{{"token", "abc"}}));
  EXPECT_EQ(orders.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(orders.payload_mode, engine::PayloadMode::kEvent);

  const engine::EndpointConfig& custom = config->endpoints[1];
  EXPECT_EQ(custom.signing, "api-key");
  EXPECT_EQ(custom.secrets, (std::vector<std::string>{"Bearer k"}));
  EXPECT_TRUE(custom.retry.preset.empty());
  EXPECT_EQ(custom.retry.attempts, 4);
  EXPECT_EQ(custom.retry.initial_delay, 1000);
  EXPECT_EQ(custom.retry.multiplier, 3.0);
  EXPECT_EQ(custom.retry.max_delay, 60'000);
  EXPECT_EQ(custom.retry.jitter, 0.1);

  const engine::EndpointConfig& listed = config->endpoints[2];
  EXPECT_EQ(listed.signing, "none");
  ASSERT_TRUE(listed.retry.delays.has_value());
  EXPECT_EQ(*listed.retry.delays, (std::vector<DurationMs>{60'000, 600'000, 3'600'000}));
}

TEST(ServeConfigTest, ReadsNotificationAndReceivedFieldSettings) {
  StatusOr<ServeConfig> config = ParseServeConfig(R"(
[[endpoints]]
id = "pryv"
url = "http://127.0.0.1:9/u1?secret=x"
signing = "none"
payload_mode = "notification"
notification = { max_batch = 25, max_wait = "250ms", api_version = "1.4.8", serial = 20190810 }

[[endpoints]]
id = "ionic"
url = "http://127.0.0.1:9/ionic"
signing = "none"
received_field = "received"
)",
                                                  "hookfan.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const auto& pryv = config->endpoints[0];
  EXPECT_EQ(pryv.payload_mode, engine::PayloadMode::kNotification);
  EXPECT_EQ(pryv.notification.max_batch, 25u);
  EXPECT_EQ(pryv.notification.max_wait_ms, 250);
  EXPECT_EQ(pryv.notification.api_version, "1.4.8");
  EXPECT_EQ(pryv.notification.serial, 20190810);
  EXPECT_EQ(config->endpoints[1].received_field, "received");

  StatusOr<ServeConfig> bad = ParseServeConfig(R"(
[[endpoints]]
id = "pryv"
url = "http://127.0.0.1:9/"
signing = "none"
payload_mode = "notification"
notification = { max_batch = 0 }
)",
                                               "bad.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "bad.toml:7: endpoints[0].notification.max_batch: must be between 1 and 10000, got 0");
}

TEST(ServeConfigTest, HttpsEndpointsTakeTheirTlsSettings) {
  StatusOr<ServeConfig> config = ParseServeConfig(R"(
[[endpoints]]
id = "a"
url = "https://127.0.0.1:9/"
signing = "none"
tls_verify = false
)",
                                                  "tls.toml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  ASSERT_EQ(config->endpoints.size(), 1u);
  EXPECT_FALSE(config->endpoints[0].tls_verify);
  EXPECT_TRUE(config->endpoints[0].tls_ca_file.empty());
}

TEST(ServeConfigTest, AMissingCaFileNamesItsLineAndField) {
  StatusOr<ServeConfig> config = ParseServeConfig(R"(
[[endpoints]]
id = "a"
url = "https://127.0.0.1:9/"
signing = "none"
tls_ca_file = "/nonexistent/ca.pem"
)",
                                                  "tls.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message().rfind("tls.toml:6: endpoints[0].tls_ca_file: ", 0), 0u)
      << config.status().message();
  EXPECT_NE(config.status().message().find("/nonexistent/ca.pem"), std::string::npos);
}

TEST(ServeConfigTest, TlsSettingsOnAPlainHttpUrlAreAnError) {
  StatusOr<ServeConfig> config = ParseServeConfig(R"(
[[endpoints]]
id = "a"
url = "http://127.0.0.1:9/"
signing = "none"
tls_verify = "no"
)",
                                                  "tls.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "tls.toml:6: endpoints[0].tls_verify: must be true or false");
}

TEST(ServeConfigTest, EndpointFieldsDefaultAsDocumented) {
  StatusOr<ServeConfig> config =
      ParseServeConfig("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\nsecret = \"" +
                           std::string(kSecret) + "\"\n",
                       "defaults.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const engine::EndpointConfig& a = config->endpoints.at(0);
  EXPECT_TRUE(a.event_types.empty());
  EXPECT_TRUE(a.channels.empty());
  EXPECT_EQ(a.signing, "standard");
  EXPECT_EQ(a.secrets, (std::vector<std::string>{kSecret}));
  EXPECT_TRUE(a.retry.preset.empty());  // the engine reads empty as "standard"
  EXPECT_FALSE(a.retry.attempts.has_value());
  EXPECT_EQ(a.rate_limit_per_second, 0);
  EXPECT_EQ(a.max_in_flight, 16);
  EXPECT_EQ(a.max_pending, 100'000u);
  EXPECT_EQ(a.disable_after_failures, 0);
  EXPECT_TRUE(a.headers.empty());
  EXPECT_TRUE(a.query.empty());
  EXPECT_EQ(a.content_type, "application/json");
  EXPECT_EQ(a.payload_mode, engine::PayloadMode::kEvent);
}

TEST(ServeConfigTest, TheDocumentedExampleParses) {
  StatusOr<ServeConfig> config = ParseServeConfig(R"(
[engine]
workers = 2

[http]
allow_cidrs = ["127.0.0.0/8"]  # the receiver below is on loopback

[ingest]
listen = "127.0.0.1:8080"

[[endpoints]]
id = "orders"
url = "http://127.0.0.1:9000/hooks"
event_types = ["order.*"]
secrets = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]
retry = { preset = "cleverpush" }
rate_limit = { per_second = 100, burst = 10 }
)",
                                                  "hookfan.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->engine.workers, 2);
  EXPECT_EQ(config->endpoints.at(0).id, "orders");
  EXPECT_EQ(config->allow_cidrs.size(), 1u);
}

TEST(ServeConfigTest, UnknownKeyNamesItsLineAndField) {
  EXPECT_EQ(ErrorOf("[engine]\nworkers = 1\nworkrs = 2\n"),
            "hookfan.toml:3: engine.workrs: unknown field");
  EXPECT_EQ(ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\n"
                    "secret = \"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"\n\nsigining = \"none\"\n"),
            "hookfan.toml:6: endpoints[0].sigining: unknown field");
  EXPECT_EQ(ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\n"
                    "retry = { preset = \"ionic\", tries = 3 }\n"),
            "hookfan.toml:4: endpoints[0].retry.tries: unknown field");
  EXPECT_EQ(ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\nsigning = \"none\"\n"
                    "rate_limit = { per_second = 1, brust = 2 }\n"),
            "hookfan.toml:5: endpoints[0].rate_limit.brust: unknown field");
}

TEST(ServeConfigTest, UnknownSectionNamesItsLine) {
  EXPECT_EQ(ErrorOf("[engine]\nworkers = 1\n\n[ingets]\nlisten = \"x\"\n"),
            "hookfan.toml:4: ingets: unknown section (known: engine, http, ingest, spool, "
            "endpoints, auth, admin, log, source)");
}

TEST(ServeConfigTest, WrongTypeNamesItsLineAndField) {
  EXPECT_EQ(ErrorOf("[engine]\n\nworkers = \"two\"\n"),
            "hookfan.toml:3: engine.workers: must be an integer");
  EXPECT_EQ(ErrorOf("[ingest]\nlisten = 8080\n"),
            "hookfan.toml:2: ingest.listen: must be a string");
  EXPECT_EQ(ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\n"
                    "event_types = \"order.*\"\n"),
            "hookfan.toml:4: endpoints[0].event_types: must be an array of strings");
  EXPECT_EQ(ErrorOf("[engine]\nmax_pending_deliveries = 0\n"),
            "hookfan.toml:2: engine.max_pending_deliveries: must be between 1 and 1000000000, "
            "got 0");
  EXPECT_EQ(ErrorOf("engine = 3\n"), "hookfan.toml:1: engine: must be a table");
  EXPECT_EQ(ErrorOf("[endpoints]\nid = \"a\"\n"),
            "hookfan.toml:1: endpoints: must be an array of tables ([[endpoints]])");
}

TEST(ServeConfigTest, BadDurationNamesItsLineAndField) {
  EXPECT_EQ(ErrorOf("[http]\nconnect_timeout = \"5 parsecs\"\n"),
            "hookfan.toml:2: http.connect_timeout: '5 parsecs' is not a duration (use e.g. 250ms, "
            "5s, 2m, 1h)");
  EXPECT_EQ(ErrorOf("[engine]\nshutdown_grace = -5\n"),
            "hookfan.toml:2: engine.shutdown_grace: must not be negative");
  EXPECT_EQ(ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\n"
                    "retry = { delays = [\"1m\",\n  \"soon\"] }\n"),
            "hookfan.toml:5: endpoints[0].retry.delays: 'soon' is not a duration (use e.g. 250ms, "
            "5s, 2m, 1h)");
  EXPECT_EQ(ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\n"
                    "retry = { delays = [\"1m\",\n  -5] }\n"),
            "hookfan.toml:5: endpoints[0].retry.delays: must be an array of durations");
}

TEST(ServeConfigTest, BadRetryPresetNamesTheRetryField) {
  EXPECT_EQ(ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\nsigning = \"none\"\n"
                    "retry = { preset = \"forever\" }\n"),
            "hookfan.toml:5: endpoints[0].retry.preset: unknown preset 'forever' (known: "
            "standard, cleverpush, ionic)");
  // Written as a sub-table, the preset's own line is named.
  EXPECT_EQ(ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\nsigning = \"none\"\n"
                    "[endpoints.retry]\nattempts = 3\npreset = \"ionic\"\n"),
            "hookfan.toml:7: endpoints[0].retry.preset: cannot be combined with retry.attempts (a "
            "preset fixes every field)");
  EXPECT_EQ(ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\nsigning = \"none\"\n"
                    "[endpoints.retry]\nattempts = 0\n"),
            "hookfan.toml:6: endpoints[0].retry.attempts: must be between 1 and 100, got 0");
}

TEST(ServeConfigTest, BadSecretNamesTheLineWhereItIsWritten) {
  EXPECT_EQ(ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\n\n"
                    "secret = \"shh\"\n"),
            "hookfan.toml:5: endpoints[0].secret: must start with \"whsec_\"");
  // One secret written as a list is named as written: secrets[0].
  EXPECT_EQ(ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\n"
                    "secrets = [\"shh\"]\n"),
            "hookfan.toml:4: endpoints[0].secrets[0]: must start with \"whsec_\"");
  EXPECT_EQ(
      ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\n"
              "secrets = [\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\",\n"
              "           \"whsec_???\"]\n"),
      "hookfan.toml:5: endpoints[0].secrets[1]: not base64 after \"whsec_\": unexpected '?' at "
      "offset 0");
  EXPECT_EQ(ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\n"
                    "signing = \"novu\"\nsecrets = [\"k1\", \"k2\"]\n"),
            "hookfan.toml:5: endpoints[0].secrets: scheme 'novu' takes exactly one key (got 2)");
  EXPECT_EQ(ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\nsigning = \"none\"\n"
                    "secret = \"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"\n"
                    "secrets = [\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"]\n"),
            "hookfan.toml:6: endpoints[0].secrets: cannot be combined with secret");
}

TEST(ServeConfigTest, OtherEngineValidationErrorsNameTheirField) {
  EXPECT_EQ(ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\nsigning = \"none\"\n"
                    "event_types = [\"order.*\", \"\"]\n"),
            "hookfan.toml:5: endpoints[0].event_types[1]: must not be empty (use \"*\" for all "
            "types)");
  EXPECT_EQ(ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\nsigning = \"none\"\n"
                    "rate_limit = { per_second = -1 }\n"),
            "hookfan.toml:5: endpoints[0].rate_limit.per_second: must be between 0 and 1e9");
  const std::string url_error =
      ErrorOf("[[endpoints]]\nid = \"a\"\nsigning = \"none\"\nurl = \"ftp://x/\"\n");
  EXPECT_EQ(url_error.rfind("hookfan.toml:4: endpoints[0].url: ", 0), 0u) << url_error;
  EXPECT_EQ(ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\n"
                    "signing = \"pgp\"\n"),
            "hookfan.toml:4: endpoints[0].signing: unknown scheme 'pgp' (known: standard, novu, "
            "api-key, none)");
}

TEST(ServeConfigTest, DuplicateIdNamesTheSecondOne) {
  EXPECT_EQ(
      ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\nsigning = \"none\"\n"
              "[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:2/\"\nsigning = \"none\"\n"),
      "hookfan.toml:6: endpoints[1].id: duplicate endpoint id 'a'");
}

TEST(ServeConfigTest, MissingIdOrUrlNamesTheEndpointTable) {
  EXPECT_EQ(ErrorOf("[engine]\nworkers = 1\n\n[[endpoints]]\nid = \"a\"\nsigning = \"none\"\n"),
            "hookfan.toml:4: endpoints[0].url: missing");
  EXPECT_EQ(ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\nsigning = \"none\"\n"
                    "\n[[endpoints]]\nurl = \"http://127.0.0.1:2/\"\n"),
            "hookfan.toml:6: endpoints[1].id: missing");
}

TEST(ServeConfigTest, TomlSyntaxErrorNamesItsLine) {
  const std::string error = ErrorOf("[engine]\nworkers = = 2\n");
  EXPECT_EQ(error.rfind("hookfan.toml:2: ", 0), 0u) << error;
}

TEST(ServeConfigTest, AStandardEndpointWithoutSecretGetsAGeneratedOne) {
  // docs/configuration.md: id and url are enough. Each such endpoint gets its own secret.
  StatusOr<ServeConfig> config = ParseServeConfig(
      "[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\n"
      "[[endpoints]]\nid = \"b\"\nurl = \"http://127.0.0.1:1/\"\nsecret = \"" +
          std::string(kSecret) +
          "\"\n"
          "[[endpoints]]\nid = \"c\"\nurl = \"http://127.0.0.1:1/\"\nsigning = \"none\"\n"
          "[[endpoints]]\nid = \"d\"\nurl = \"http://127.0.0.1:1/\"\n",
      "hookfan.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->generated_secrets, (std::vector<std::size_t>{0, 3}));
  const std::vector<std::string>& a = config->endpoints[0].secrets;
  const std::vector<std::string>& d = config->endpoints[3].secrets;
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_TRUE(engine::DecodeStandardSecret(a[0]).ok()) << a[0];
  EXPECT_NE(a[0], d[0]);
  EXPECT_EQ(config->endpoints[1].secrets, (std::vector<std::string>{kSecret}));
  EXPECT_TRUE(config->endpoints[2].secrets.empty());
  // Novu and api-key keys are the receiver's own: they are never invented.
  EXPECT_EQ(ErrorOf("[[endpoints]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/\"\n"
                    "signing = \"novu\"\n"),
            "hookfan.toml:1: endpoints[0].secret: scheme 'novu' takes exactly one key (got 0)");
}

TEST(ServeConfigTest, ListenErrorsNameTheLineThatSetIt) {
  StatusOr<ServeConfig> config =
      ParseServeConfig("[engine]\nworkers = 1\n[ingest]\nlisten = \"localhost:9\"\n", "h.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->ingest.listen, "localhost:9");
  EXPECT_EQ(config->ingest.listen_field, "h.toml:4: ingest.listen");
  EXPECT_EQ(ParseServeConfig("", "h.toml")->ingest.listen_field, "ingest.listen");
}

TEST(ServeConfigTest, LoadRefusesADirectory) {
  const std::string dir = ::testing::TempDir();
  StatusOr<ServeConfig> config = LoadServeConfig(dir);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(), dir + ": is a directory, not a config file");
}

TEST(ServeConfigTest, LoadNamesAMissingFile) {
  StatusOr<ServeConfig> config = LoadServeConfig("/nonexistent/hookfan.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(), "/nonexistent/hookfan.toml: cannot open the config file");
}

}  // namespace
}  // namespace hookfan::tools
