#include <gtest/gtest.h>

#include "tests/processors/harness.h"

namespace cx::testing {
namespace {

// A call that is answered at once and ended: a contact with no SLA effects.
std::vector<Ev> QuickCall(const std::string& id, int64_t ts, const std::string& reason = "") {
  return {Call(id + "q", ts, Action::kQueued, id, reason),
          Call(id + "a", ts + kSec, Action::kAnswered, id),
          Call(id + "e", ts + kMin, Action::kEnded, id)};
}

TEST(RepeatContact, SecondContactWithin7DaysWithSameReason) {
  Harness h;
  h.Apply(QuickCall("c1", kT0, "billing"));
  EXPECT_EQ(h.Count(SignalKind::kContactRepeat), 0);
  h.Apply(QuickCall("c2", kT0 + 7 * kDay, "billing"));
  ASSERT_EQ(h.Count(SignalKind::kContactRepeat), 1);
  const Signal* s = h.Last(SignalKind::kContactRepeat);
  EXPECT_EQ(s->count_7d, 2);
  EXPECT_TRUE(s->same_reason);
  EXPECT_EQ(s->reason, "billing");
  EXPECT_EQ(s->contact_id, "c2");
  EXPECT_EQ(s->ts.ms, kT0 + 7 * kDay);
  EXPECT_EQ(h.Count(AlertKind::kRepeatContact), 0);
}

TEST(RepeatContact, JustOver7DaysIsNoRepeat) {
  Harness h;
  h.Apply(QuickCall("c1", kT0, "billing"));
  h.Apply(QuickCall("c2", kT0 + 7 * kDay + 1, "billing"));
  EXPECT_EQ(h.Count(SignalKind::kContactRepeat), 0);
}

TEST(RepeatContact, DifferentOrMissingReasonIsNotSame) {
  Harness h;
  h.Apply(QuickCall("c1", kT0, "billing"));
  h.Apply(QuickCall("c2", kT0 + kHour, "delivery"));
  h.Apply(QuickCall("c3", kT0 + 2 * kHour));
  ASSERT_EQ(h.Count(SignalKind::kContactRepeat), 2);
  EXPECT_FALSE(h.signals[0].same_reason);
  for (const Signal& signal : h.signals) {
    if (signal.kind != SignalKind::kContactRepeat) continue;
    EXPECT_EQ(signal.reason, "delivery");  // the first repeat contact's own reason
    break;
  }
  EXPECT_FALSE(h.Last(SignalKind::kContactRepeat)->same_reason);
  EXPECT_EQ(h.Last(SignalKind::kContactRepeat)->reason, "");
}

TEST(RepeatContact, AlertAtThreeWarningEscalatesAtFive) {
  Harness h;
  h.Apply(QuickCall("c1", kT0));
  h.Apply(QuickCall("c2", kT0 + kHour));
  EXPECT_EQ(h.Count(AlertKind::kRepeatContact), 0);
  h.Apply(QuickCall("c3", kT0 + 2 * kHour));
  ASSERT_EQ(h.Count(AlertKind::kRepeatContact), 1);
  EXPECT_EQ(h.Last(AlertKind::kRepeatContact)->severity, Severity::kWarning);
  EXPECT_EQ(h.Last(AlertKind::kRepeatContact)->reasons[0].code, "repeat_contacts");
  EXPECT_EQ(h.Last(AlertKind::kRepeatContact)->reasons[0].detail, "3 contacts in 7 days");
  h.Apply(QuickCall("c4", kT0 + 3 * kHour));
  EXPECT_EQ(h.Count(AlertKind::kRepeatContact), 1);  // cooldown
  h.Apply(QuickCall("c5", kT0 + 4 * kHour));
  ASSERT_EQ(h.Count(AlertKind::kRepeatContact), 2);  // escalation
  EXPECT_EQ(h.Last(AlertKind::kRepeatContact)->severity, Severity::kCritical);
  h.Apply(QuickCall("c6", kT0 + 5 * kHour));
  EXPECT_EQ(h.Count(AlertKind::kRepeatContact), 2);
  // The repeat contacts are effort inputs (+15 each), contacts are a risk condition.
  EXPECT_NEAR(h.state.effort.value, 5 * 15, 2);  // 4 h of decay
}

TEST(RepeatContact, VipGetsCriticalAtThree) {
  Harness h;
  h.Apply(QuickCall("c1", kT0));
  h.Apply(QuickCall("c2", kT0 + kHour));
  Ev vip = Call("c3q", kT0 + 2 * kHour, Action::kQueued, "c3");
  vip.tier = Tier::kVip;
  h.Apply(vip);
  ASSERT_EQ(h.Count(AlertKind::kRepeatContact), 1);
  EXPECT_EQ(h.Last(AlertKind::kRepeatContact)->severity, Severity::kCritical);
}

TEST(ChannelSwitch, ChatAfterHelpPagesAddsEffort) {
  Harness h;
  h.Apply(PageView("p", kT0, "/help/returns"));
  h.Apply(Chat("s", kT0 + kHour, Action::kStarted, "chat-1"));
  EXPECT_NEAR(h.state.effort.value, 10, 1e-9);
}

TEST(ChannelSwitch, CallMoreThan24hAfterSelfServiceIsNoSwitch) {
  Harness h;
  h.Apply(PageView("p", kT0, "/help/returns"));
  h.Apply(Call("q", kT0 + kDay + 1, Action::kQueued, "call-1"));
  EXPECT_EQ(h.state.effort.value, 0);
}

TEST(ChannelSwitch, CallAfterChatIsSwitchAndRepeat) {
  Harness h;
  h.Apply({Chat("s", kT0, Action::kStarted, "chat-1"),
           Chat("e", kT0 + 10 * kSec, Action::kEnded, "chat-1")});
  h.Apply(Call("q", kT0 + kHour, Action::kQueued, "call-1"));
  // repeat +15, channel switch +10 (decay over 1 h is tiny)
  EXPECT_NEAR(h.state.effort.value, 25, 0.5);
}

TEST(ContactEffort, TransferAddsTen) {
  Harness h;
  h.Apply({Call("q", kT0, Action::kQueued, "call-1"),
           Call("a", kT0 + 5 * kSec, Action::kAnswered, "call-1"),
           Call("t", kT0 + kMin, Action::kTransferred, "call-1")});
  EXPECT_NEAR(h.state.effort.value, 10, 1e-9);
  EXPECT_EQ(h.state.effort_emitted, 10);
}

}  // namespace
}  // namespace cx::testing
