#pragma once
// An endpoint as its worker sees it: the resolved configuration (signer, retry policy,
// request target), its connection pool, its limits (in-flight cap, pending bound, token
// bucket) and its FIFO of deliveries ready to send. Built on the caller's thread by
// Engine::AddEndpoint (so config errors come back at once), then handed to the owning worker
// and touched only by that worker's thread.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/latency_histogram.h"
#include "engine/base/timing_wheel.h"
#include "engine/endpoints/endpoint_config.h"
#include "engine/events/notification_batch.h"
#include "engine/retry/retry_policy.h"
#include "engine/signing/signer.h"
#include "engine/worker/delivery.h"
#include "engine/worker/event_ticket.h"
#include "engine/worker/token_bucket.h"
#include "net/client/http_client.h"
#include "net/http/url.h"
#include "net/tls/tls_context.h"

namespace hookfan::engine {

class Worker;
class EndpointRuntime;

// The client's TLS settings of an endpoint (its tls_* keys).
net::TlsClientOptions TlsOptionsOf(const EndpointConfig& config);

// A timer of an endpoint (token-bucket wake, notification flush): the wheel's node with a
// way back to its endpoint.
struct EndpointTimer : TimerNode {
  EndpointRuntime* endpoint = nullptr;
};

class EndpointRuntime {
 public:
  // Validates and resolves `config`; errors name the field.
  static StatusOr<std::unique_ptr<EndpointRuntime>> Create(const EndpointConfig& config,
                                                           double retry_scale);
  EndpointRuntime(const EndpointRuntime&) = delete;
  EndpointRuntime& operator=(const EndpointRuntime&) = delete;

  const std::string& id() const { return config_.id; }
  // The configuration, with the secrets wiped: only the signer holds them.
  const EndpointConfig& config() const { return config_; }
  const RetryPolicy& policy() const { return *policy_; }
  const Signer& signer() const { return signer_; }
  const net::Url& url() const { return url_; }
  net::TlsClientOptions tls_options() const { return TlsOptionsOf(config_); }
  // Path plus the URL's query and the configured query parameters, ready for the request.
  const std::string& target() const { return target_; }
  // Static extra headers, preformatted as "Name: value\r\n" lines.
  const std::string& static_headers() const { return static_headers_; }

  // UpdateEndpoint: takes `fresh`'s configuration, signer, policy, URL, target, headers and
  // rate limit; keeps the queue, the counters and the timers.
  void AdoptSettings(EndpointRuntime& fresh);

  // The ready FIFO.
  void PushReady(Delivery* delivery);
  Delivery* PopReady();
  bool has_ready() const { return ready_head_ != nullptr; }
  std::size_t ready_count() const { return ready_count_; }

  // Identity inside the engine: the router's index and a serial that is never reused, so a
  // delivery queued for a removed endpoint cannot reach a new one that got its index.
  std::uint32_t index = 0;
  std::uint64_t serial = 0;

  // Worker-thread state.
  Worker* worker = nullptr;  // the owner, for timer callbacks
  net::OriginPool* pool = nullptr;
  TokenBucket rate_limit;
  EndpointTimer wake_timer;  // armed while the token bucket is empty
  // Notification mode: events gathered for the next POST, and the timer that flushes them.
  NotificationBatch batch;
  EndpointTimer flush_timer;
  std::vector<EventTicket*> batch_tickets;  // the gathered events' done counts, if wanted
  std::int64_t batch_started_us = 0;
  int in_flight = 0;
  bool enabled = true;
  bool removed = false;
  std::string removed_reason = "endpoint_removed";  // the dead letters' reason once removed
  bool in_round_robin = false;
  int consecutive_failures = 0;
  std::uint64_t live_deliveries = 0;  // deliveries pointing here (queued, waiting, in flight)
  std::uint64_t pending_retries = 0;

  // Counters for stats (worker thread writes; snapshots are taken on the worker thread).
  std::uint64_t delivered = 0;
  std::uint64_t failed_attempts = 0;
  std::uint64_t dead_lettered = 0;
  int last_status = 0;
  std::int64_t last_attempt_unix_ms = 0;
  std::string last_error;  // EndpointStats::last_error
  std::int64_t last_error_unix_ms = 0;
  LatencyHistogram latency_us{4};  // per endpoint: coarse (6%) to stay small

 private:
  EndpointRuntime(EndpointConfig config, RetryPolicyPtr policy, Signer signer, net::Url url);
  void WipeSecrets();

  EndpointConfig config_;
  RetryPolicyPtr policy_;
  Signer signer_;
  net::Url url_;
  std::string target_;
  std::string static_headers_;
  Delivery* ready_head_ = nullptr;
  Delivery* ready_tail_ = nullptr;
  std::size_t ready_count_ = 0;
};

}  // namespace hookfan::engine
