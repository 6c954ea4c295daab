#include "net/server/http_responder.h"

#include <utility>

#include "net/base/check.h"
#include "net/server/http_server_connection.h"

namespace hookfan::net {

HttpResponder::HttpResponder(HttpResponder&& other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)), sequence_(other.sequence_) {}

HttpResponder& HttpResponder::operator=(HttpResponder&& other) noexcept {
  if (this != &other) {
    // Overwriting a pending responder drops its answer, as destroying it would.
    if (connection_ != nullptr) std::exchange(connection_, nullptr)->AnswerDropped(sequence_);
    connection_ = std::exchange(other.connection_, nullptr);
    sequence_ = other.sequence_;
  }
  return *this;
}

HttpResponder::~HttpResponder() {
  if (connection_ != nullptr) std::exchange(connection_, nullptr)->AnswerDropped(sequence_);
}

void HttpResponder::Respond(const HttpResponse& response) {
  HOOKFAN_CHECK(connection_ != nullptr);
  std::exchange(connection_, nullptr)->Answer(sequence_, response);
}

void HttpResponder::Respond(int status, std::string_view body, std::string_view content_type) {
  Respond(HttpResponse{.status = status, .content_type = content_type, .body = body});
}

void HttpResponder::Reset() {
  HOOKFAN_CHECK(connection_ != nullptr);
  std::exchange(connection_, nullptr)->AnswerWithReset();
}

bool HttpResponder::connection_open() const {
  return connection_ != nullptr && connection_->open();
}

}  // namespace hookfan::net
