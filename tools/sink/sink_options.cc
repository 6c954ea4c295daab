#include "tools/sink/sink_options.h"

#include <uv.h>

#include <charconv>
#include <cmath>
#include <string>
#include <utility>

#include "engine/signing/signer.h"

namespace hookfan::tools {

namespace {

// `--flag: "text" problem`, built by appending (GCC 12 misreports `"literal" + string`).
Status Invalid(std::string_view flag, std::string_view text, std::string_view problem) {
  std::string message(flag);
  message.append(": \"").append(text).append("\" ").append(problem);
  return Status::InvalidArgument(std::move(message));
}

bool ParseUnsigned(std::string_view text, std::uint64_t* value) {
  if (text.empty()) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

Status ValidateSinkOptions(const SinkOptions& options) {
  auto rate_ok = [](double rate) { return std::isfinite(rate) && rate >= 0 && rate <= 1; };
  auto status_ok = [](int status) { return status >= 100 && status <= 599; };
  if (options.port < 0 || options.port > 65535) {
    return Status::InvalidArgument("port: must be in 0..65535");
  }
  if (!status_ok(options.status)) return Status::InvalidArgument("status: must be in 100..599");
  if (!status_ok(options.fail_status)) {
    return Status::InvalidArgument("fail_status: must be in 100..599");
  }
  if (!rate_ok(options.fail_rate)) {
    return Status::InvalidArgument("fail_rate: must be between 0 and 1");
  }
  if (!rate_ok(options.reset_rate)) {
    return Status::InvalidArgument("reset_rate: must be between 0 and 1");
  }
  if (options.latency_ms < 0) return Status::InvalidArgument("latency: must not be negative");
  if (options.stats_interval_ms < 0) {
    return Status::InvalidArgument("stats_interval: must not be negative");
  }
  if (options.retry_after_s.has_value() && *options.retry_after_s < 0) {
    return Status::InvalidArgument("retry_after: must not be negative");
  }
  if (!options.secret.empty()) {
    HOOKFAN_RETURN_IF_ERROR(
        engine::Signer::Create(engine::SigningScheme::kStandard, {options.secret}).status());
  }
  return Status::Ok();
}

StatusOr<ListenAddress> ParseListenAddress(std::string_view flag, std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return Invalid(flag, text, "is not host:port");
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::uint64_t port = 0;
  if (!ParseUnsigned(port_text, &port) || port > 65535) {
    return Invalid(flag, text, "has no port in 0..65535");
  }
  std::string host_string(host);
  sockaddr_in6 scratch6{};
  sockaddr_in scratch4{};
  if (uv_ip4_addr(host_string.c_str(), 0, &scratch4) != 0 &&
      uv_ip6_addr(host_string.c_str(), 0, &scratch6) != 0) {
    return Invalid(flag, text, "has no numeric IPv4 or IPv6 address (e.g. 127.0.0.1:8080)");
  }
  return ListenAddress{std::move(host_string), static_cast<int>(port)};
}

StatusOr<DurationMs> ParseDuration(std::string_view flag, std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  std::uint64_t value = 0;
  if (!ParseUnsigned(text.substr(0, digits), &value)) {
    return Invalid(flag, text, "is not a duration (e.g. 5ms, 2s, 1m)");
  }
  std::string_view unit = text.substr(digits);
  std::uint64_t scale = 0;
  if (unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = kSecondMs;
  } else if (unit == "m") {
    scale = kMinuteMs;
  } else if (unit == "h") {
    scale = kHourMs;
  } else if (unit.empty() && value == 0) {
    return DurationMs{0};
  } else {
    return Invalid(flag, text, "is not a duration (e.g. 5ms, 2s, 1m)");
  }
  constexpr std::uint64_t kMaxMs = 365 * static_cast<std::uint64_t>(kDayMs);
  if (value > kMaxMs / scale) return Invalid(flag, text, "is longer than a year");
  return static_cast<DurationMs>(value * scale);
}

StatusOr<double> ParseRate(std::string_view flag, std::string_view text) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value) || value < 0 || value > 1) {
    return Invalid(flag, text, "is not a rate between 0 and 1");
  }
  return value;
}

StatusOr<int> ParseHttpStatus(std::string_view flag, std::string_view text) {
  std::uint64_t value = 0;
  if (!ParseUnsigned(text, &value) || value < 100 || value > 599) {
    return Invalid(flag, text, "is not an HTTP status in 100..599");
  }
  return static_cast<int>(value);
}

StatusOr<std::uint64_t> ParseCount(std::string_view flag, std::string_view text,
                                   std::uint64_t max) {
  std::uint64_t value = 0;
  if (!ParseUnsigned(text, &value) || value > max) {
    return Invalid(flag, text, "is not a whole number in 0.." + std::to_string(max));
  }
  return value;
}

}  // namespace hookfan::tools
