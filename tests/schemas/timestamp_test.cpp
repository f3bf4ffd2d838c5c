#include "schemas/timestamp.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

namespace cx {
namespace {

int64_t Parse(std::string_view text) {
  EventTime t = EventTime::FromMillis(-42);
  EXPECT_TRUE(ParseRfc3339(text, t)) << text;
  return t.ms;
}

bool Rejects(std::string_view text) {
  EventTime t = EventTime::FromMillis(-42);
  const bool ok = ParseRfc3339(text, t);
  EXPECT_EQ(t.ms, -42) << "output touched for " << text;
  return !ok;
}

TEST(TimestampTest, ParsesUtcAndOffsets) {
  EXPECT_EQ(Parse("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Parse("2026-10-05T09:00:00.250Z"), 1'791'190'800'250);
  EXPECT_EQ(Parse("2026-10-05T12:00:00.250+03:00"), 1'791'190'800'250);
  EXPECT_EQ(Parse("2026-10-04T23:30:00.250-09:30"), 1'791'190'800'250);
  EXPECT_EQ(Parse("2026-10-05T09:00:00.250-00:00"), 1'791'190'800'250);
  EXPECT_EQ(Parse("2026-10-05t09:00:00.250z"), 1'791'190'800'250);
  EXPECT_EQ(Parse("1970-01-01T00:00:00+23:59"), -(23 * 3600 + 59 * 60) * 1000LL);
  EXPECT_EQ(Parse("1969-12-31T23:59:59.999Z"), -1);
}

TEST(TimestampTest, FractionsOfAnyLengthAreTruncatedToMillis) {
  EXPECT_EQ(Parse("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_EQ(Parse("1970-01-01T00:00:01.05Z"), 1050);
  EXPECT_EQ(Parse("1970-01-01T00:00:01.999999999999Z"), 1999);
  EXPECT_EQ(Parse("1970-01-01T00:00:01.0009Z"), 1000);
}

TEST(TimestampTest, CalendarIsChecked) {
  EXPECT_EQ(Parse("2028-02-29T00:00:00Z"), 1'835'395'200'000);
  EXPECT_EQ(Parse("2000-02-29T00:00:00Z"), 951'782'400'000);
  EXPECT_TRUE(Rejects("2026-02-29T00:00:00Z"));
  EXPECT_TRUE(Rejects("1900-02-29T00:00:00Z"));
  EXPECT_TRUE(Rejects("2026-02-30T00:00:00Z"));
  EXPECT_TRUE(Rejects("2026-04-31T00:00:00Z"));
  EXPECT_TRUE(Rejects("2026-00-10T00:00:00Z"));
  EXPECT_TRUE(Rejects("2026-10-00T00:00:00Z"));
  EXPECT_TRUE(Rejects("2026-13-01T00:00:00Z"));
}

TEST(TimestampTest, RejectsMalformedText) {
  for (std::string_view bad : {"",
                               "2026-10-05",
                               "2026-10-05T09:00:00",
                               "2026-10-05T09:00Z",
                               "2026-10-05 09:00:00Z",
                               "2026-10-05T24:00:00Z",
                               "2026-10-05T09:60:00Z",
                               "2026-10-05T09:00:60Z",
                               "2026-10-05T09:00:00.Z",
                               "2026-10-05T09:00:00+0300",
                               "2026-10-05T09:00:00+24:00",
                               "2026-10-05T09:00:00+03:60",
                               "2026-10-05T09:00:00+03",
                               "2026-10-05T09:00:00Z ",
                               " 2026-10-05T09:00:00Z",
                               "26-10-05T09:00:00Z",
                               "2026-1-05T09:00:00Z",
                               "2026-10-05T09:00:00.12a Z",
                               "+2026-10-05T09:00:00Z",
                               "2026-10-05T09:00:00ZZ"}) {
    EXPECT_TRUE(Rejects(bad)) << bad;
  }
}

// The parser as first written, on std::chrono's checked calendar: the reference the
// straight-line ParseRfc3339 must agree with on every input.
bool ReadDigitsReference(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

bool ParseReference(std::string_view s, EventTime& out) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigitsReference(s, 0, 4, year) || s.size() < 20 || s[4] != '-' ||
      !ReadDigitsReference(s, 5, 2, month) || s[7] != '-' || !ReadDigitsReference(s, 8, 2, day) ||
      (s[10] != 'T' && s[10] != 't') || !ReadDigitsReference(s, 11, 2, hour) || s[13] != ':' ||
      !ReadDigitsReference(s, 14, 2, minute) || s[16] != ':' ||
      !ReadDigitsReference(s, 17, 2, second)) {
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
    const size_t first = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (pos - first < 3) millis = millis * 10 + (s[pos] - '0');
      ++pos;
    }
    if (pos == first) return false;
    for (size_t i = pos - first; i < 3; ++i) millis *= 10;
  }
  if (pos >= s.size()) return false;
  int64_t offset_seconds = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int off_hour = 0, off_minute = 0;
    if (!ReadDigitsReference(s, pos + 1, 2, off_hour) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ReadDigitsReference(s, pos + 4, 2, off_minute) || off_hour > 23 || off_minute > 59) {
      return false;
    }
    offset_seconds = (off_hour * 3600 + off_minute * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  const int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  out = EventTime::FromMillis(
      (days * 86'400 + hour * 3600 + minute * 60 + second - offset_seconds) * 1000 + millis);
  return true;
}

// Valid timestamps of every year 0000-9999 (month ends, leap days, offsets, fractions), and
// each mutated: a character replaced, dropped or added. Both parsers agree on all.
TEST(TimestampTest, AgreesWithTheChronoReferenceOnValidAndMutatedText) {
  std::mt19937 random(20261207);
  auto pick = [&random](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  const std::string alphabet = "0123456789-:.TtZz+ x";
  std::vector<std::string> texts;
  for (int i = 0; i < 20000; ++i) {
    char text[64];
    const int year = i < 10000 ? i : pick(10000);
    const int month = 1 + pick(12);
    const int day = 28 + pick(4);  // the month ends, valid or not
    std::snprintf(text, sizeof(text), "%04d-%02d-%02d%c%02d:%02d:%02d", year, month,
                  pick(3) == 0 ? 1 + pick(28) : day, pick(5) == 0 ? 't' : 'T', pick(25), pick(61),
                  pick(61));
    std::string t = text;
    if (pick(2) == 0) t += "." + std::to_string(pick(100000)).substr(0, 1 + pick(5));
    switch (pick(4)) {
      case 0:
        t += "Z";
        break;
      case 1:
        t += "z";
        break;
      default: {
        char offset[16];
        std::snprintf(offset, sizeof(offset), "%c%02d:%02d", pick(2) == 0 ? '+' : '-', pick(25),
                      pick(61));
        t += offset;
      }
    }
    texts.push_back(t);
    std::string replaced = t;
    replaced[static_cast<size_t>(pick(static_cast<int>(t.size())))] =
        alphabet[static_cast<size_t>(pick(static_cast<int>(alphabet.size())))];
    texts.push_back(replaced);
    std::string dropped = t;
    dropped.erase(static_cast<size_t>(pick(static_cast<int>(t.size()))), 1);
    texts.push_back(dropped);
    std::string added = t;
    added.insert(added.begin() + pick(static_cast<int>(t.size()) + 1),
                 alphabet[static_cast<size_t>(pick(static_cast<int>(alphabet.size())))]);
    texts.push_back(added);
  }
  int accepted = 0;
  for (const std::string& t : texts) {
    EventTime got = EventTime::FromMillis(-42);
    EventTime want = EventTime::FromMillis(-42);
    const bool ok = ParseRfc3339(t, got);
    ASSERT_EQ(ok, ParseReference(t, want)) << t;
    ASSERT_EQ(got.ms, want.ms) << t;
    accepted += ok;
  }
  // Both outcomes are well represented (the generator is not all valid or all invalid).
  EXPECT_GT(accepted, 10000);
  EXPECT_LT(accepted, 60000);
}

TEST(TimestampTest, FormatsUtcWithMillisAndRoundTrips) {
  std::string out;
  AppendRfc3339Millis(EventTime::FromMillis(1'791'190'980'000), out);
  EXPECT_EQ(out, "2026-10-05T09:03:00.000Z");
  out.clear();
  AppendRfc3339Millis(EventTime::FromMillis(-1), out);
  EXPECT_EQ(out, "1969-12-31T23:59:59.999Z");
  for (int64_t ms :
       std::initializer_list<int64_t>{0, 1, 951'782'400'007, 1'835'395'200'999, kMaxEpochMillis}) {
    out.clear();
    AppendRfc3339Millis(EventTime::FromMillis(ms), out);
    EXPECT_EQ(Parse(out), ms) << out;
  }
  // Every field's digits, across the years the format allows.
  for (int64_t i = -700; i <= 2900; ++i) {
    const int64_t ms = i * 84'467'000'123 + i % 1000;
    out.clear();
    AppendRfc3339Millis(EventTime::FromMillis(ms), out);
    ASSERT_EQ(Parse(out), ms) << out;
  }
  out.clear();
  AppendRfc3339Millis(EventTime::Max(), out);
  EXPECT_EQ(out, "9999-12-31T23:59:59.999Z");
  out.clear();
  AppendRfc3339Millis(EventTime::Min(), out);
  EXPECT_EQ(out, "0000-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace cx
