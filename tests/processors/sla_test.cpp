#include <gtest/gtest.h>

#include "tests/processors/harness.h"

namespace cx::testing {
namespace {

TEST(SlaCall, AnsweredAtTargetIsMet) {
  Harness h;
  h.Apply({Call("q", kT0, Action::kQueued, "call-1"),
           Call("a", kT0 + 20 * kSec, Action::kAnswered, "call-1")});
  h.Finish();
  ASSERT_EQ(h.Count(SignalKind::kSlaMet), 1);
  EXPECT_EQ(h.Count(SignalKind::kSlaBreached), 0);
  const Signal* met = h.Last(SignalKind::kSlaMet);
  EXPECT_EQ(met->sla, SlaKind::kCallAnswer);
  EXPECT_EQ(met->elapsed_ms, 20 * kSec);
  EXPECT_EQ(met->target_ms, 20 * kSec);
  EXPECT_EQ(met->channel, "call");
  EXPECT_EQ(met->ts.ms, kT0 + 20 * kSec);
}

TEST(SlaCall, AnsweredJustAfterTargetIsBreachedOnceAtTheDeadline) {
  Harness h;
  h.Apply({Call("q", kT0, Action::kQueued, "call-1"),
           Call("a", kT0 + 20 * kSec + 1, Action::kAnswered, "call-1")});
  h.Finish();
  EXPECT_EQ(h.Count(SignalKind::kSlaMet), 0);
  ASSERT_EQ(h.Count(SignalKind::kSlaBreached), 1);
  EXPECT_EQ(h.Last(SignalKind::kSlaBreached)->ts.ms, kT0 + 20 * kSec);
  EXPECT_EQ(h.state.breaches.size(), 1u);
  EXPECT_EQ(h.Count(AlertKind::kSlaBreach), 0);  // answered well before 3 x target
}

TEST(SlaCall, BreachTimerFiresWithNoFurtherEvents) {
  Harness h;
  h.Apply(Call("q", kT0, Action::kQueued, "call-1"));
  EXPECT_EQ(NextDeadline(h.state).ms, kT0 + 20 * kSec);
  h.AdvanceWatermark(kT0 + 20 * kSec);  // a timer fires once the watermark has passed it
  EXPECT_EQ(h.Count(SignalKind::kSlaBreached), 0);
  h.AdvanceWatermark(kT0 + 20 * kSec + 1);
  ASSERT_EQ(h.Count(SignalKind::kSlaBreached), 1);
  EXPECT_EQ(h.Last(SignalKind::kSlaBreached)->ts.ms, kT0 + 20 * kSec);
  EXPECT_EQ(h.Last(SignalKind::kSlaBreached)->elapsed_ms, 20 * kSec);
  // Next: the long-wait alert at 3 x target.
  EXPECT_EQ(NextDeadline(h.state).ms, kT0 + 60 * kSec);
  h.AdvanceWatermark(kT0 + 60 * kSec);
  EXPECT_EQ(h.Count(AlertKind::kSlaBreach), 0);
  h.AdvanceWatermark(kT0 + 60 * kSec + 1);
  ASSERT_EQ(h.Count(AlertKind::kSlaBreach), 1);
  const Alert* a = h.Last(AlertKind::kSlaBreach);
  EXPECT_EQ(a->severity, Severity::kWarning);
  EXPECT_EQ(a->ts.ms, kT0 + 60 * kSec);
  EXPECT_EQ(a->contact_id, "call-1");
  ASSERT_EQ(a->reasons.size(), 1u);
  EXPECT_EQ(a->reasons[0].code, "call_answer_breach");
  EXPECT_EQ(a->reasons[0].detail, "no agent answer for 60 s");
  EXPECT_EQ(a->reasons[0].event_ids, std::vector<std::string>{"q"});
  EXPECT_EQ(a->effort_score, 15);  // the breach
  EXPECT_EQ(NextDeadline(h.state), EventTime::Max());
  // The late answer is no second breach and no met; sla.ended gives the wait's real length.
  h.Apply(Call("a", kT0 + 70 * kSec, Action::kAnswered, "call-1"));
  EXPECT_EQ(h.Count(SignalKind::kSlaBreached), 1);
  EXPECT_EQ(h.Count(SignalKind::kSlaMet), 0);
  ASSERT_EQ(h.Count(SignalKind::kSlaEnded), 1);
  EXPECT_EQ(h.Last(SignalKind::kSlaEnded)->elapsed_ms, 70 * kSec);
  EXPECT_EQ(h.Last(SignalKind::kSlaEnded)->outcome, SlaOutcome::kAnswered);
}

TEST(SlaCall, AnswerAfterTheDeadlineBeforeTheTimerWaitsForTheWatermark) {
  Harness h;
  h.Apply({Call("q", kT0, Action::kQueued, "call-1"),
           Call("a", kT0 + 22 * kSec, Action::kAnswered, "call-1")});
  // The watermark (17 s) has not passed the deadline: nothing is decided yet.
  EXPECT_EQ(h.Count(SignalKind::kSlaBreached), 0);
  EXPECT_EQ(NextDeadline(h.state).ms, kT0 + 20 * kSec);
  h.AdvanceWatermark(kT0 + 20 * kSec + 1);
  ASSERT_EQ(h.Count(SignalKind::kSlaBreached), 1);
  EXPECT_EQ(h.Last(SignalKind::kSlaBreached)->ts.ms, kT0 + 20 * kSec);
  EXPECT_EQ(h.Last(SignalKind::kSlaBreached)->elapsed_ms, 20 * kSec);  // still waiting then
  ASSERT_EQ(h.Count(SignalKind::kSlaEnded), 1);
  EXPECT_EQ(h.Last(SignalKind::kSlaEnded)->elapsed_ms, 22 * kSec);
  EXPECT_EQ(h.signals.front().kind, SignalKind::kSlaBreached);  // the breach comes first
}

TEST(SlaCall, AbandonAtExactlyTheTargetMeetsIt) {
  Harness h;
  h.Apply({Call("q", kT0, Action::kQueued, "call-1"),
           Call("x", kT0 + 20 * kSec, Action::kAbandoned, "call-1")});
  h.AdvanceWatermark(kT0 + kHour);
  EXPECT_EQ(h.Count(SignalKind::kSlaBreached), 0);
  EXPECT_EQ(h.Count(AlertKind::kSlaBreach), 0);
  ASSERT_EQ(h.Count(SignalKind::kSlaEnded), 1);
  EXPECT_EQ(h.Last(SignalKind::kSlaEnded)->outcome, SlaOutcome::kAbandoned);
  EXPECT_EQ(h.Last(SignalKind::kSlaEnded)->elapsed_ms, 20 * kSec);
}

TEST(SlaCall, AbandonedAfterBreachIsCriticalAndEscalatesPastCooldown) {
  Harness h;
  h.Apply(Call("q", kT0, Action::kQueued, "call-1"));
  h.AdvanceWatermark(kT0 + 61 * kSec);
  ASSERT_EQ(h.Count(AlertKind::kSlaBreach), 1);
  h.Apply(Call("x", kT0 + 90 * kSec, Action::kAbandoned, "call-1"));
  ASSERT_EQ(h.Count(AlertKind::kSlaBreach), 2);
  const Alert* a = h.Last(AlertKind::kSlaBreach);
  EXPECT_EQ(a->severity, Severity::kCritical);
  EXPECT_EQ(a->reasons[0].code, "abandoned_after_breach");
  EXPECT_EQ(a->reasons[0].event_ids, (std::vector<std::string>{"q", "x"}));
  EXPECT_EQ(a->ts.ms, kT0 + 90 * kSec);
  EXPECT_EQ(a->effort_score, 35);  // breach 15 + abandoned 20 (decay negligible)
}

TEST(SlaCall, AbandonedBeforeTheDeadlineIsNoBreach) {
  Harness h;
  h.Apply({Call("q", kT0, Action::kQueued, "call-1"),
           Call("x", kT0 + 19 * kSec, Action::kAbandoned, "call-1")});
  h.Finish();
  h.AdvanceWatermark(kT0 + kHour);
  EXPECT_EQ(h.Count(SignalKind::kSlaBreached), 0);
  EXPECT_EQ(h.Count(AlertKind::kSlaBreach), 0);
  EXPECT_EQ(h.state.effort_emitted, 20);  // abandoned +20
}

TEST(SlaCall, AbandonedAfterTargetBeforeTimerRecordsBreachThenCritical) {
  Harness h;
  h.config.lateness = Duration::Seconds(30);  // the timer has not fired when the abandon comes
  h.Apply({Call("q", kT0, Action::kQueued, "call-1"),
           Call("x", kT0 + 25 * kSec, Action::kAbandoned, "call-1")});
  // In time order the deadline comes first: nothing until the watermark passes it.
  EXPECT_EQ(h.Count(SignalKind::kSlaBreached), 0);
  EXPECT_EQ(h.Count(AlertKind::kSlaBreach), 0);
  h.Finish();
  EXPECT_EQ(h.Count(SignalKind::kSlaBreached), 1);
  ASSERT_EQ(h.Count(AlertKind::kSlaBreach), 1);
  EXPECT_EQ(h.Last(AlertKind::kSlaBreach)->severity, Severity::kCritical);
  EXPECT_EQ(h.Last(AlertKind::kSlaBreach)->ts.ms, kT0 + 25 * kSec);
}

TEST(SlaChat, FirstReplyIgnoresBotAndStartsAtStarted) {
  Harness h;
  h.Apply({Chat("s", kT0, Action::kStarted, "chat-9"),
           Msg("m1", kT0 + 5 * kSec, "chat-9", Author::kCustomer),
           Msg("b1", kT0 + 6 * kSec, "chat-9", Author::kBot),
           Msg("a1", kT0 + 60 * kSec, "chat-9", Author::kAgent)});
  h.Finish();
  ASSERT_EQ(h.Count(SignalKind::kSlaMet), 1);
  EXPECT_EQ(h.Last(SignalKind::kSlaMet)->sla, SlaKind::kChatFirstReply);
  EXPECT_EQ(h.Last(SignalKind::kSlaMet)->elapsed_ms, 60 * kSec);
}

TEST(SlaChat, FirstReplyBreachAndLongWaitAlertAt180s) {
  Harness h;
  h.Apply({Chat("s", kT0, Action::kStarted, "chat-9"),
           Msg("m1", kT0 + 1 * kSec, "chat-9", Author::kCustomer)});
  EXPECT_EQ(NextDeadline(h.state).ms, kT0 + 60 * kSec);
  h.AdvanceWatermark(kT0 + 180 * kSec);  // the long-wait timer waits until it is passed
  EXPECT_EQ(h.Count(SignalKind::kSlaBreached), 1);
  EXPECT_EQ(h.Count(AlertKind::kSlaBreach), 0);
  h.AdvanceWatermark(kT0 + 180 * kSec + 1);
  ASSERT_EQ(h.Count(AlertKind::kSlaBreach), 1);
  const Alert* a = h.Last(AlertKind::kSlaBreach);
  EXPECT_EQ(a->reasons[0].code, "chat_first_reply_breach");
  EXPECT_EQ(a->reasons[0].detail, "no agent reply for 180 s");
  EXPECT_EQ(a->contact_id, "chat-9");
}

TEST(SlaChat, NextReplyFromOldestUnansweredCustomerMessage) {
  Harness h;
  h.Apply({Chat("s", kT0, Action::kStarted, "chat-9"),
           Msg("a1", kT0 + 10 * kSec, "chat-9", Author::kAgent),
           Msg("m1", kT0 + 20 * kSec, "chat-9", Author::kCustomer),
           Msg("m2", kT0 + 50 * kSec, "chat-9", Author::kCustomer)});
  EXPECT_EQ(NextDeadline(h.state).ms, kT0 + 140 * kSec);  // m1 + 120 s
  h.Apply(Msg("a2", kT0 + 140 * kSec, "chat-9", Author::kAgent));
  EXPECT_EQ(h.Count(SignalKind::kSlaMet), 2);
  EXPECT_EQ(h.Last(SignalKind::kSlaMet)->sla, SlaKind::kChatNextReply);
  EXPECT_EQ(h.Last(SignalKind::kSlaMet)->elapsed_ms, 120 * kSec);
  h.Apply(Msg("m3", kT0 + 150 * kSec, "chat-9", Author::kCustomer));
  h.Apply(Msg("a3", kT0 + 270 * kSec + 1, "chat-9", Author::kAgent));
  EXPECT_EQ(h.Count(SignalKind::kSlaBreached), 0);  // decided once the watermark passes 270 s
  h.Finish();
  ASSERT_EQ(h.Count(SignalKind::kSlaBreached), 1);
  EXPECT_EQ(h.Last(SignalKind::kSlaBreached)->sla, SlaKind::kChatNextReply);
}

TEST(SlaOutOfOrder, AnsweredBeforeQueuedEqualsInOrder) {
  Harness in_order, swapped;
  in_order.Apply({Call("q", kT0, Action::kQueued, "call-1"),
                  Call("a", kT0 + 25 * kSec, Action::kAnswered, "call-1")});
  swapped.Apply({Call("a", kT0 + 25 * kSec, Action::kAnswered, "call-1"),
                 Call("q", kT0, Action::kQueued, "call-1")});
  in_order.Finish();
  swapped.Finish();
  ASSERT_EQ(in_order.Count(SignalKind::kSlaBreached), 1);
  ASSERT_EQ(swapped.Count(SignalKind::kSlaBreached), 1);
  EXPECT_EQ(in_order.Last(SignalKind::kSlaBreached)->signal_id,
            swapped.Last(SignalKind::kSlaBreached)->signal_id);
  EXPECT_EQ(in_order.state.effort, swapped.state.effort);
  EXPECT_EQ(in_order.state.breaches, swapped.state.breaches);
}

TEST(SlaOutOfOrder, SwappedChatMessagesEqualInOrder) {
  const std::vector<Ev> events = {Chat("s", kT0, Action::kStarted, "chat-9"),
                                  Msg("a1", kT0 + 30 * kSec, "chat-9", Author::kAgent),
                                  Msg("m1", kT0 + 40 * kSec, "chat-9", Author::kCustomer),
                                  Msg("a2", kT0 + 42 * kSec, "chat-9", Author::kAgent)};
  Harness in_order, swapped;
  in_order.Apply(events);
  swapped.Apply({events[0], events[3], events[2], events[1]});
  in_order.Finish();
  swapped.Finish();
  ASSERT_EQ(in_order.Count(SignalKind::kSlaMet), 2);
  ASSERT_EQ(swapped.Count(SignalKind::kSlaMet), 2);
  EXPECT_EQ(swapped.Count(SignalKind::kSlaBreached), 0);
  std::vector<std::string> a, b;
  for (const Signal& s : in_order.signals) a.push_back(s.signal_id);
  for (const Signal& s : swapped.signals) b.push_back(s.signal_id);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace cx::testing
