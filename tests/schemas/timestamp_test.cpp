#include "schemas/timestamp.h"

#include <gtest/gtest.h>

#include <string>

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
