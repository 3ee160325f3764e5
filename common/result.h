#pragma once
// Result<T>: the project's one way to return "a value or a reason why not".
// Chosen over absl::StatusOr to keep absl out of every public header and to make
// the error a plain struct that parsers can fill without allocation-heavy Status
// machinery. Untrusted input yields an Error, never an exception.
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace regwatch {

struct Error {
  std::string code;     // short machine-readable name, e.g. "truncated", "bad_pri"
  std::string message;  // human explanation
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<Error>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

// For operations that return nothing on success.
struct Ok {};
using Status = Result<Ok>;

inline Error make_error(std::string code, std::string message) {
  return Error{std::move(code), std::move(message)};
}

}  // namespace regwatch
