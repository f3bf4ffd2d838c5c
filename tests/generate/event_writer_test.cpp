#include "generate/event_writer.h"

#include <gtest/gtest.h>

#include <string>

#include "generate/rng.h"
#include "generate/vocabulary.h"
#include "tests/generate/line_check.h"

namespace cx::gen {
namespace {

std::string Rfc3339(int64_t ms, int offset_minutes) {
  std::string out;
  AppendRfc3339(out, EventTime::FromMillis(ms), offset_minutes);
  return out;
}

TEST(EventWriter, Rfc3339KnownInstants) {
  EXPECT_EQ(Rfc3339(0, 0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(Rfc3339(1'791'190'800'250, 0), "2026-10-05T09:00:00.250Z");
  EXPECT_EQ(Rfc3339(1'791'190'800'250, 120), "2026-10-05T11:00:00.250+02:00");
  EXPECT_EQ(Rfc3339(1'791'190'800'250, -330), "2026-10-05T03:30:00.250-05:30");
  EXPECT_EQ(Rfc3339(951'782'400'000, 0), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(Rfc3339(-1, 0), "1969-12-31T23:59:59.999Z");
}

TEST(EventWriter, Rfc3339RoundTripsThroughAnIndependentParser) {
  Rng rng(5);
  EventWriter writer(false, 9);
  for (int i = 0; i < 20'000; ++i) {
    int64_t ms = rng.Between(0, 4'102'444'800'000);
    bool offset = rng.Chance(0.5);
    std::string quoted;
    writer.AppendTs(quoted, EventTime::FromMillis(ms), offset);
    ASSERT_EQ(quoted.front(), '"');
    auto parsed = test::ParseRfc3339(std::string_view(quoted).substr(1, quoted.size() - 2));
    ASSERT_TRUE(parsed.has_value()) << quoted;
    EXPECT_EQ(*parsed, ms) << quoted;
  }
}

TEST(EventWriter, WritesEveryFieldOfACall) {
  EventWriter writer(false, 9);
  PlannedEvent e;
  e.ts = EventTime::FromMillis(1'791'190'800'250);
  e.type = EventType::kCall;
  e.action = Action::kQueued;
  e.channel = kChannelPhone;
  e.contact = 3;
  e.reason = 0;
  e.flags = kWithReason | kWithTier | kVip;
  std::string out;
  writer.Append(out, e, 42, 7);
  EXPECT_EQ(out,
            "{\"event_id\":\"e-000000042-7\",\"customer_id\":\"c-000000042\",\"type\":\"call\","
            "\"action\":\"queued\",\"ts\":\"2026-10-05T09:00:00.250Z\",\"channel\":\"phone\","
            "\"tier\":\"vip\",\"contact_id\":\"call-000000042-3\",\"queue\":\"billing\","
            "\"reason\":\"billing\"}");
}

TEST(EventWriter, SurveyHasNoActionAndEpochMillisTs) {
  EventWriter writer(true, 12);
  PlannedEvent e;
  e.ts = EventTime::FromMillis(1'791'190'800'250);
  e.type = EventType::kSurvey;
  e.channel = kChannelEmail;
  e.survey = SurveyKind::kNps;
  e.number = 3;
  e.contact = 2;
  e.flags = kWithContactRef | kContactIsChat;
  std::string out;
  writer.Append(out, e, 5, 1);
  EXPECT_EQ(out,
            "{\"event_id\":\"e-000000000005-1\",\"customer_id\":\"c-000000000005\","
            "\"type\":\"survey\",\"ts\":1791190800250,\"channel\":\"email\",\"survey\":\"nps\","
            "\"score\":3,\"contact_id\":\"chat-000000000005-2\"}");
}

}  // namespace
}  // namespace cx::gen
