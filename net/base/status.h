#pragma once
// Status and StatusOr<T>: recoverable errors as values, never exceptions, on the delivery
// path and through libuv callbacks.
//
//   StatusOr<Secret> secret = Secret::Parse(text);
//   if (!secret.ok()) return secret.status();   // message names the bad field
//   Use(*secret);
//
// A Status is cheap when ok (no allocation); an error carries one human line that names
// the field or input at fault, suitable for an HTTP 4xx body or a CLI's stderr.

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "net/base/check.h"

namespace hookfan {

enum class StatusCode : unsigned char {
  kOk = 0,
  kInvalidArgument,     // the caller's input is malformed or out of range
  kNotFound,            // a named thing does not exist
  kAlreadyExists,       // a thing with that name exists already
  kResourceExhausted,   // a configured limit is reached (queue full, too many endpoints)
  kFailedPrecondition,  // the system is not in a state that allows the call
  kUnavailable,         // try again later (stopping, peer unavailable)
  kIo,                  // an operating-system call failed
  kInternal,            // a bug: should never be seen
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Io(std::string m) { return {StatusCode::kIo, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid argument: secret: not base64" style, for logs and CLI errors.
  std::string ToString() const;

  // Adds context in front of the message: "endpoint 'orders': " + message.
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    HOOKFAN_CHECK(!status_.ok());
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    HOOKFAN_CHECK(ok());
    return *value_;
  }
  const T& value() const& {
    HOOKFAN_CHECK(ok());
    return *value_;
  }
  T&& value() && {
    HOOKFAN_CHECK(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

// Returns early from the enclosing function when `expr` is not ok.
#define HOOKFAN_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::hookfan::Status hookfan_status_ = (expr);        \
    if (!hookfan_status_.ok()) return hookfan_status_; \
  } while (0)

}  // namespace hookfan
