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

// The value of the two decimal digits at `p`, or -1 when either is not one.
int TwoDigitsAt(const char* p) {
  const unsigned tens = static_cast<unsigned char>(p[0]) - unsigned{'0'};
  const unsigned ones = static_cast<unsigned char>(p[1]) - unsigned{'0'};
  return tens < 10 && ones < 10 ? static_cast<int>(tens * 10 + ones) : -1;
}

bool IsLeapYear(int year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

// 28 to 31 for `month` 1..12 of `year` (proleptic Gregorian, as std::chrono).
int DaysInMonth(int year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to a valid date of years 0..9999: H. Hinnant's days_from_civil, the
// arithmetic std::chrono::sys_days does, without its range checks.
int64_t DaysFromCivil(int year, int month, int day) {
  if (month <= 2) --year;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const auto day_of_year =
      static_cast<unsigned>((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1);
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return int64_t{era} * 146'097 + int64_t{day_of_era} - 719'468;
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
  // Straight-line over the fixed positions: every event has one, so this is on the decoder's
  // hot path (std::chrono's checked conversions cost twice as much).
  if (s.size() < 20) return false;
  const char* p = s.data();
  const int century = TwoDigitsAt(p);
  const int year_in_century = TwoDigitsAt(p + 2);
  const int month = TwoDigitsAt(p + 5);
  const int day = TwoDigitsAt(p + 8);
  const int hour = TwoDigitsAt(p + 11);
  const int minute = TwoDigitsAt(p + 14);
  const int second = TwoDigitsAt(p + 17);
  if ((century | year_in_century | month | day | hour | minute | second) < 0 || p[4] != '-' ||
      p[7] != '-' || (p[10] != 'T' && p[10] != 't') || p[13] != ':' || p[16] != ':') {
    return false;
  }
  const int year = century * 100 + year_in_century;
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return false;
  }

  size_t pos = 19;
  int64_t millis = 0;
  if (s[pos] == '.') {
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
    if (pos + 1 != s.size()) return false;
  } else if (s[pos] == '+' || s[pos] == '-') {
    if (pos + 6 != s.size()) return false;
    const int off_hour = TwoDigitsAt(p + pos + 1);
    const int off_minute = TwoDigitsAt(p + pos + 4);
    if (off_hour < 0 || off_minute < 0 || s[pos + 3] != ':' || off_hour > 23 || off_minute > 59) {
      return false;
    }
    offset_seconds = (off_hour * 3600 + off_minute * 60) * (s[pos] == '-' ? -1 : 1);
  } else {
    return false;
  }

  const int64_t days = DaysFromCivil(year, month, day);
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
