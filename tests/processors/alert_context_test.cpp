// SPEC §4: alerts carry the context a rep needs, where known — the customer's tier, and for an
// alert about a contact that contact's channel, queue and reason.
#include <gtest/gtest.h>

#include "tests/processors/harness.h"

namespace cx::testing {
namespace {

// A call answered within its target and ended: it counts as a contact and breaches nothing.
std::vector<Ev> AnsweredCall(const std::string& id, int64_t ts) {
  return {Call(id + "q", ts, Action::kQueued, id), Call(id + "a", ts + kSec, Action::kAnswered, id),
          Call(id + "e", ts + kMin, Action::kEnded, id)};
}

TEST(AlertContext, SlaBreachCarriesTierAndTheContactsChannelQueueReason) {
  Harness h;
  Ev queued = Call("q", kT0, Action::kQueued, "call-1", "refund");
  queued.channel = "phone";
  queued.queue = "billing";
  queued.tier = Tier::kVip;
  h.Apply(queued);
  h.AdvanceWatermark(kT0 + 61 * kSec);
  const Alert* a = h.Last(AlertKind::kSlaBreach);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->tier, Tier::kVip);
  EXPECT_EQ(a->channel, "phone");
  EXPECT_EQ(a->queue, "billing");
  EXPECT_EQ(a->reason, "refund");
}

TEST(AlertContext, ChannelFallsBackToTheContactTypeAndUnknownStaysEmpty) {
  Harness h;
  h.Apply(Chat("s", kT0, Action::kStarted, "chat-1"));
  h.AdvanceWatermark(kT0 + 200 * kSec);
  const Alert* a = h.Last(AlertKind::kSlaBreach);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->tier, Tier::kUnset);
  EXPECT_EQ(a->channel, "chat");
  EXPECT_TRUE(a->queue.empty());
  EXPECT_TRUE(a->reason.empty());
}

TEST(AlertContext, RepeatContactCarriesTheNewContactsContext) {
  Harness h;
  h.Apply(AnsweredCall("c1", kT0));
  h.Apply(AnsweredCall("c2", kT0 + kHour));
  Ev third = Call("c3-q", kT0 + 2 * kHour, Action::kQueued, "c3", "delivery");
  third.queue = "orders";
  h.Apply(third);
  const Alert* a = h.Last(AlertKind::kRepeatContact);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->contact_id, "c3");
  EXPECT_EQ(a->channel, "phone");  // an untagged call (issue 8: untagged calls are phone)
  EXPECT_EQ(a->queue, "orders");
  EXPECT_EQ(a->reason, "delivery");
}

// A survey about a contact: whether its closed contact is still in state depends on the
// watermark, so its alert carries no contact context (live and replay must agree).
TEST(AlertContext, LowScoreAboutAContactHasTierOnly) {
  Harness h;
  Ev queued = Call("q", kT0, Action::kQueued, "call-1", "refund");
  queued.queue = "billing";
  h.Apply(queued);
  Ev survey = Survey("s", kT0 + kSec, SurveyKind::kCsat, 1);
  survey.contact = "call-1";
  h.Apply(survey);
  const Alert* a = h.Last(AlertKind::kLowScore);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->contact_id, "call-1");
  EXPECT_TRUE(a->channel.empty());
  EXPECT_TRUE(a->queue.empty());
  EXPECT_TRUE(a->reason.empty());
}

TEST(AlertContext, AlertNotAboutAContactHasTierOnly) {
  Harness h;
  Ev queued = Call("q", kT0, Action::kQueued, "call-1", "refund");
  queued.tier = Tier::kStandard;
  h.Apply(queued);
  h.Apply(Survey("s", kT0 + kSec, SurveyKind::kCsat, 1));
  const Alert* a = h.Last(AlertKind::kLowScore);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->tier, Tier::kStandard);
  EXPECT_TRUE(a->channel.empty());
  EXPECT_TRUE(a->queue.empty());
  EXPECT_TRUE(a->reason.empty());
}

}  // namespace
}  // namespace cx::testing
