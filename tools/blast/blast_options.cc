#include "tools/blast/blast_options.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <utility>

#include "engine/events/ingest_parser.h"
#include "net/base/duration.h"
#include "tools/blast/html_report.h"
#include "tools/sink/sink_options.h"

namespace hookfan::tools {

namespace {

Status Invalid(std::string_view flag, std::string message) {
  return Status::InvalidArgument(std::string(flag) + ": " + std::move(message));
}

// "\"text\"", built by appending: GCC 12 warns (-Wrestrict, falsely) on "\"" + string.
std::string Quoted(std::string_view text) {
  std::string quoted;
  quoted.reserve(text.size() + 2);
  quoted.push_back('"');
  quoted.append(text);
  quoted.push_back('"');
  return quoted;
}

StatusOr<double> ParsePositive(std::string_view flag, std::string_view text) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return Invalid(flag, Quoted(text) + " is not a number");
  }
  if (value <= 0) return Invalid(flag, "must be positive, got " + std::string(text));
  return value;
}

StatusOr<DurationMs> ParseBlastDuration(std::string_view flag, std::string_view text) {
  StatusOr<DurationMs> duration = ::hookfan::ParseDuration(text, flag);
  if (!duration.ok()) return duration.status();
  if (*duration <= 0) return Invalid(flag, "must be longer than 0");
  return *duration;
}

StatusOr<std::string> ReadFile(std::string_view flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Invalid(flag, "cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Invalid(flag, "cannot read '" + path + "'");
  return text.str();
}

std::string MakeJsonBody(std::size_t bytes) {
  std::string body = R"({"type":"blast.test","data":")";
  const std::string tail = "\"}";
  while (body.size() + tail.size() < bytes) body += 'x';
  return body + tail;
}

// "Name: value" to a header line; the name must be a token and neither part may hold CR/LF.
StatusOr<std::string> HeaderLine(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Invalid("--header", Quoted(text) + " is not 'Name: value'");
  }
  std::string_view name = text.substr(0, colon);
  std::string_view value = text.substr(colon + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  for (char c : name) {
    const bool token = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    if (!token) return Invalid("--header", "bad character in name " + Quoted(name));
  }
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
      return Invalid("--header", "control character in the value of " + std::string(name));
    }
  }
  return std::string(name) + ": " + std::string(value) + "\r\n";
}

// The signer's own field names ("secret", "key") become the flag's.
Status AsSecretFlag(const Status& status) {
  std::string message = status.message();
  for (std::string_view field : {"secrets", "secret", "key"}) {
    if (message.starts_with(field)) {
      message.replace(0, field.size(), "--secret");
      break;
    }
  }
  return Status::InvalidArgument(std::move(message));
}

Status ParseBodies(const BlastFlags& flags, BlastOptions& options) {
  const int given = !flags.payload.empty() + !flags.events.empty() + !flags.size.empty();
  if (given > 1) return Invalid("--payload", "give only one of --payload, --events, --size");
  if (!flags.payload.empty()) {
    StatusOr<std::string> payload = ReadFile("--payload", flags.payload);
    if (!payload.ok()) return payload.status();
    options.bodies.push_back({{}, std::move(*payload)});
  } else if (!flags.events.empty()) {
    StatusOr<std::string> text = ReadFile("--events", flags.events);
    if (!text.ok()) return text.status();
    StatusOr<std::vector<BlastBody>> bodies = ParseEventLines(*text);
    if (!bodies.ok()) return bodies.status();
    options.bodies = std::move(*bodies);
  } else {
    StatusOr<std::uint64_t> size =
        ParseCount("--size", flags.size.empty() ? "256" : flags.size, 64 << 20);
    if (!size.ok()) return size.status();
    options.bodies.push_back({{}, MakeJsonBody(*size)});
  }
  return Status::Ok();
}

Status ParseSigning(const BlastFlags& flags, BlastOptions& options) {
  std::string scheme_name = flags.signing;
  if (scheme_name.empty()) scheme_name = flags.secret.empty() ? "none" : "standard";
  StatusOr<engine::SigningScheme> scheme = engine::ParseSigningScheme(scheme_name);
  if (!scheme.ok()) return Invalid("--signing", scheme.status().message());
  std::vector<std::string> secrets;
  if (*scheme != engine::SigningScheme::kNone) {
    if (flags.secret.empty()) return Invalid("--secret", "required for --signing " + scheme_name);
    secrets.push_back(flags.secret);
  } else if (!flags.secret.empty()) {
    return Invalid("--secret", "not used with --signing none");
  }
  StatusOr<engine::Signer> signer = engine::Signer::Create(*scheme, std::move(secrets));
  if (!signer.ok()) return AsSecretFlag(signer.status());
  if (*scheme != engine::SigningScheme::kNone) options.signer = std::move(*signer);
  return Status::Ok();
}

Status ParseWorkers(const BlastFlags& flags, BlastOptions& options);

StatusOr<double> ParseNonNegative(std::string_view flag, std::string_view text) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return Invalid(flag, Quoted(text) + " is not a number");
  }
  if (value < 0) return Invalid(flag, "must not be negative, got " + std::string(text));
  return value;
}

// "10s@1000,30s@5000,10s@0" (k6's ramping arrival rate): each stage ramps linearly from
// the previous rate (the first from `start_rate`) to its own over its duration.
StatusOr<std::vector<RateSegment>> ParseStages(std::string_view text, double start_rate) {
  std::vector<RateSegment> segments;
  double from = start_rate;
  std::size_t number = 0;
  while (!text.empty() || number == 0) {
    ++number;
    const std::size_t comma = text.find(',');
    const std::string_view stage = text.substr(0, comma);
    text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
    const std::string where = "stage " + std::to_string(number) + " " + Quoted(stage);
    const std::size_t at = stage.find('@');
    if (at == std::string_view::npos) return Invalid("--stages", where + " is not DURATION@RATE");
    StatusOr<DurationMs> duration = ::hookfan::ParseDuration(stage.substr(0, at), "--stages");
    if (!duration.ok() || *duration <= 0) {
      return Invalid("--stages", where + ": the duration must be like 10s, 500ms, 1m");
    }
    StatusOr<double> to = ParseNonNegative("--stages", stage.substr(at + 1));
    if (!to.ok()) return Invalid("--stages", where + ": the rate must be a number >= 0");
    segments.push_back({static_cast<double>(*duration) / 1e3, from, *to});
    from = *to;
    if (comma == std::string_view::npos) break;
  }
  return segments;
}

Status ParseRamp(const BlastFlags& flags, BlastOptions& options) {
  const bool ramp = flags.rate.find(':') != std::string::npos;
  if (!ramp && flags.stages.empty()) return Status::Ok();
  if (flags.max || flags.find_max) {
    return Invalid(ramp ? "--rate" : "--stages", "a ramp is not for --max or --find-max");
  }
  if (!flags.count.empty()) {
    return Invalid(ramp ? "--rate" : "--stages", "a ramp needs --duration, not --count");
  }
  if (ramp) {
    if (!flags.stages.empty()) return Invalid("--stages", "not with a --rate ramp");
    const std::size_t colon = flags.rate.find(':');
    StatusOr<double> from = ParseNonNegative("--rate", flags.rate.substr(0, colon));
    if (!from.ok()) return from.status();
    StatusOr<double> to = ParseNonNegative("--rate", flags.rate.substr(colon + 1));
    if (!to.ok()) return to.status();
    if (flags.duration.empty()) return Invalid("--rate", "a ramp needs --duration");
    StatusOr<DurationMs> duration = ParseBlastDuration("--duration", flags.duration);
    if (!duration.ok()) return duration.status();
    options.duration_ms = *duration;
    options.stages = {{static_cast<double>(*duration) / 1e3, *from, *to}};
  } else {
    if (!flags.duration.empty()) return Invalid("--duration", "not with --stages (they add up)");
    double start = 0;
    if (!flags.rate.empty()) {
      StatusOr<double> rate = ParseNonNegative("--rate", flags.rate);
      if (!rate.ok()) return rate.status();
      start = *rate;
    }
    StatusOr<std::vector<RateSegment>> stages = ParseStages(flags.stages, start);
    if (!stages.ok()) return stages.status();
    options.stages = std::move(*stages);
    double seconds = 0;
    for (const RateSegment& stage : options.stages) seconds += stage.seconds;
    options.duration_ms = static_cast<DurationMs>(std::llround(seconds * 1e3));
  }
  RateSchedule schedule(options.stages);
  if (schedule.total_requests() == 0) {
    return Invalid(ramp ? "--rate" : "--stages", "the schedule plans no request");
  }
  // The planned rate of the report: the schedule's average.
  options.rate = schedule.CountUntil(schedule.total_seconds()) / schedule.total_seconds();
  return Status::Ok();
}

Status ParseLoad(const BlastFlags& flags, BlastOptions& options) {
  if (flags.rate.find(':') != std::string::npos || !flags.stages.empty()) {
    options.model = BlastModel::kOpen;
    HOOKFAN_RETURN_IF_ERROR(ParseRamp(flags, options));
    return ParseWorkers(flags, options);
  }
  options.model = flags.max ? BlastModel::kClosed : BlastModel::kOpen;
  options.find_max = flags.find_max;
  if (flags.max && flags.find_max) return Invalid("--max", "not with --find-max");
  if (!flags.rate.empty()) {
    StatusOr<double> rate = ParsePositive("--rate", flags.rate);
    if (!rate.ok()) return rate.status();
    options.rate = *rate;
  } else if (flags.find_max) {
    options.rate = 100;  // first step of the ramp
  } else if (!flags.max) {
    return Invalid("--rate", "required (or use --max for a closed loop)");
  }
  if (!flags.duration.empty() && !flags.count.empty()) {
    return Invalid("--duration", "give --duration or --count, not both");
  }
  if (!flags.duration.empty()) {
    StatusOr<DurationMs> duration = ParseBlastDuration("--duration", flags.duration);
    if (!duration.ok()) return duration.status();
    options.duration_ms = *duration;
  } else if (!flags.count.empty()) {
    StatusOr<std::uint64_t> count = ParseCount("--count", flags.count, 1ull << 40);
    if (!count.ok()) return count.status();
    if (*count == 0) return Invalid("--count", "must be at least 1");
    options.count = *count;
  } else if (flags.find_max) {
    options.duration_ms = 2 * kSecondMs;  // per step
  } else {
    return Invalid("--duration", "give --duration or --count");
  }
  if (flags.find_max && options.count != 0) return Invalid("--count", "not with --find-max");
  return ParseWorkers(flags, options);
}

Status ParseWorkers(const BlastFlags& flags, BlastOptions& options) {
  StatusOr<std::uint64_t> workers = ParseCount("--workers", flags.workers, 256);
  if (!workers.ok()) return workers.status();
  if (*workers == 0) return Invalid("--workers", "must be at least 1");
  options.workers = *workers;
  StatusOr<std::uint64_t> connections = ParseCount("--connections", flags.connections, 100000);
  if (!connections.ok()) return connections.status();
  if (*connections < options.workers) {
    return Invalid("--connections",
                   "must be at least --workers (" + std::to_string(options.workers) + ")");
  }
  options.connections = *connections;
  return Status::Ok();
}

Status ParseChecks(const BlastFlags& flags, BlastOptions& options) {
  StatusOr<DurationMs> timeout = ParseBlastDuration("--timeout", flags.timeout);
  if (!timeout.ok()) return timeout.status();
  options.timeout_ms = *timeout;
  if (!flags.max_error_rate.empty()) {
    StatusOr<double> rate = ParseRate("--max-error-rate", flags.max_error_rate);
    if (!rate.ok()) return rate.status();
    options.max_error_rate = *rate;
  }
  if (!flags.max_p99.empty()) {
    StatusOr<DurationMs> p99 = ParseBlastDuration("--max-p99", flags.max_p99);
    if (!p99.ok()) return p99.status();
    options.max_p99_ms = *p99;
  }
  if (flags.find_max) {
    if (flags.p99_bound.empty()) return Invalid("--p99-bound", "required with --find-max");
    StatusOr<DurationMs> bound = ParseBlastDuration("--p99-bound", flags.p99_bound);
    if (!bound.ok()) return bound.status();
    options.p99_bound_ms = *bound;
  }
  if (flags.retries) {
    if (flags.max || flags.find_max) return Invalid("--retries", "not with --max or --find-max");
    StatusOr<double> scale = ParsePositive("--retry-scale", flags.retry_scale);
    if (!scale.ok()) return scale.status();
    StatusOr<engine::RetryPolicy> policy = engine::RetryPolicy::Preset(flags.retry_preset, *scale);
    if (!policy.ok()) return Invalid("--retry-preset", policy.status().message());
    options.retry_policy = std::move(*policy);
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::vector<BlastBody>> ParseEventLines(std::string_view text) {
  engine::IngestLimits limits;
  limits.max_payload_bytes = 16 << 20;
  engine::IngestParser parser(limits);
  std::vector<BlastBody> bodies;
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    StatusOr<engine::EventPtr> event = parser.ParseLine(line, line_number);
    if (!event.ok()) return Invalid("--events", event.status().message());
    bodies.push_back({(*event)->id, (*event)->payload});
  }
  if (bodies.empty()) return Invalid("--events", "no events in the file");
  return bodies;
}

StatusOr<BlastOptions> ParseBlastFlags(const BlastFlags& flags) {
  BlastOptions options;
  if (flags.url.empty()) return Invalid("url", "required");
  StatusOr<net::Url> url = net::Url::Parse(flags.url);
  if (!url.ok()) return url.status();
  if (url->scheme != net::Scheme::kHttp) {
    return Invalid("url", "unsupported scheme 'https' (the client speaks http:// only so far)");
  }
  options.url = std::move(*url);
  options.url_text = flags.url;
  HOOKFAN_RETURN_IF_ERROR(ParseLoad(flags, options));
  HOOKFAN_RETURN_IF_ERROR(ParseChecks(flags, options));
  HOOKFAN_RETURN_IF_ERROR(ParseBodies(flags, options));
  HOOKFAN_RETURN_IF_ERROR(ParseSigning(flags, options));
  for (const std::string& header : flags.headers) {
    StatusOr<std::string> line = HeaderLine(header);
    if (!line.ok()) return line.status();
    options.extra_headers += *line;
  }
  options.json = flags.json;
  // Last, so that a run refused for another reason leaves no file behind.
  if (!flags.report.empty()) {
    HOOKFAN_RETURN_IF_ERROR(CheckWritable("--report", flags.report));
    options.report_path = flags.report;
  }
  if (!flags.hdr_log.empty()) {
    if (flags.find_max)
      return Invalid("--hdr-log", "not with --find-max (its steps are separate runs)");
    HOOKFAN_RETURN_IF_ERROR(CheckWritable("--hdr-log", flags.hdr_log));
    options.hdr_log_path = flags.hdr_log;
  }
  return options;
}

}  // namespace hookfan::tools
