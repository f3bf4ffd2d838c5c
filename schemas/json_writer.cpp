#include "schemas/json_writer.h"

#include <simdjson.h>

#include <boost/archive/iterators/base64_from_binary.hpp>
#include <boost/archive/iterators/transform_width.hpp>
#include <charconv>

#include "schemas/timestamp.h"

namespace cx {

namespace {

constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

size_t Utf8SequenceLength(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

bool NeedsEscape(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || c == '"' || c == '\\';
}

void AppendEscaped(std::string_view text, std::string& out) {
  // Runs of bytes that need no escape (almost every id and name) are appended at once.
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!NeedsEscape(text[i])) {
      continue;
    }
    out.append(text.data() + start, i - start);
    start = i + 1;
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:  // the other control characters
        out += "\\u00";
        out += kHex[u >> 4];
        out += kHex[u & 0xF];
    }
  }
  out.append(text.data() + start, text.size() - start);
}

// Keeps valid UTF-8 sequences and replaces every other byte with U+FFFD.
void AppendEscapedLossy(std::string_view text, std::string& out) {
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const size_t n = Utf8SequenceLength(lead);
    if (lead >= 0x80 &&
        (lead < 0xC0 || i + n > text.size() || !simdjson::validate_utf8(text.data() + i, n))) {
      out += kReplacement;
      ++i;
      continue;
    }
    AppendEscaped(text.substr(i, n), out);
    i += n;
  }
}

template <typename T>
void AppendInt(T value, std::string& out) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, result.ptr);
}

void AppendKey(std::string_view key, std::string& out, bool first = false) {
  // One append of `,"key":` (keys are short literals); byte by byte costs a capacity check each.
  char buf[64];
  if (key.size() + 4 > sizeof(buf)) {
    if (!first) out += ',';
    out += '"';
    out += key;
    out += "\":";
    return;
  }
  size_t n = 0;
  if (!first) buf[n++] = ',';
  buf[n++] = '"';
  key.copy(buf + n, key.size());
  n += key.size();
  buf[n++] = '"';
  buf[n++] = ':';
  out.append(buf, n);
}

void AppendStringField(std::string_view key, std::string_view value, std::string& out) {
  AppendKey(key, out);
  AppendJsonString(value, out);
}

void AppendTsField(EventTime ts, std::string& out) {
  AppendKey("ts", out);
  out += '"';
  AppendRfc3339Millis(ts, out);
  out += '"';
}

void AppendStringArray(const std::vector<std::string>& values, std::string& out) {
  out += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(values[i], out);
  }
  out += ']';
}

void AppendBase64(std::string_view bytes, std::string& out) {
  using Base64 = boost::archive::iterators::base64_from_binary<
      boost::archive::iterators::transform_width<const char*, 6, 8>>;
  out.append(Base64(bytes.data()), Base64(bytes.data() + bytes.size()));
  out.append((3 - bytes.size() % 3) % 3, '=');
}

// Whether every byte of `text` is ASCII that JSON writes as is (no control character, quote
// or backslash): almost every id, name and detail. One pass instead of UTF-8 validation plus an
// escape scan.
bool IsPlainAscii(std::string_view text) {
  unsigned char bad = 0;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    bad |= static_cast<unsigned char>((u < 0x20) | (u >= 0x80) | (c == '"') | (c == '\\'));
  }
  return bad == 0;
}

}  // namespace

void AppendJsonString(std::string_view text, std::string& out) {
  if (IsPlainAscii(text)) {
    const size_t at = out.size();
    out.resize(at + text.size() + 2);
    char* p = out.data() + at;
    *p = '"';
    text.copy(p + 1, text.size());
    p[text.size() + 1] = '"';
    return;
  }
  out += '"';
  if (simdjson::validate_utf8(text.data(), text.size())) {
    AppendEscaped(text, out);
  } else {
    AppendEscapedLossy(text, out);
  }
  out += '"';
}

void AppendAlertJson(const Alert& alert, std::string& out) {
  out += '{';
  AppendKey("alert_id", out, true);
  AppendJsonString(alert.alert_id, out);
  AppendStringField("customer_id", alert.customer_id, out);
  AppendStringField("kind", ToString(alert.kind), out);
  AppendStringField("severity", ToString(alert.severity), out);
  AppendTsField(alert.ts, out);
  if (!alert.contact_id.empty()) AppendStringField("contact_id", alert.contact_id, out);
  if (alert.tier != Tier::kUnset) AppendStringField("tier", ToString(alert.tier), out);
  if (!alert.channel.empty()) AppendStringField("channel", alert.channel, out);
  if (!alert.queue.empty()) AppendStringField("queue", alert.queue, out);
  if (!alert.reason.empty()) AppendStringField("reason", alert.reason, out);
  AppendKey("reasons", out);
  out += '[';
  for (size_t i = 0; i < alert.reasons.size(); ++i) {
    const AlertReason& reason = alert.reasons[i];
    if (i > 0) out += ',';
    out += '{';
    AppendKey("code", out, true);
    AppendJsonString(reason.code, out);
    AppendStringField("detail", reason.detail, out);
    AppendKey("event_ids", out);
    AppendStringArray(reason.event_ids, out);
    out += '}';
  }
  out += ']';
  AppendKey("effort_score", out);
  AppendInt(alert.effort_score, out);
  AppendKey("risk_score", out);
  AppendInt(alert.risk_score, out);
  AppendStringField("recommended_action", RecommendedAction(alert.kind, alert.severity), out);
  out += '}';
}

void AppendSignalJson(const Signal& signal, std::string& out) {
  out += '{';
  AppendKey("signal_id", out, true);
  AppendJsonString(signal.signal_id, out);
  AppendStringField("type", ToString(signal.kind), out);
  AppendStringField("customer_id", signal.customer_id, out);
  AppendTsField(signal.ts, out);
  switch (signal.kind) {
    case SignalKind::kSlaBreached:
    case SignalKind::kSlaMet:
    case SignalKind::kSlaEnded:
      AppendStringField("contact_id", signal.contact_id, out);
      AppendStringField("channel", signal.channel, out);
      AppendStringField("sla", ToString(signal.sla), out);
      AppendKey("target_ms", out);
      AppendInt(signal.target_ms, out);
      AppendKey("elapsed_ms", out);
      AppendInt(signal.elapsed_ms, out);
      AppendStringField("outcome", ToString(signal.outcome), out);
      break;
    case SignalKind::kContactRepeat:
      AppendStringField("contact_id", signal.contact_id, out);
      AppendStringField("channel", signal.channel, out);
      AppendKey("count_7d", out);
      AppendInt(signal.count_7d, out);
      AppendKey("same_reason", out);
      out += signal.same_reason ? "true" : "false";
      if (!signal.reason.empty()) AppendStringField("reason", signal.reason, out);
      break;
    case SignalKind::kEffortUpdated:
    case SignalKind::kRiskUpdated:
      AppendKey("score", out);
      AppendInt(signal.score, out);
      AppendKey("previous", out);
      AppendInt(signal.previous, out);
      break;
  }
  AppendKey("event_ids", out);
  AppendStringArray(signal.event_ids, out);
  out += '}';
}

void AppendDeadLetterJson(const DeadLetter& dead_letter, std::string& out) {
  out += '{';
  AppendKey("error", out, true);
  AppendJsonString(ToString(dead_letter.error), out);
  if (!dead_letter.field.empty()) AppendStringField("field", dead_letter.field, out);
  AppendStringField("message", dead_letter.message, out);
  AppendKey("source", out);
  if (const auto* kafka = std::get_if<KafkaSource>(&dead_letter.source)) {
    out += '{';
    AppendKey("topic", out, true);
    AppendJsonString(kafka->topic, out);
    AppendKey("partition", out);
    AppendInt(kafka->partition, out);
    AppendKey("offset", out);
    AppendInt(kafka->offset, out);
    out += '}';
  } else {
    const auto& file = std::get<FileSource>(dead_letter.source);
    out += '{';
    AppendKey("file", out, true);
    AppendJsonString(file.file, out);
    AppendKey("line", out);
    AppendInt(file.line, out);
    out += '}';
  }
  const std::string_view original = dead_letter.original;
  if (simdjson::validate_utf8(original.data(), original.size())) {
    AppendStringField("original", original, out);
  } else {
    AppendKey("original_base64", out);
    out += '"';
    AppendBase64(original, out);
    out += '"';
  }
  if (dead_letter.truncated()) {
    AppendKey("original_size", out);
    AppendInt(static_cast<int64_t>(dead_letter.original_size), out);
    AppendStringField("original_sha256", dead_letter.original_sha256, out);
    AppendKey("original_truncated", out);
    out += "true";
  }
  out += '}';
}

}  // namespace cx
