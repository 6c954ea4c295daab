#include "net/client/client_options.h"

namespace hookfan::net {

Status ClientOptions::Validate() const {
  if (max_connections_per_origin == 0) {
    return Status::InvalidArgument("max_connections_per_origin: must be at least 1");
  }
  if (connect_timeout <= 0) return Status::InvalidArgument("connect_timeout: must be positive");
  if (response_timeout <= 0) return Status::InvalidArgument("response_timeout: must be positive");
  if (total_timeout <= 0) return Status::InvalidArgument("total_timeout: must be positive");
  if (idle_timeout <= 0) return Status::InvalidArgument("idle_timeout: must be positive");
  if (max_response_header_bytes < 64) {
    return Status::InvalidArgument("max_response_header_bytes: must be at least 64");
  }
  for (char c : user_agent) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("user_agent: must not contain control characters");
    }
  }
  return Status::Ok();
}

}  // namespace hookfan::net
