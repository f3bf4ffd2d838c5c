#include "outreach/alert_reader.h"

#include <simdjson.h>

#include <cstdint>
#include <utility>

#include "outreach/json_fields.h"
#include "outreach/routing.h"

namespace cx {

namespace {

constexpr size_t kMaxIdBytes = 128;
constexpr size_t kMaxTextBytes = 4096;

Result<void> ReadEnums(simdjson::dom::object object, Alert& out) {
  std::string text;
  if (Result<void> read = ReadString(object, "kind", true, 1, kMaxIdBytes, text); !read) {
    return read;
  }
  if (!ParseAlertKind(text, out.kind)) {
    return Err("field kind is not a known alert kind");
  }
  if (Result<void> read = ReadString(object, "severity", true, 1, kMaxIdBytes, text); !read) {
    return read;
  }
  if (!ParseSeverity(text, out.severity)) {
    return Err("field severity must be warning or critical");
  }
  text.clear();
  if (Result<void> read = ReadString(object, "tier", false, 0, kMaxIdBytes, text); !read) {
    return read;
  }
  if (!text.empty() && !ParseTier(text, out.tier)) {
    return Err("field tier must be standard or vip");
  }
  return Ok();
}

Result<void> ReadReasons(simdjson::dom::object object, Alert& out) {
  simdjson::dom::array reasons;
  if (object.at_key("reasons").get_array().get(reasons) != simdjson::SUCCESS) {
    return Err("field reasons must be an array");
  }
  for (simdjson::dom::element item : reasons) {
    simdjson::dom::object reason_object;
    if (item.get_object().get(reason_object) != simdjson::SUCCESS) {
      return Err("field reasons must hold objects");
    }
    AlertReason& reason = out.reasons.emplace_back();
    if (Result<void> read = ReadString(reason_object, "code", true, 1, kMaxIdBytes, reason.code);
        !read) {
      return read;
    }
    if (Result<void> read =
            ReadString(reason_object, "detail", false, 0, kMaxTextBytes, reason.detail);
        !read) {
      return read;
    }
    simdjson::dom::array ids;
    if (reason_object.at_key("event_ids").get_array().get(ids) == simdjson::SUCCESS) {
      for (simdjson::dom::element id : ids) {
        std::string_view text;
        if (id.get_string().get(text) != simdjson::SUCCESS) {
          return Err("field event_ids must hold strings");
        }
        reason.event_ids.emplace_back(text);
      }
    }
  }
  return Ok();
}

Result<void> ReadScore(simdjson::dom::object object, std::string_view key, int& out) {
  int64_t value = 0;
  if (object.at_key(key).get_int64().get(value) != simdjson::SUCCESS || value < 0 || value > 100) {
    return Err("field " + std::string(key) + " must be an integer 0-100");
  }
  out = static_cast<int>(value);
  return Ok();
}

// The fields after the enums, in order; the first failure.
Result<void> ReadRest(simdjson::dom::object object, Alert& out) {
  if (Result<void> read = ReadTime(object, "ts", true, out.ts); !read) {
    return read;
  }
  for (auto [key, field] :
       {std::pair{"contact_id", &out.contact_id}, std::pair{"channel", &out.channel},
        std::pair{"queue", &out.queue}, std::pair{"reason", &out.reason}}) {
    if (Result<void> read = ReadString(object, key, false, 1, kMaxIdBytes, *field); !read) {
      return read;
    }
  }
  if (Result<void> read = ReadReasons(object, out); !read) {
    return read;
  }
  if (Result<void> read = ReadScore(object, "effort_score", out.effort_score); !read) {
    return read;
  }
  return ReadScore(object, "risk_score", out.risk_score);
}

}  // namespace

Result<void> DecodeAlertJson(std::string_view json, Alert& out) {
  AlertReader reader;
  return reader.Decode(json, out);
}

Result<void> AlertReader::Decode(std::string_view json, Alert& out) {
  out = Alert{};
  simdjson::dom::parser& parser = parser_;
  simdjson::dom::element root;
  simdjson::dom::object object;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS ||
      root.get_object().get(object) != simdjson::SUCCESS) {
    return Err("not a JSON object");
  }
  for (auto [key, field] :
       {std::pair{"alert_id", &out.alert_id}, std::pair{"customer_id", &out.customer_id}}) {
    if (Result<void> read = ReadString(object, key, true, 1, kMaxIdBytes, *field); !read) {
      return read;
    }
  }
  if (Result<void> read = ReadEnums(object, out); !read) {
    return read;
  }
  return ReadRest(object, out);
}

}  // namespace cx
