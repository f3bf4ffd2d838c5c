#include "outreach/alert_reader.h"

#include <simdjson.h>

#include <cstdint>

#include "outreach/json_fields.h"
#include "outreach/routing.h"

namespace cx {

namespace {

constexpr size_t kMaxIdBytes = 128;
constexpr size_t kMaxTextBytes = 4096;

bool ReadEnums(simdjson::dom::object object, Alert& out, std::string& error) {
  std::string text;
  if (!ReadString(object, "kind", true, 1, kMaxIdBytes, text, error)) return false;
  if (!ParseAlertKind(text, out.kind)) {
    error = "field kind is not a known alert kind";
    return false;
  }
  if (!ReadString(object, "severity", true, 1, kMaxIdBytes, text, error)) return false;
  if (!ParseSeverity(text, out.severity)) {
    error = "field severity must be warning or critical";
    return false;
  }
  text.clear();
  if (!ReadString(object, "tier", false, 0, kMaxIdBytes, text, error)) return false;
  if (!text.empty() && !ParseTier(text, out.tier)) {
    error = "field tier must be standard or vip";
    return false;
  }
  return true;
}

bool ReadReasons(simdjson::dom::object object, Alert& out, std::string& error) {
  simdjson::dom::array reasons;
  if (object.at_key("reasons").get_array().get(reasons) != simdjson::SUCCESS) {
    error = "field reasons must be an array";
    return false;
  }
  for (simdjson::dom::element item : reasons) {
    simdjson::dom::object reason_object;
    if (item.get_object().get(reason_object) != simdjson::SUCCESS) {
      error = "field reasons must hold objects";
      return false;
    }
    AlertReason& reason = out.reasons.emplace_back();
    if (!ReadString(reason_object, "code", true, 1, kMaxIdBytes, reason.code, error) ||
        !ReadString(reason_object, "detail", false, 0, kMaxTextBytes, reason.detail, error)) {
      return false;
    }
    simdjson::dom::array ids;
    if (reason_object.at_key("event_ids").get_array().get(ids) == simdjson::SUCCESS) {
      for (simdjson::dom::element id : ids) {
        std::string_view text;
        if (id.get_string().get(text) != simdjson::SUCCESS) {
          error = "field event_ids must hold strings";
          return false;
        }
        reason.event_ids.emplace_back(text);
      }
    }
  }
  return true;
}

bool ReadScore(simdjson::dom::object object, std::string_view key, int& out, std::string& error) {
  int64_t value = 0;
  if (object.at_key(key).get_int64().get(value) != simdjson::SUCCESS || value < 0 || value > 100) {
    error = "field " + std::string(key) + " must be an integer 0-100";
    return false;
  }
  out = static_cast<int>(value);
  return true;
}

}  // namespace

bool DecodeAlertJson(std::string_view json, Alert& out, std::string& error) {
  AlertReader reader;
  return reader.Decode(json, out, error);
}

bool AlertReader::Decode(std::string_view json, Alert& out, std::string& error) {
  out = Alert{};
  simdjson::dom::parser& parser = parser_;
  simdjson::dom::element root;
  simdjson::dom::object object;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS ||
      root.get_object().get(object) != simdjson::SUCCESS) {
    error = "not a JSON object";
    return false;
  }
  return ReadString(object, "alert_id", true, 1, kMaxIdBytes, out.alert_id, error) &&
         ReadString(object, "customer_id", true, 1, kMaxIdBytes, out.customer_id, error) &&
         ReadEnums(object, out, error) && ReadTime(object, "ts", true, out.ts, error) &&
         ReadString(object, "contact_id", false, 1, kMaxIdBytes, out.contact_id, error) &&
         ReadString(object, "channel", false, 1, kMaxIdBytes, out.channel, error) &&
         ReadString(object, "queue", false, 1, kMaxIdBytes, out.queue, error) &&
         ReadString(object, "reason", false, 1, kMaxIdBytes, out.reason, error) &&
         ReadReasons(object, out, error) &&
         ReadScore(object, "effort_score", out.effort_score, error) &&
         ReadScore(object, "risk_score", out.risk_score, error);
}

}  // namespace cx
