// Status: the outcome of an operation that can fail for ordinary reasons (I/O, bad input, refused request).
// Exceptions are reserved for programming errors; everything else returns a Status or a Result<T>.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace tern {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is wrong (manifest, request, name)
  kNotFound,            // the named object does not exist
  kAlreadyExists,       // the named object exists and must not
  kFailedPrecondition,  // the system is not in a state where this is allowed
  kUnavailable,         // a dependency (libvirtd, a peer) cannot be reached now; retrying may help
  kIoError,             // a file or socket operation failed
  kPermissionDenied,    // refused by policy or authentication
  kInternal,            // a dependency failed in an unexpected way
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  [[nodiscard]] bool ok() const { return code_ == StatusCode::kOk; }
  [[nodiscard]] StatusCode code() const { return code_; }
  [[nodiscard]] const std::string& message() const { return message_; }
  // "NotFound: vm 'web1' is not known" — for logs and CLI output.
  [[nodiscard]] std::string ToString() const;

  // Prefixes the message with context, keeping the code: "deploy web1: " + message.
  [[nodiscard]] Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace tern

// Returns early from the enclosing function when `expr` yields a non-ok Status.
#define TERN_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::tern::Status tern_status_ = (expr);        \
    if (!tern_status_.ok()) return tern_status_; \
  } while (false)
