#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cx {

// Why a fallible call failed: one line for operators, without customer ids or payloads (it may
// be logged above debug level). The one error type of the libraries' fallible calls, returned
// in a Result; decoding keeps its allocation-free DecodeError codes and the state store its
// StoreResult (which adds "not found"), both in the same style. Named Err (as in Rust) because
// several files define their own helpers named Error.
class Err {
 public:
  explicit Err(std::string message) : message_(std::move(message)) {}
  // An error caused by how the call was asked (an input or flag the call refuses, not a
  // failure of the machine or the data): commands exit 2 (bad usage) on it instead of 1.
  [[nodiscard]] static Err Usage(std::string message) {
    Err error(std::move(message));
    error.usage_ = true;
    return error;
  }

  [[nodiscard]] const std::string& message() const { return message_; }
  [[nodiscard]] bool usage() const { return usage_; }
  // This error with "`context`: " in front, for a caller that adds where it happened.
  [[nodiscard]] Err Prefixed(std::string_view context) const {
    std::string message(context);
    message += ": ";
    message += message_;
    Err prefixed(std::move(message));
    prefixed.usage_ = usage_;
    return prefixed;
  }

 private:
  std::string message_;
  bool usage_ = false;
};

// A value of type T, or the Err that prevented it: an error as a value, never an exception.
// Success does not allocate (beyond what T does), so hot paths may return it. Converts from a T
// (success) and from an Err (failure), so a function returns either directly:
//
//   Result<int> Parse(std::string_view text) {
//     if (text.empty()) return Err("empty");
//     return 42;
//   }
//   Result<int> parsed = Parse(text);
//   if (!parsed) return parsed.error();          // forwards the error into any Result<U>
//   Use(*parsed);
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}    // NOLINT: implicit
  Result(Err error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  [[nodiscard]] bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // The value; ok() must hold.
  [[nodiscard]] T& value() & { return std::get<0>(state_); }
  [[nodiscard]] const T& value() const& { return std::get<0>(state_); }
  [[nodiscard]] T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The error; ok() must not hold.
  [[nodiscard]] const Err& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Err> state_;
};

// Success without a value, or the Err. `return {};` (or Ok()) is success.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Err error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit

  [[nodiscard]] bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  // The error; ok() must not hold.
  [[nodiscard]] const Err& error() const { return error_; }

 private:
  Err error_{std::string()};
  bool ok_ = true;
};

// Success of a Result<void>, for readability at a return.
[[nodiscard]] inline Result<void> Ok() { return {}; }

}  // namespace cx
