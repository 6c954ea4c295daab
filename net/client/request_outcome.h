#pragma once
// What one HTTP request attempt ended with, as the network layer reports it. The engine's
// retry classifier (engine/retry/outcome_classifier.h) turns it into success / retry / disable /
// dead letter. Small and allocation-free: the Retry-After header is kept inline, raw.

#include <array>
#include <cstdint>
#include <string_view>

namespace hookfan::net {

enum class RequestError : std::uint8_t {
  kNone = 0,          // a complete HTTP response was received (see status)
  kDnsFailed,         // the host name did not resolve
  kAddressRefused,    // address_not_allowed: the address policy (SSRF guard) refused every
                      // resolved address (detail: "127.0.0.1 refused by loopback 127.0.0.0/8")
  kConnectRefused,    // ECONNREFUSED
  kConnectFailed,     // other connect errors (unreachable, ...)
  kConnectTimeout,    // no connection within the connect timeout
  kResponseTimeout,   // connected and sent, but no response byte within the timeout
  kTotalTimeout,      // the whole attempt exceeded its total deadline
  kConnectionReset,   // the peer reset or closed the connection before a full response
  kProtocolError,     // the peer sent bytes that are not valid HTTP/1.1
  kResponseTooLarge,  // headers (or the kept part of the body) exceeded their cap
  kTlsError,          // handshake or verification failed
  kCancelled,         // the client shut down before the attempt finished
};

std::string_view RequestErrorName(RequestError error);

struct RequestOutcome {
  RequestError error = RequestError::kNone;
  int status = 0;  // HTTP status when error == kNone

  // Raw value of a Retry-After response header, truncated to the buffer (a longer value
  // is not a valid Retry-After anyway).
  std::array<char, 40> retry_after_buf{};
  std::uint8_t retry_after_len = 0;

  // What an error was about, for the attempt log and the endpoint's last error: the address
  // and the rule that refused it, a TLS verification reason. Truncated to the buffer; empty
  // when the error says it all.
  std::array<char, 160> detail_buf{};
  std::uint8_t detail_len = 0;

  std::string_view retry_after() const { return {retry_after_buf.data(), retry_after_len}; }
  std::string_view detail() const { return {detail_buf.data(), detail_len}; }
  void set_detail(std::string_view value) {
    detail_len = static_cast<std::uint8_t>(value.size() < detail_buf.size() ? value.size()
                                                                            : detail_buf.size());
    for (std::uint8_t i = 0; i < detail_len; ++i) detail_buf[i] = value[i];
  }
  void set_retry_after(std::string_view value) {
    retry_after_len = static_cast<std::uint8_t>(
        value.size() < retry_after_buf.size() ? value.size() : retry_after_buf.size());
    for (std::uint8_t i = 0; i < retry_after_len; ++i) retry_after_buf[i] = value[i];
  }
  bool ok_response() const { return error == RequestError::kNone; }
};

}  // namespace hookfan::net
