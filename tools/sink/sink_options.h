#pragma once
// SinkOptions: how `hookfan sink` behaves, and the parsers that turn its command-line text
// into them. Every parser names the flag at fault in its error, e.g.
// `--fail-rate: "1.5" is not a rate between 0 and 1`.
//
//   StatusOr<DurationMs> latency = ParseDuration("--latency", "5ms");   // 5
//   StatusOr<ListenAddress> listen = ParseListenAddress("--listen", "127.0.0.1:0");

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/base/clock.h"
#include "net/base/status.h"

namespace hookfan::tools {

struct SinkOptions {
  std::string host = "127.0.0.1";  // numeric address to listen on
  int port = 0;                    // 0: any free port (printed at start)
  int status = 200;                // the answer when no fault is injected
  double fail_rate = 0;            // share of requests answered with fail_status
  int fail_status = 500;
  DurationMs latency_ms = 0;          // added before every answer (and every reset)
  double reset_rate = 0;              // share of requests whose connection is reset (RST)
  std::optional<int> retry_after_s;   // Retry-After sent with injected failures
  std::string secret;                 // "whsec_...": verify signatures, 401 when bad
  DurationMs stats_interval_ms = 0;   // 0: no periodic stats lines
  bool json = false;                  // stats and summary as JSON lines
  std::size_t track_ids = 1'000'000;  // webhook-ids remembered for duplicate counting
  std::optional<std::uint64_t> seed;  // fault-injection random seed; random when unset
  std::size_t max_body_bytes = 16 << 20;
};

// Checks ranges (rates in [0, 1], statuses 100..599, ...); the message names the field.
Status ValidateSinkOptions(const SinkOptions& options);

struct ListenAddress {
  std::string host;
  int port = 0;
};

// "127.0.0.1:8080", "[::1]:0": a numeric address and a port in 0..65535.
StatusOr<ListenAddress> ParseListenAddress(std::string_view flag, std::string_view text);
// "5ms", "2s", "1m", "1h"; a bare "0" is zero. Milliseconds are the resolution.
StatusOr<DurationMs> ParseDuration(std::string_view flag, std::string_view text);
// A decimal in [0, 1].
StatusOr<double> ParseRate(std::string_view flag, std::string_view text);
// An HTTP status in 100..599.
StatusOr<int> ParseHttpStatus(std::string_view flag, std::string_view text);
// A non-negative integer no larger than `max`.
StatusOr<std::uint64_t> ParseCount(std::string_view flag, std::string_view text, std::uint64_t max);

}  // namespace hookfan::tools
