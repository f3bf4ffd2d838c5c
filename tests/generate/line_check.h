#pragma once

// Test helper: an independent check of a generated line against SPEC §1 (simdjson DOM and
// std::chrono, none of the generator's own code), used by the generate tests.

#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cx::test {

struct CheckedLine {
  std::string event_id, customer_id, type, action, page, element, contact_id, author, survey,
      reason, channel, tier;
  int64_t ts_ms = 0;
  int64_t results = -1, status = 0, score = -1;
};

// Parses "YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)" to epoch milliseconds.
inline std::optional<int64_t> ParseRfc3339(std::string_view s) {
  auto digits = [&](size_t pos, size_t n) -> std::optional<int> {
    if (pos + n > s.size()) return std::nullopt;
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2), mi = digits(14, 2),
       se = digits(17, 2);
  if (!y || !mo || !d || !h || !mi || !se || *h > 23 || *mi > 59 || *se > 60) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = 100;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int64_t offset_min = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    auto oh = digits(pos + 1, 2), om = digits(pos + 4, 2);
    if (!oh || !om || pos + 3 >= s.size() || s[pos + 3] != ':') return std::nullopt;
    offset_min = (*oh * 60 + *om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  int64_t days = sys_days(ymd).time_since_epoch().count();
  return ((days * 24 + *h) * 60 + *mi - offset_min) * 60'000 + *se * 1000 + millis;
}

// Returns an empty string when `line` is a valid SPEC §1 event (filling `out`), else why not.
// `max_ts_ms` stands in for "wall clock + 1 hour".
inline std::string CheckLine(std::string_view line, CheckedLine& out,
                             int64_t max_ts_ms = 4'102'444'800'000 /* 2100-01-01 */) {
  if (line.size() > 64 * 1024) return "over 64 KiB";
  simdjson::dom::parser parser;
  simdjson::padded_string padded(line);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc)) return "not JSON";
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) return "not an object";
  auto str = [&](const char* key, std::string& dst, bool required) -> bool {
    std::string_view v;
    auto err = obj[key].get_string().get(v);
    if (err) return !required && obj[key].error() == simdjson::NO_SUCH_FIELD;
    dst = std::string(v);
    return true;
  };
  auto integer = [&](const char* key, int64_t& dst) { return !obj[key].get_int64().get(dst); };
  if (!str("event_id", out.event_id, true) || out.event_id.empty() || out.event_id.size() > 128) {
    return "bad event_id";
  }
  if (!str("customer_id", out.customer_id, true) || out.customer_id.empty() ||
      out.customer_id.size() > 128) {
    return "bad customer_id";
  }
  if (!str("type", out.type, true)) return "bad type";
  if (!str("channel", out.channel, false) || !str("tier", out.tier, false))
    return "bad channel/tier";
  if (!out.tier.empty() && out.tier != "vip" && out.tier != "standard") return "bad tier";
  std::string_view ts_text;
  if (!obj["ts"].get_string().get(ts_text)) {
    auto ms = ParseRfc3339(ts_text);
    if (!ms) return "bad ts";
    out.ts_ms = *ms;
  } else if (!integer("ts", out.ts_ms)) {
    return "bad ts";
  }
  if (out.ts_ms > max_ts_ms) return "ts in the future";
  if (out.type == "survey") {
    if (!str("survey", out.survey, true) || !integer("score", out.score)) return "bad survey";
    if (!str("contact_id", out.contact_id, false)) return "bad contact_id";
    int64_t lo = out.survey == "nps" ? 0 : 1;
    int64_t hi = out.survey == "csat" ? 5 : out.survey == "nps" ? 10 : out.survey == "ces" ? 7 : -1;
    if (hi < 0) return "unknown survey";
    if (out.score < lo || out.score > hi) return "score out of range";
    return {};
  }
  if (!str("action", out.action, true)) return "bad action";
  const std::string& a = out.action;
  if (out.type == "click") {
    if (!str("page", out.page, a != "search" && a != "contact_us")) return "bad page";
    if (a == "page_view" || a == "contact_us") return {};
    if (a == "click") return str("element", out.element, true) ? "" : "bad element";
    if (a == "search")
      return integer("results", out.results) && out.results >= 0 ? "" : "bad results";
    if (a == "error") return integer("status", out.status) ? "" : "bad status";
    return "unknown click action";
  }
  if (out.type != "call" && out.type != "chat") return "unknown type";
  if (!str("contact_id", out.contact_id, true) || out.contact_id.empty()) return "bad contact_id";
  if (!str("reason", out.reason, false)) return "bad reason";
  if (a == "transferred" || a == "ended" || a == "abandoned") return {};
  if (out.type == "call") return a == "queued" || a == "answered" ? "" : "unknown call action";
  if (a == "started") return {};
  if (a != "message") return "unknown chat action";
  if (!str("author", out.author, true)) return "bad author";
  return out.author == "customer" || out.author == "agent" || out.author == "bot" ? ""
                                                                                  : "bad author";
}

}  // namespace cx::test
