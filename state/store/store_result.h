#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace cx {

enum class StoreCode : uint8_t {
  kOk,        // the operation succeeded (for reads: the value was found)
  kNotFound,  // a read found no (live) value; not an error
  kError,     // I/O failure, corruption, a locked or foreign state dir, ...; see message()
};

// The outcome of a state-store operation: an error as a value. Messages are meant for operators
// and never contain customer ids or state bytes (they may be logged above debug level).
class [[nodiscard]] StoreResult {
 public:
  StoreResult() = default;

  static StoreResult Ok() { return StoreResult(StoreCode::kOk, {}); }
  static StoreResult NotFound() { return StoreResult(StoreCode::kNotFound, {}); }
  static StoreResult Error(std::string message) {
    return StoreResult(StoreCode::kError, std::move(message));
  }

  StoreCode code() const { return code_; }
  bool IsOk() const { return code_ == StoreCode::kOk; }
  bool IsNotFound() const { return code_ == StoreCode::kNotFound; }
  bool IsError() const { return code_ == StoreCode::kError; }
  // Empty unless IsError().
  const std::string& message() const { return message_; }

 private:
  StoreResult(StoreCode code, std::string message) : code_(code), message_(std::move(message)) {}

  StoreCode code_ = StoreCode::kOk;
  std::string message_;
};

}  // namespace cx
