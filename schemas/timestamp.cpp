#include "schemas/timestamp.h"

#include <algorithm>
#include <array>
#include <chrono>

namespace cx {

namespace {

constexpr int64_t kMillisPerDay = 86'400'000;
// 0000-01-01T00:00:00.000Z in epoch milliseconds.
constexpr int64_t kMinFormattableMillis = -62'167'219'200'000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads `n` decimal digits at `pos`; false if any is not a digit.
bool ReadDigits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(s[i])) return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// "00" … "99": the two digits of n < 100.
constexpr std::array<char, 200> kTwoDigits = [] {
  std::array<char, 200> digits{};
  for (size_t n = 0; n < 100; ++n) {
    digits[2 * n] = static_cast<char>('0' + n / 10);
    digits[2 * n + 1] = static_cast<char>('0' + n % 10);
  }
  return digits;
}();

void TwoDigits(unsigned n, char* out) {
  out[0] = kTwoDigits[2 * n];
  out[1] = kTwoDigits[2 * n + 1];
}

}  // namespace

bool ParseRfc3339(std::string_view s, EventTime& out) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !ReadDigits(s, 5, 2, month) ||
      s[7] != '-' || !ReadDigits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') ||
      !ReadDigits(s, 11, 2, hour) || s[13] != ':' || !ReadDigits(s, 14, 2, minute) ||
      s[16] != ':' || !ReadDigits(s, 17, 2, second)) {
    return false;
  }
  if (hour > 23 || minute > 59 || second > 59) return false;
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return false;

  size_t pos = 19;
  int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const size_t first = pos;
    while (pos < s.size() && IsDigit(s[pos])) {
      if (pos - first < 3) millis = millis * 10 + (s[pos] - '0');
      ++pos;
    }
    const size_t digits = pos - first;
    if (digits == 0) return false;
    for (size_t i = digits; i < 3; ++i) millis *= 10;
  }
  if (pos >= s.size()) return false;

  int64_t offset_seconds = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int off_hour = 0, off_minute = 0;
    if (!ReadDigits(s, pos + 1, 2, off_hour) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ReadDigits(s, pos + 4, 2, off_minute) || off_hour > 23 || off_minute > 59) {
      return false;
    }
    offset_seconds = (off_hour * 3600 + off_minute * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size()) return false;

  const int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  const int64_t seconds = days * 86'400 + hour * 3600 + minute * 60 + second - offset_seconds;
  out = EventTime::FromMillis(seconds * 1000 + millis);
  return true;
}

void AppendRfc3339Millis(EventTime t, std::string& out) {
  char buf[24];
  FormatRfc3339Millis(t, buf);
  out.append(buf, sizeof(buf));
}

void FormatRfc3339Millis(EventTime t, char (&buf)[24]) {
  const int64_t ms = std::clamp(t.ms, kMinFormattableMillis, kMaxEpochMillis);
  int64_t days = ms / kMillisPerDay;
  int64_t in_day = ms % kMillisPerDay;
  if (in_day < 0) {
    in_day += kMillisPerDay;
    --days;
  }
  const std::chrono::year_month_day date{
      std::chrono::sys_days{std::chrono::days{static_cast<int>(days)}}};
  const auto year = static_cast<unsigned>(static_cast<int>(date.year()));  // 0000-9999
  const auto in_day_ms = static_cast<unsigned>(in_day);
  const unsigned seconds = in_day_ms / 1000;
  const unsigned millis = in_day_ms % 1000;
  // Two digits at a time (the output records format two or three timestamps each).
  TwoDigits(year / 100, buf);
  TwoDigits(year % 100, buf + 2);
  buf[4] = '-';
  TwoDigits(static_cast<unsigned>(date.month()), buf + 5);
  buf[7] = '-';
  TwoDigits(static_cast<unsigned>(date.day()), buf + 8);
  buf[10] = 'T';
  TwoDigits(seconds / 3600, buf + 11);
  buf[13] = ':';
  TwoDigits(seconds / 60 % 60, buf + 14);
  buf[16] = ':';
  TwoDigits(seconds % 60, buf + 17);
  buf[19] = '.';
  buf[20] = static_cast<char>('0' + millis / 100);
  TwoDigits(millis % 100, buf + 21);
  buf[23] = 'Z';
}

}  // namespace cx
