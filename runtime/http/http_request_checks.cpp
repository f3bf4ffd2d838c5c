#include "runtime/http/http_request_checks.h"

#include <charconv>
#include <cstdint>

namespace cx {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Counts the code points of valid UTF-8 text that has no control characters; -1 otherwise.
int64_t CountPrintableCodePoints(std::string_view text) {
  int64_t count = 0;
  size_t i = 0;
  while (i < text.size()) {
    auto lead = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t code = 0;
    if (lead < 0x80) {
      length = 1;
      code = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code = lead & 0x07;
    } else {
      return -1;
    }
    if (i + length > text.size()) return -1;
    for (size_t k = 1; k < length; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return -1;
      code = (code << 6) | (next & 0x3F);
    }
    constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMinForLength[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return -1;
    }
    if (code < 0x20 || (code >= 0x7F && code < 0xA0)) return -1;
    i += length;
    ++count;
  }
  return count;
}

}  // namespace

std::optional<std::string> DecodeCustomerId(std::string_view segment) {
  std::string id;
  id.reserve(segment.size());
  for (size_t i = 0; i < segment.size(); ++i) {
    char c = segment[i];
    if (c == '%') {
      if (i + 2 >= segment.size()) return std::nullopt;
      int high = HexValue(segment[i + 1]);
      int low = HexValue(segment[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      id.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (c == '/' || c == '?' || c == '#') {
      return std::nullopt;
    } else {
      id.push_back(c);
    }
  }
  int64_t chars = CountPrintableCodePoints(id);
  if (chars < 1 || chars > static_cast<int64_t>(kMaxCustomerIdChars)) return std::nullopt;
  return id;
}

std::string EncodePathSegment(std::string_view text) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    }
  }
  return out;
}

bool BearerTokenMatches(std::string_view authorization, std::string_view token) {
  constexpr std::string_view kScheme = "bearer ";
  if (token.empty() || authorization.size() < kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    char c = authorization[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return false;
  }
  std::string_view given = authorization.substr(kScheme.size());
  unsigned difference = given.size() == token.size() ? 0U : 1U;
  for (size_t i = 0; i < token.size(); ++i) {
    auto expected = static_cast<unsigned char>(token[i]);
    auto actual = static_cast<unsigned char>(i < given.size() ? given[i] : ~token[i]);
    difference |= static_cast<unsigned>(expected ^ actual);
  }
  return difference == 0;
}

bool AcceptsEventStream(std::string_view accept) {
  return accept.find("text/event-stream") != std::string_view::npos;
}

std::string FormatSseEvent(std::string_view data) {
  std::string out;
  out.reserve(data.size() + 8);
  size_t start = 0;
  while (true) {
    size_t end = data.find_first_of("\r\n", start);
    out += "data: ";
    out.append(data.substr(start, end == std::string_view::npos ? end : end - start));
    out += '\n';
    if (end == std::string_view::npos) break;
    start = end + 1;
    if (data[end] == '\r' && start < data.size() && data[start] == '\n') ++start;
  }
  out += '\n';
  return out;
}

unsigned OversizedHeaderStatus(std::string_view parsed_target, std::string_view unparsed,
                               size_t max_request_line) {
  size_t line = parsed_target.size();
  if (parsed_target.empty()) {
    size_t end = unparsed.find("\r\n");
    line = end == std::string_view::npos ? unparsed.size() : end;
  }
  return line > max_request_line ? 414U : 431U;
}

RequestTarget SplitTarget(std::string_view target) {
  size_t question = target.find('?');
  if (question == std::string_view::npos) return {target, {}};
  return {target.substr(0, question), target.substr(question + 1)};
}

std::optional<size_t> AlertsLimit(std::string_view query) {
  size_t limit = 0;
  std::string_view text = QueryParameter(query, "limit");
  if (text.empty()) return limit;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
  if (ec != std::errc() || end != text.data() + text.size() || limit > kMaxAlertsLimit) {
    return std::nullopt;
  }
  return limit;
}

std::string_view QueryParameter(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
        pair[name.size()] == '=') {
      return pair.substr(name.size() + 1);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace cx
