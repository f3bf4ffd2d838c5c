#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "schemas/json_writer.h"
#include "schemas/result.h"
#include "schemas/time.h"
#include "schemas/timestamp.h"

namespace cx {

// Writes the fields of one JSON object into `out`, in call order, comma-separated. The caller
// writes the braces. Used by the outreach JSON writers so each stays a list of fields.
class JsonFields {
 public:
  explicit JsonFields(std::string& out) : out_(out) {}

  void String(std::string_view key, std::string_view value) {
    Key(key);
    AppendJsonString(value, out_);
  }
  // Omitted when `value` is empty.
  void OptionalString(std::string_view key, std::string_view value) {
    if (!value.empty()) String(key, value);
  }
  void Time(std::string_view key, EventTime t) {
    Key(key);
    out_ += '"';
    AppendRfc3339Millis(t, out_);
    out_ += '"';
  }
  void OptionalTime(std::string_view key, const std::optional<EventTime>& t) {
    if (t) Time(key, *t);
  }
  // Writes the key; the caller appends the value (an object or array) right after.
  void Key(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += key;
    out_ += "\":";
  }

 private:
  std::string& out_;
  bool first_ = true;
};

// Readers of one field of a parsed JSON object. Each returns a one-line reason naming the field
// when it is not as required; an absent optional field leaves `out` untouched and is success.

// A string of min_len..max_len bytes.
[[nodiscard]] inline Result<void> ReadString(simdjson::dom::object object, std::string_view key,
                                             bool required, size_t min_len, size_t max_len,
                                             std::string& out) {
  simdjson::dom::element value;
  if (object.at_key(key).get(value) != simdjson::SUCCESS) {
    if (required) return Err("missing field " + std::string(key));
    return Ok();
  }
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    return Err("field " + std::string(key) + " must be a string");
  }
  if (text.size() < min_len || text.size() > max_len) {
    return Err("field " + std::string(key) + " must have " + std::to_string(min_len) + " to " +
               std::to_string(max_len) + " bytes");
  }
  out.assign(text);
  return Ok();
}

// An RFC 3339 string with an offset, or integer epoch milliseconds (like event `ts`).
[[nodiscard]] inline Result<void> ReadTime(simdjson::dom::object object, std::string_view key,
                                           bool required, EventTime& out) {
  simdjson::dom::element value;
  if (object.at_key(key).get(value) != simdjson::SUCCESS) {
    if (required) return Err("missing field " + std::string(key));
    return Ok();
  }
  std::string_view text;
  int64_t ms = 0;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    if (ParseRfc3339(text, out)) return Ok();
  } else if (value.get_int64().get(ms) == simdjson::SUCCESS && ms >= kMinEpochMillis &&
             ms <= kMaxEpochMillis) {
    out = EventTime::FromMillis(ms);
    return Ok();
  }
  return Err("field " + std::string(key) + " must be an RFC 3339 time or epoch milliseconds");
}

}  // namespace cx
