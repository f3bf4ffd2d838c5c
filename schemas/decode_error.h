#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cx {

// Why an input event was rejected (SPEC §2). The numeric values and the snake_case names from
// ToString() are a stable contract: dead letters, metrics and the example file names use them.
// New codes are only ever appended.
enum class DecodeError : uint8_t {
  kOk,
  kTooLarge,         // more than 64 KiB
  kInvalidJson,      // not JSON (syntax, invalid UTF-8, trailing bytes, nesting too deep)
  kNotAnObject,      // valid JSON, but not an object
  kMissingField,     // a required field is absent
  kWrongType,        // a field has the wrong JSON type (e.g. a string where an integer belongs)
  kInvalidValue,     // right type, bad value (empty id, unknown tier, negative count, ...)
  kUnknownType,      // `type` is not click/call/chat/survey
  kUnknownAction,    // `action` is not one of the actions of its type
  kUnknownSurvey,    // `survey` is not csat/nps/ces
  kScoreOutOfRange,  // `score` outside the range of its survey kind
  kBadTimestamp,     // `ts` is not RFC 3339 with offset nor epoch milliseconds in range
  kFutureTimestamp,  // `ts` later than the caller's `not_after`
  kDuplicateField,   // a field the decoder reads appears twice in the object
  kKeyMismatch,      // live: the Kafka record's key is null or not the event's customer_id
};
inline constexpr int kDecodeErrorCount = 15;

// "ok", "too_large", "invalid_json", ..., "duplicate_field", "key_mismatch".
std::string_view ToString(DecodeError error);

// Details of a rejection. `field` and `detail` always point to static strings (never into the
// input), so a failure may outlive the decoded bytes. Both may be empty.
struct DecodeFailure {
  DecodeError error = DecodeError::kOk;
  std::string_view field;   // the offending field, e.g. "contact_id"
  std::string_view detail;  // a short static explanation, e.g. "trailing bytes after the object"

  // A human sentence for dead letters, e.g. "missing_field: required field \"contact_id\" is
  // missing". Allocates; for the error path only.
  std::string Message() const;
};

}  // namespace cx
