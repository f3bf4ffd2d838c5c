#include "schemas/json_writer.h"

#include <simdjson.h>

#include <boost/archive/iterators/base64_from_binary.hpp>
#include <boost/archive/iterators/transform_width.hpp>
#include <charconv>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

void AppendBase64(std::string_view bytes, std::string& out) {
  using Base64 = boost::archive::iterators::base64_from_binary<
      boost::archive::iterators::transform_width<const char*, 6, 8>>;
  out.append(Base64(bytes.data()), Base64(bytes.data() + bytes.size()));
  out.append((3 - bytes.size() % 3) % 3, '=');
}

// Whether any byte of the 8-byte word `w` is below 0x20, at or above 0x80, '"' or '\\'. Exact
// as a yes/no (the classic "has a byte less than n" and "has a zero byte" tests of Bit Twiddling
// Hacks; their false positives only occur in words that also hold a byte >= 0x80).
constexpr bool WordNeedsCare(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const uint64_t below_space = (w - kOnes * 0x20) & ~w;
  const uint64_t quote = w ^ (kOnes * '"');
  const uint64_t backslash = w ^ (kOnes * '\\');
  const uint64_t has_quote = (quote - kOnes) & ~quote;
  const uint64_t has_backslash = (backslash - kOnes) & ~backslash;
  return ((w | below_space | has_quote | has_backslash) & kHigh) != 0;
}

#if defined(__SSE2__)
// The same test for the 16 bytes at `p`, with SSE2 (in every x86-64 CPU): a signed compare
// below 0x20 also catches every byte >= 0x80 (negative as a signed byte).
bool BlockNeedsCare(const char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i control_or_high = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
  const __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
  const __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
  return _mm_movemask_epi8(_mm_or_si128(control_or_high, _mm_or_si128(quote, backslash))) != 0;
}
#endif

// Whether every byte of `text` is ASCII that JSON writes as is (no control character, quote
// or backslash): almost every id, name and detail. One pass instead of UTF-8 validation plus an
// escape scan, 16 bytes at a time with SSE2, else 8 (byte by byte it was 4 % of the
// instructions of a first-sighting replay, 8 at a time still 6 %). The last block overlaps the
// ones before it.
bool IsPlainAscii(std::string_view text) {
  const char* p = text.data();
  const size_t size = text.size();
  if (size < 8) {
    unsigned char bad = 0;
    for (size_t i = 0; i < size; ++i) {
      const auto u = static_cast<unsigned char>(p[i]);
      bad |= static_cast<unsigned char>((u < 0x20) | (u >= 0x80) | (u == '"') | (u == '\\'));
    }
    return bad == 0;
  }
#if defined(__SSE2__)
  if (size >= 16) {
    for (size_t at = 0; at + 16 < size; at += 16) {
      if (BlockNeedsCare(p + at)) return false;
    }
    return !BlockNeedsCare(p + size - 16);
  }
#endif
  uint64_t w = 0;
  for (size_t at = 0; at + 8 < size; at += 8) {
    std::memcpy(&w, p + at, 8);
    if (WordNeedsCare(w)) {
      return false;
    }
  }
  std::memcpy(&w, p + size - 8, 8);  // the last eight bytes (overlapping the words before)
  return !WordNeedsCare(w);
}

// Appends one JSON object to a string through a cursor: the string grows in steps (Reserve) and
// each piece is stored in place, so a key (a literal of known length) is a few stores instead of
// a capacity check and a memcpy call. Trims the string to what was written when destroyed.
class JsonCursor {
 public:
  explicit JsonCursor(std::string& out) : out_(out), pos_(out.size()) {}
  ~JsonCursor() { out_.resize(pos_); }
  JsonCursor(const JsonCursor&) = delete;
  JsonCursor& operator=(const JsonCursor&) = delete;

  // A literal: punctuation, or `,"key":` with its comma, quotes and colon.
  template <size_t N>
  void Raw(const char (&text)[N]) {
    Reserve(N - 1);
    std::memcpy(out_.data() + pos_, text, N - 1);  // a constant size: inlined as a few stores
    pos_ += N - 1;
  }
  void Put(const char* data, size_t size) {
    Reserve(size);
    std::memcpy(out_.data() + pos_, data, size);
    pos_ += size;
  }
  // `text` as a JSON string (see AppendJsonString).
  void String(std::string_view text) {
    if (!IsPlainAscii(text)) {
      scratch_.clear();
      AppendJsonString(text, scratch_);
      Put(scratch_.data(), scratch_.size());
      return;
    }
    Reserve(text.size() + 2);
    char* p = out_.data() + pos_;
    p[0] = '"';
    std::memcpy(p + 1, text.data(), text.size());
    p[text.size() + 1] = '"';
    pos_ += text.size() + 2;
  }
  // `key` is `,"name":` (or `{"name":`): the key literal, then the value.
  template <size_t N>
  void String(const char (&key)[N], std::string_view value) {
    Raw(key);
    String(value);
  }
  template <size_t N>
  void Int(const char (&key)[N], int64_t value) {
    Raw(key);
    Int(value);
  }
  void StringArray(const std::vector<std::string>& values) {
    Raw("[");
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) Raw(",");
      String(values[i]);
    }
    Raw("]");
  }
  void Int(int64_t value) {
    Reserve(24);
    char* p = out_.data() + pos_;
    pos_ += static_cast<size_t>(std::to_chars(p, p + 24, value).ptr - p);
  }
  void Ts(EventTime ts) {
    char text[24];
    FormatRfc3339Millis(ts, text);
    Reserve(sizeof(text) + 2);
    char* p = out_.data() + pos_;
    p[0] = '"';
    std::memcpy(p + 1, text, sizeof(text));
    p[sizeof(text) + 1] = '"';
    pos_ += sizeof(text) + 2;
  }

 private:
  static constexpr size_t kGrowStep = 512;
  void Reserve(size_t n) {
    if (out_.size() - pos_ < n) out_.resize(pos_ + n + kGrowStep);
  }

  std::string& out_;
  size_t pos_;
  std::string scratch_;
};

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
  JsonCursor w(out);
  w.String("{\"alert_id\":", alert.alert_id);
  w.String(",\"customer_id\":", alert.customer_id);
  w.String(",\"kind\":", ToString(alert.kind));
  w.String(",\"severity\":", ToString(alert.severity));
  w.Raw(",\"ts\":");
  w.Ts(alert.ts);
  if (!alert.contact_id.empty()) {
    w.String(",\"contact_id\":", alert.contact_id);
  }
  if (alert.tier != Tier::kUnset) {
    w.String(",\"tier\":", ToString(alert.tier));
  }
  if (!alert.channel.empty()) {
    w.String(",\"channel\":", alert.channel);
  }
  if (!alert.queue.empty()) {
    w.String(",\"queue\":", alert.queue);
  }
  if (!alert.reason.empty()) {
    w.String(",\"reason\":", alert.reason);
  }
  w.Raw(",\"reasons\":[");
  for (size_t i = 0; i < alert.reasons.size(); ++i) {
    const AlertReason& reason = alert.reasons[i];
    if (i > 0) w.Raw(",");
    w.String("{\"code\":", reason.code);
    w.String(",\"detail\":", reason.detail);
    w.Raw(",\"event_ids\":");
    w.StringArray(reason.event_ids);
    w.Raw("}");
  }
  w.Int("],\"effort_score\":", alert.effort_score);
  w.Int(",\"risk_score\":", alert.risk_score);
  w.String(",\"recommended_action\":", RecommendedAction(alert.kind, alert.severity));
  w.Raw("}");
}

void AppendSignalJson(const Signal& signal, std::string& out) {
  JsonCursor w(out);
  w.String("{\"signal_id\":", signal.signal_id);
  w.String(",\"type\":", ToString(signal.kind));
  w.String(",\"customer_id\":", signal.customer_id);
  w.Raw(",\"ts\":");
  w.Ts(signal.ts);
  switch (signal.kind) {
    case SignalKind::kSlaBreached:
    case SignalKind::kSlaMet:
    case SignalKind::kSlaEnded:
      w.String(",\"contact_id\":", signal.contact_id);
      w.String(",\"channel\":", signal.channel);
      w.String(",\"sla\":", ToString(signal.sla));
      w.Int(",\"target_ms\":", signal.target_ms);
      w.Int(",\"elapsed_ms\":", signal.elapsed_ms);
      w.String(",\"outcome\":", ToString(signal.outcome));
      break;
    case SignalKind::kContactRepeat:
      w.String(",\"contact_id\":", signal.contact_id);
      w.String(",\"channel\":", signal.channel);
      w.Int(",\"count_7d\":", signal.count_7d);
      if (signal.same_reason) {
        w.Raw(",\"same_reason\":true");
      } else {
        w.Raw(",\"same_reason\":false");
      }
      if (!signal.reason.empty()) {
        w.String(",\"reason\":", signal.reason);
      }
      break;
    case SignalKind::kEffortUpdated:
    case SignalKind::kRiskUpdated:
      w.Int(",\"score\":", signal.score);
      w.Int(",\"previous\":", signal.previous);
      break;
  }
  w.Raw(",\"event_ids\":");
  w.StringArray(signal.event_ids);
  w.Raw("}");
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
