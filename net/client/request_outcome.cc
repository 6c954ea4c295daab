#include "net/client/request_outcome.h"

namespace hookfan::net {

std::string_view RequestErrorName(RequestError error) {
  switch (error) {
    case RequestError::kNone:
      return "none";
    case RequestError::kDnsFailed:
      return "dns_failed";
    case RequestError::kAddressRefused:
      return "address_not_allowed";
    case RequestError::kConnectRefused:
      return "connect_refused";
    case RequestError::kConnectFailed:
      return "connect_failed";
    case RequestError::kConnectTimeout:
      return "connect_timeout";
    case RequestError::kResponseTimeout:
      return "response_timeout";
    case RequestError::kTotalTimeout:
      return "total_timeout";
    case RequestError::kConnectionReset:
      return "connection_reset";
    case RequestError::kProtocolError:
      return "protocol_error";
    case RequestError::kResponseTooLarge:
      return "response_too_large";
    case RequestError::kTlsError:
      return "tls_error";
    case RequestError::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

}  // namespace hookfan::net
