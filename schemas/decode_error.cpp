#include "schemas/decode_error.h"

#include <array>

namespace cx {

namespace {

constexpr std::array<std::string_view, kDecodeErrorCount> kNames = {
    "ok",
    "too_large",
    "invalid_json",
    "not_an_object",
    "missing_field",
    "wrong_type",
    "invalid_value",
    "unknown_type",
    "unknown_action",
    "unknown_survey",
    "score_out_of_range",
    "bad_timestamp",
    "future_timestamp",
    "duplicate_field",
    "key_mismatch",
};

std::string_view Summary(DecodeError error) {
  switch (error) {
    case DecodeError::kOk:
      return "decoded";
    case DecodeError::kTooLarge:
      return "event is larger than 64 KiB";
    case DecodeError::kInvalidJson:
      return "not valid JSON";
    case DecodeError::kNotAnObject:
      return "the event is not a JSON object";
    case DecodeError::kMissingField:
      return "required field is missing";
    case DecodeError::kWrongType:
      return "field has the wrong JSON type";
    case DecodeError::kInvalidValue:
      return "field has an invalid value";
    case DecodeError::kUnknownType:
      return "unknown event type";
    case DecodeError::kUnknownAction:
      return "unknown action for this event type";
    case DecodeError::kUnknownSurvey:
      return "unknown survey kind";
    case DecodeError::kScoreOutOfRange:
      return "score is outside the range of its survey kind";
    case DecodeError::kBadTimestamp:
      return "ts is neither RFC 3339 with offset nor epoch ms";
    case DecodeError::kFutureTimestamp:
      return "ts is too far in the future";
    case DecodeError::kDuplicateField:
      return "field appears more than once";
    case DecodeError::kKeyMismatch:
      return "the record's key is not the event's customer_id";
  }
  return "unknown error";
}

}  // namespace

std::string_view ToString(DecodeError error) {
  const auto index = static_cast<size_t>(error);
  return index < kNames.size() ? kNames[index] : std::string_view("unknown_error");
}

std::string DecodeFailure::Message() const {
  std::string out(ToString(error));
  out += ": ";
  out += Summary(error);
  if (!field.empty()) {
    out += " (field \"";
    out += field;
    out += "\")";
  }
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

}  // namespace cx
