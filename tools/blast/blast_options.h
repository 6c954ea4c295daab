#pragma once
// BlastOptions: what one `hookfan blast` run does, checked and prepared (URL parsed, bodies
// loaded, signer built) before any traffic. BlastFlags is the command-line text as typed;
// ParseBlastFlags turns it into options or one error line naming the flag:
//
//   BlastFlags flags;  flags.url = "http://127.0.0.1:8080/hook";  flags.rate = "500";
//   flags.duration = "2s";
//   StatusOr<BlastOptions> options = ParseBlastFlags(flags);
//   if (!options.ok()) Fail(options.status().message());   // "--rate: must be positive ..."
//
// The options are immutable once built and shared read-only by every worker thread (the
// Signer is safe to use from several threads at once, engine/signing/signer.h).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/retry/retry_policy.h"
#include "engine/signing/signer.h"
#include "net/base/clock.h"
#include "net/base/status.h"
#include "net/http/url.h"
#include "tools/blast/rate_schedule.h"

namespace hookfan::tools {

// Command-line text, parsed by ParseBlastFlags. Empty means "not given".
struct BlastFlags {
  std::string url;
  std::string rate;    // "500", or "1000:20000" for a linear ramp over --duration
  std::string stages;  // "10s@1000,30s@5000,10s@0": ramps to each rate in turn
  std::string duration;
  std::string count;
  std::string connections = "16";
  std::string workers = "1";
  std::string payload;  // file whose bytes are POSTed
  std::string events;   // NDJSON file of events, sent in turn
  std::string size;     // generated JSON body of this many bytes (default 256)
  std::string signing;  // default: standard with --secret, none without
  std::string secret;
  std::vector<std::string> headers;  // "Name: value"
  std::string timeout = "5s";
  std::string max_error_rate;
  std::string max_p99;
  bool retries = false;
  std::string retry_preset = "standard";
  std::string retry_scale = "0.001";
  bool max = false;
  bool find_max = false;
  std::string p99_bound;
  bool json = false;
  std::string report;   // --report FILE.html
  std::string hdr_log;  // --hdr-log FILE
};

// One request body, and the webhook-id it is signed with (empty: one is made per request).
struct BlastBody {
  std::string id;
  std::string payload;
};

enum class BlastModel : std::uint8_t {
  kOpen,    // a planned send time per request, whatever the receiver does (default)
  kClosed,  // --max: every connection always has one request in flight
};

struct BlastOptions {
  net::Url url;
  std::string url_text;
  BlastModel model = BlastModel::kOpen;
  double rate = 0;  // requests per second over all workers (open model)
  // --rate A:B or --stages: the open model's rate over time (empty: constant `rate`). The
  // segments' lengths add up to duration_ms.
  std::vector<RateSegment> stages;
  DurationMs duration_ms = 0;  // 0: run for `count` requests instead
  std::uint64_t count = 0;     // 0: run for `duration_ms`
  std::size_t connections = 16;
  std::size_t workers = 1;
  std::vector<BlastBody> bodies;  // never empty; request i sends bodies[i % size]
  std::optional<engine::Signer> signer;
  std::string extra_headers;  // "Name: value\r\n" lines from --header
  DurationMs timeout_ms = 5000;
  std::optional<double> max_error_rate;
  std::optional<DurationMs> max_p99_ms;
  std::optional<engine::RetryPolicy> retry_policy;  // --retries
  bool find_max = false;
  DurationMs p99_bound_ms = 0;  // --find-max
  bool json = false;
  std::string report_path;   // --report: the HTML page (tools/blast/html_report.h)
  std::string hdr_log_path;  // --hdr-log: HdrHistogram interval log (tools/blast/hdr_log.h)

  // Connections of worker `index`: the total split as evenly as possible.
  std::size_t ConnectionsOf(std::size_t index) const {
    return connections / workers + (index < connections % workers ? 1 : 0);
  }
};

StatusOr<BlastOptions> ParseBlastFlags(const BlastFlags& flags);

// The bodies of --events: one event per non-blank line, through engine::IngestParser.
// Errors name the line: `--events: line 3: type: missing`.
StatusOr<std::vector<BlastBody>> ParseEventLines(std::string_view text);

}  // namespace hookfan::tools
