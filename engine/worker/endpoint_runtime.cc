#include "engine/worker/endpoint_runtime.h"

#include <openssl/crypto.h>

#include <string>

#include "engine/routing/subscription.h"

namespace hookfan::engine {
namespace {

bool IsTokenChar(char c) {
  // RFC 9110 tchar.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool HasControlChars(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return true;
  }
  return false;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Headers the client or the signer writes: an endpoint may not override them.
bool IsReservedHeader(std::string_view name) {
  for (std::string_view reserved :
       {"host", "content-length", "content-type", "transfer-encoding", "connection", "user-agent",
        "webhook-id", "webhook-timestamp", "webhook-signature", "x-novu-signature", "authorization",
        "expect", "upgrade", "te", "trailer", "keep-alive"}) {
    if (EqualsIgnoreCase(name, reserved)) return true;
  }
  return false;
}

// Percent-encodes everything but RFC 3986 unreserved characters.
void AppendQueryComponent(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out->push_back(c);
    } else {
      out->push_back('%');
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 15]);
    }
  }
}

Status ValidateHeaders(const EndpointConfig& config, std::string* formatted) {
  for (std::size_t i = 0; i < config.headers.size(); ++i) {
    const auto& [name, value] = config.headers[i];
    const std::string field = "headers." + name;
    if (name.empty()) return Status::InvalidArgument("headers: a header name is empty");
    for (char c : name) {
      if (!IsTokenChar(c)) {
        return Status::InvalidArgument("headers: '" + name + "' is not a valid header name");
      }
    }
    if (IsReservedHeader(name)) {
      return Status::InvalidArgument(field +
                                     ": set by hookfan itself; use the endpoint's "
                                     "signing or content_type settings instead");
    }
    if (HasControlChars(value)) {
      return Status::InvalidArgument(field + ": control characters (CR, LF, NUL) are not allowed");
    }
    *formatted += name + ": " + value + "\r\n";
  }
  return Status::Ok();
}

Status ValidateTls(const EndpointConfig& config, const net::Url& url) {
  const bool custom = !config.tls_ca_file.empty() || !config.tls_cert_file.empty() ||
                      !config.tls_key_file.empty() || !config.tls_verify;
  if (!custom) return Status::Ok();
  if (url.scheme != net::Scheme::kHttps) {
    return Status::InvalidArgument("tls_*: TLS settings need an https:// url");
  }
  // Loading them now names the bad file at configuration time, not at the first attempt.
  return net::TlsContext::Client(TlsOptionsOf(config)).status();
}

}  // namespace

net::TlsClientOptions TlsOptionsOf(const EndpointConfig& config) {
  net::TlsClientOptions options;
  options.verify = config.tls_verify;
  options.ca_file = config.tls_ca_file;
  options.cert_file = config.tls_cert_file;
  options.key_file = config.tls_key_file;
  return options;
}

StatusOr<std::unique_ptr<EndpointRuntime>> EndpointRuntime::Create(const EndpointConfig& config,
                                                                   double retry_scale) {
  HOOKFAN_RETURN_IF_ERROR(ValidateEndpointId(config.id, "id"));
  auto url = net::Url::Parse(config.url);
  if (!url.ok()) return url.status().WithContext("url");
  HOOKFAN_RETURN_IF_ERROR(ValidateTls(config, *url));
  SubscriptionSpec subscription{config.id, config.event_types, config.channels};
  HOOKFAN_RETURN_IF_ERROR(ParseSubscription(subscription).status());

  auto scheme = ParseSigningScheme(config.signing);
  if (!scheme.ok()) return scheme.status();
  auto signer = Signer::Create(*scheme, config.secrets);
  if (!signer.ok()) return signer.status();

  RetryPolicySpec spec = config.retry;
  const bool custom = spec.attempts || spec.initial_delay || spec.multiplier || spec.max_delay ||
                      spec.jitter || spec.delays;
  if (spec.preset.empty() && !custom) spec.preset = "standard";
  spec.scale = retry_scale;
  auto policy = RetryPolicy::FromSpec(spec);
  if (!policy.ok()) return policy.status();

  auto bucket = TokenBucket::Create(config.rate_limit_per_second, config.rate_limit_burst, 0);
  if (!bucket.ok()) return bucket.status();
  if (config.max_in_flight < 1 || config.max_in_flight > 10000) {
    return Status::InvalidArgument("max_in_flight: must be between 1 and 10000");
  }
  if (config.max_pending < 1) return Status::InvalidArgument("max_pending: must be at least 1");
  if (config.disable_after_failures < 0) {
    return Status::InvalidArgument("disable_after_failures: must not be negative");
  }
  if (config.content_type.empty() || HasControlChars(config.content_type)) {
    return Status::InvalidArgument("content_type: must be a non-empty header value");
  }
  if (config.payload_mode == PayloadMode::kNotification) {
    const auto& n = config.notification;
    if (n.max_batch < 1 || n.max_batch > 10000) {
      return Status::InvalidArgument("notification.max_batch: must be between 1 and 10000");
    }
    if (n.max_wait_ms < 0 || n.max_wait_ms > kHourMs) {
      return Status::InvalidArgument("notification.max_wait: must be between 0 and 1h");
    }
    if (n.api_version.empty() || n.api_version.size() > 64 || HasControlChars(n.api_version)) {
      return Status::InvalidArgument("notification.api_version: must be 1-64 printable characters");
    }
    if (!config.received_field.empty()) {
      return Status::InvalidArgument(
          "received_field: only for payload_mode \"event\" (a notification has no payload)");
    }
  }
  if (config.received_field.size() > 128 || HasControlChars(config.received_field)) {
    return Status::InvalidArgument("received_field: must be 1-128 printable characters");
  }

  std::unique_ptr<EndpointRuntime> runtime(
      new EndpointRuntime(config, std::make_shared<const RetryPolicy>(std::move(*policy)),
                          std::move(*signer), std::move(*url)));
  HOOKFAN_RETURN_IF_ERROR(ValidateHeaders(config, &runtime->static_headers_));
  runtime->rate_limit = *bucket;
  runtime->target_ = runtime->url_.path_and_query;
  for (const auto& [key, value] : config.query) {
    if (key.empty()) return Status::InvalidArgument("query: a parameter name is empty");
    runtime->target_ += runtime->target_.find('?') == std::string::npos ? '?' : '&';
    AppendQueryComponent(key, &runtime->target_);
    runtime->target_ += '=';
    AppendQueryComponent(value, &runtime->target_);
  }
  return runtime;
}

EndpointRuntime::EndpointRuntime(EndpointConfig config, RetryPolicyPtr policy, Signer signer,
                                 net::Url url)
    : config_(std::move(config)),
      policy_(std::move(policy)),
      signer_(std::move(signer)),
      url_(std::move(url)) {
  WipeSecrets();
  wake_timer.endpoint = this;
  flush_timer.endpoint = this;
}

void EndpointRuntime::WipeSecrets() {
  for (std::string& secret : config_.secrets) OPENSSL_cleanse(secret.data(), secret.size());
  config_.secrets.clear();
}

void EndpointRuntime::AdoptSettings(EndpointRuntime& fresh) {
  config_ = std::move(fresh.config_);  // already wiped
  policy_ = std::move(fresh.policy_);
  signer_ = std::move(fresh.signer_);
  url_ = std::move(fresh.url_);
  target_ = std::move(fresh.target_);
  static_headers_ = std::move(fresh.static_headers_);
  rate_limit = fresh.rate_limit;
}

void EndpointRuntime::PushReady(Delivery* delivery) {
  delivery->next_queued = nullptr;
  if (ready_tail_ != nullptr) {
    ready_tail_->next_queued = delivery;
  } else {
    ready_head_ = delivery;
  }
  ready_tail_ = delivery;
  ++ready_count_;
}

Delivery* EndpointRuntime::PopReady() {
  Delivery* delivery = ready_head_;
  if (delivery == nullptr) return nullptr;
  ready_head_ = delivery->next_queued;
  if (ready_head_ == nullptr) ready_tail_ = nullptr;
  delivery->next_queued = nullptr;
  --ready_count_;
  return delivery;
}

}  // namespace hookfan::engine
