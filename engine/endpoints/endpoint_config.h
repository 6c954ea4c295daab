#pragma once
// What an operator says about one endpoint (config file, admin API, embedding API): a plain
// value, validated by ValidateEndpointConfig before the engine accepts it. The engine turns
// it into runtime state (signer, retry policy, connection pool) on the endpoint's worker.
//
//   EndpointConfig orders;
//   orders.id = "orders";
//   orders.url = "http://127.0.0.1:8080/hooks";
//   orders.event_types = {"order.*"};
//   orders.secrets = {GenerateStandardSecret()};
//   HOOKFAN_RETURN_IF_ERROR(engine.AddEndpoint(orders));

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/retry/retry_policy.h"
#include "net/base/status.h"

namespace hookfan::engine {

enum class PayloadMode : unsigned char {
  kEvent,         // POST the event's payload, byte for byte (default)
  kNotification,  // Pryv style: batches of event types in one small POST
};

struct EndpointConfig {
  std::string id;                        // 1-128 of [A-Za-z0-9_.:-], unique
  std::string url;                       // http:// or https://
  std::vector<std::string> event_types;  // exact, `prefix.*`, or `*`; empty means all
  std::vector<std::string> channels;     // empty: any channel

  // Signing: "standard" (Standard Webhooks, secrets are whsec_...), "novu" (one HMAC key),
  // "api-key" (one Authorization value), "none".
  std::string signing = "standard";
  std::vector<std::string> secrets;  // standard: several during rotation

  RetryPolicySpec retry;  // empty: the "standard" preset

  double rate_limit_per_second = 0;  // 0: unlimited
  double rate_limit_burst = 1;
  int max_in_flight = 16;            // concurrent attempts to this endpoint
  std::size_t max_pending = 100000;  // deliveries waiting for this endpoint
  // Disable the endpoint after this many consecutive failed attempts; 0: never. A 410 Gone
  // answer always disables it.
  int disable_after_failures = 0;

  // https only. tls_ca_file: a PEM bundle to trust instead of the system store (which
  // honours SSL_CERT_FILE / SSL_CERT_DIR); tls_cert_file + tls_key_file: a client
  // certificate for mutual TLS; tls_verify = false accepts any certificate (serve logs it
  // loudly at start). Files are loaded when the endpoint is validated.
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  bool tls_verify = true;

  std::vector<std::pair<std::string, std::string>> headers;  // static extra headers
  std::vector<std::pair<std::string, std::string>> query;    // appended to the URL's query
  std::string content_type = "application/json";

  PayloadMode payload_mode = PayloadMode::kEvent;

  // Notification mode (Pryv): the events that reach this endpoint within `max_wait_ms`, up
  // to `max_batch`, become one POST
  //   {"messages":[<event types, first-seen order, de-duplicated>],
  //    "meta":{"apiVersion":"<api_version>","serverTime":<unix seconds, fractional>,
  //            "serial":<serial>}}
  // The batch is one delivery: signed, retried and dead-lettered as a whole.
  struct Notification {
    std::size_t max_batch = 100;    // 1..10000 events per POST
    DurationMs max_wait_ms = 1000;  // 0..1h: how long the first event waits for company
    std::string api_version = "1.0.0";
    std::int64_t serial = 0;
  } notification;

  // When set (Ionic's "received"), a top-level field of this name holding the time hookfan
  // accepted the event (UTC, "2015-03-18T17:21:42.571286") is added to an object payload,
  // or replaces one already there. The same value on every retry, so a receiver can keep
  // the newest data. Event payload mode only. Stamped once per event when it is published
  // (an update applies to events published after it), not on every attempt.
  std::string received_field;

  // Tenancy: who made it (serve's API token digest); it receives only events with the same
  // Event::owner. Empty: the admin's, as every config-file endpoint.
  std::string owner;
};

// Checks every field; the first problem is returned naming it, e.g.
// `endpoints[orders].secrets[0]: must start with "whsec_"` (the caller adds the prefix).
Status ValidateEndpointConfig(const EndpointConfig& config);

}  // namespace hookfan::engine
