#include <gtest/gtest.h>

#include <map>

#include "processors/decay.h"
#include "processors/stable_hash.h"
#include "processors/step.h"
#include "tests/processors/harness.h"

namespace cx::testing {
namespace {

// A customer that struggles: help pages, failed searches, rage clicks, a slow chat, a call.
std::vector<Ev> Journey() {
  return {PageView("p1", kT0, "/help/refunds", "s-1"),
          Search("s1", kT0 + 20 * kSec, 0),
          Click("c1", kT0 + 30 * kSec, "#refund"),
          Click("c2", kT0 + 30 * kSec + 300, "#refund"),
          Click("c3", kT0 + 30 * kSec + 600, "#refund"),
          ErrorPage("e1", kT0 + 40 * kSec, 500),
          Chat("ch1", kT0 + kMin, Action::kStarted, "chat-1"),
          Msg("m1", kT0 + kMin + kSec, "chat-1", Author::kCustomer),
          Msg("m2", kT0 + 4 * kMin, "chat-1", Author::kAgent),
          Chat("ch2", kT0 + 6 * kMin, Action::kEnded, "chat-1"),
          Call("q1", kT0 + kHour, Action::kQueued, "call-1", "refund"),
          Call("x1", kT0 + kHour + 90 * kSec, Action::kAbandoned, "call-1"),
          Survey("n1", kT0 + 2 * kHour, SurveyKind::kNps, 2)};
}

std::vector<std::string> Ids(const Harness& h) {
  std::vector<std::string> ids;
  for (const Signal& s : h.signals) ids.push_back(s.signal_id);
  for (const Alert& a : h.alerts) ids.push_back(a.alert_id);
  return ids;
}

TEST(Engine, DuplicatesHaveNoEffect) {
  Harness h;
  EXPECT_EQ(h.Apply(Search("s1", kT0, 0)), ApplyResult::kApplied);
  const CustomerState before = h.state;
  const size_t signals = h.signals.size();
  EXPECT_EQ(h.Apply(Search("s1", kT0 + kSec, 0)), ApplyResult::kDuplicate);
  EXPECT_EQ(h.state, before);
  EXPECT_EQ(h.signals.size(), signals);
}

TEST(Engine, DedupWindowAndCap) {
  Harness h;
  h.config.dedup_max_events = 16;
  for (int i = 0; i < 40; ++i) (void)h.Apply(Search("e" + std::to_string(i), kT0 + i, 1));
  EXPECT_LE(h.state.seen.size(), 16u);
  EXPECT_GE(h.state.seen.size(), 14u);
  for (int i = 26; i < 40; ++i) {
    EXPECT_EQ(h.Apply(Search("e" + std::to_string(i), kT0 + 50, 1)), ApplyResult::kDuplicate);
  }
  EXPECT_EQ(h.Apply(Search("e0", kT0 + 51, 1)), ApplyResult::kApplied);  // forgotten (cap)
  Harness w;
  (void)w.Apply(Search("a", kT0, 1));
  (void)w.Apply(Search("b", kT0 + 24 * kHour + 1, 1));
  EXPECT_EQ(w.state.seen.size(), 1u);  // "a" left the 24 h window
}

TEST(Engine, ReplayIsDeterministicAndIdsAreStable) {
  Harness a, b;
  a.Apply(Journey());
  a.Finish();
  b.Apply(Journey());
  b.Finish();
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(Ids(a), Ids(b));
  ASSERT_FALSE(a.alerts.empty());
  const Alert* low = a.Last(AlertKind::kLowScore);
  ASSERT_NE(low, nullptr);
  EXPECT_EQ(low->alert_id, StableId({"c-42", "low_score", "n1"}));
  EXPECT_EQ(low->alert_id.size(), 32u);
  // Different customer, different ids.
  Harness c;
  c.customer = "c-43";
  c.Apply(Journey());
  EXPECT_NE(c.Last(AlertKind::kLowScore)->alert_id, low->alert_id);
}

// A fired timer's ids hash "timer|<deadline ms>|<what fired>" as one part without building it:
// the same ids as the joined string (the ids are stored by users; scenario outputs pin them too).
TEST(Engine, TimerTriggersHashLikeTheirJoinedText) {
  const EventTime deadline = EventTime::FromMillis(1'791'190'980'000);
  StableHasher pieces = StableHasher().Part("c-42").Part("effort.updated");
  HashTrigger(pieces, Trigger::Timer(deadline, "k-7"));
  EXPECT_EQ(pieces.Id(), StableId({"c-42", "effort.updated", "timer|1791190980000|k-7"}));
  StableHasher negative;
  HashTrigger(negative, Trigger::Timer(EventTime::FromMillis(-5), "help_dwell"));
  EXPECT_EQ(negative.Id(), StableId({"timer|-5|help_dwell"}));
  StableHasher event;
  HashTrigger(event, Trigger(std::string_view("e-1")));
  EXPECT_EQ(event.Id(), StableId({"e-1"}));
}

TEST(Engine, JourneyEmitsTheExpectedAlerts) {
  Harness h;
  h.Apply(Journey());
  h.Finish();
  EXPECT_EQ(h.Count(AlertKind::kNeedsHelp), 0);     // 2nd failed search never came; dwell 20 s
  EXPECT_EQ(h.Count(SignalKind::kSlaBreached), 2);  // chat first reply, call answer
  // The chat's first reply took 180 s = 3 x 60 s (warning); the call was abandoned after its
  // breach (critical, an escalation through the cooldown).
  ASSERT_EQ(h.Count(AlertKind::kSlaBreach), 2);
  EXPECT_EQ(h.alerts[0].severity, Severity::kWarning);
  EXPECT_EQ(h.alerts[0].contact_id, "chat-1");
  EXPECT_EQ(h.Last(AlertKind::kSlaBreach)->severity, Severity::kCritical);
  EXPECT_EQ(h.Last(AlertKind::kSlaBreach)->contact_id, "call-1");
  EXPECT_EQ(h.Count(AlertKind::kLowScore), 1);
  EXPECT_EQ(h.Last(AlertKind::kLowScore)->severity, Severity::kCritical);
  EXPECT_EQ(h.Count(SignalKind::kContactRepeat), 1);
}

TEST(Engine, OutOfOrderWithinLatenessEqualsInOrder) {
  std::vector<Ev> in_order = Journey();
  std::vector<Ev> shuffled = in_order;
  std::swap(shuffled[2], shuffled[4]);    // rage clicks
  std::swap(shuffled[7], shuffled[6]);    // message before started
  std::swap(shuffled[10], shuffled[11]);  // abandoned before queued (90 s apart)
  Harness a, b;
  a.config.lateness = Duration::Seconds(120);
  b.config.lateness = Duration::Seconds(120);
  a.Apply(in_order);
  b.Apply(shuffled);
  a.Finish();
  b.Finish();
  const EventTime end = EventTime::FromMillis(kT0 + 3 * kHour);
  EXPECT_NEAR(DecayedValue(a.state.effort, end, a.config.effort.half_life),
              DecayedValue(b.state.effort, end, b.config.effort.half_life), 1e-9);
  EXPECT_NEAR(DecayedValue(a.state.risk, end, a.config.risk.half_life),
              DecayedValue(b.state.risk, end, b.config.risk.half_life), 1e-9);
  EXPECT_EQ(a.state.breaches, b.state.breaches);
  EXPECT_EQ(a.Count(SignalKind::kSlaBreached), b.Count(SignalKind::kSlaBreached));
  EXPECT_EQ(a.Count(SignalKind::kContactRepeat), b.Count(SignalKind::kContactRepeat));
  // Threshold alerts follow the score as events arrive: a reordered burst may skip an
  // intermediate warning, but every kind ends at the same severity.
  auto final_severity = [](const Harness& h) {
    std::map<AlertKind, Severity> m;
    for (const Alert& x : h.alerts) m[x.kind] = x.severity;
    return m;
  };
  EXPECT_EQ(final_severity(a), final_severity(b));
  EXPECT_EQ(a.alerts.size(), 6u);
}

TEST(Engine, NextDeadlineTracksTheEarliestTimer) {
  Harness h;
  EXPECT_EQ(NextDeadline(h.state), EventTime::Max());
  h.Apply(Chat("st", kT0, Action::kStarted, "chat-1"));
  EXPECT_EQ(NextDeadline(h.state).ms, kT0 + 60 * kSec);
  h.Apply(Call("q", kT0 + 10 * kSec, Action::kQueued, "call-1"));
  EXPECT_EQ(NextDeadline(h.state).ms, kT0 + 30 * kSec);
  h.Apply(Call("a", kT0 + 15 * kSec, Action::kAnswered, "call-1"));
  EXPECT_EQ(NextDeadline(h.state).ms, kT0 + 60 * kSec);
  h.Apply(Chat("en", kT0 + 20 * kSec, Action::kEnded, "chat-1"));
  EXPECT_EQ(NextDeadline(h.state), EventTime::Max());
}

// The state a customer is left in depends only on their own events, not on how far the shard's
// watermark (other customers' events, the partitioning, a restart) overshoots their timers:
// crash_recovery seed 18970, where a 4-partition run dropped an abandoned chat that the
// single-shard replay kept (and so lost the abandoned_contact score reason).
TEST(Engine, StateDoesNotDependOnHowFarTheWatermarkPassedATimer) {
  // The chat's long wait (3 x 60 s) ends at +180 s; it is abandoned at +183 s, before the
  // watermark (max event time - 5 s) reaches +180 s, so the long-wait timer is still pending.
  const std::vector<Ev> events = {Chat("st", kT0, Action::kStarted, "chat-1"),
                                  Msg("m1", kT0 + 4 * kSec, "chat-1", Author::kCustomer),
                                  Chat("ab", kT0 + 183 * kSec, Action::kAbandoned, "chat-1")};
  Harness dense;  // the watermark moves in small steps: the timer fires at +181 s
  dense.Apply(events);
  ASSERT_EQ(NextDeadline(dense.state).ms, kT0 + 180 * kSec);
  dense.AdvanceWatermark(kT0 + 181 * kSec);
  Harness sparse;  // the next event of the shard is much later: the timer fires at +300 s
  sparse.Apply(events);
  sparse.AdvanceWatermark(kT0 + 300 * kSec);
  EXPECT_EQ(dense.alerts.size(), sparse.alerts.size());
  EXPECT_EQ(dense.signals.size(), sparse.signals.size());
  ASSERT_EQ(dense.state.contacts.size(), 1u);
  EXPECT_TRUE(dense.state.contacts[0].abandoned);
  EXPECT_EQ(sparse.state.contacts.size(), 1u);
  EXPECT_EQ(dense.state, sparse.state);
  // Both forget the closed chat once the customer's own events are past its close + lateness.
  dense.Apply(PageView("p1", kT0 + 200 * kSec, "/home"));
  sparse.Apply(PageView("p1", kT0 + 200 * kSec, "/home"));
  EXPECT_TRUE(dense.state.contacts.empty());
  EXPECT_EQ(dense.state, sparse.state);
}

// What a long click stream keeps is bounded by the rules' windows and limits, not by the number of
// clicks (its speed is measured in bench/, not here): 20 000 clicks 7 s apart over 39 hours.
TEST(Engine, ClickStateStaysBounded) {
  RulesConfig config;
  CustomerState state;
  Emissions out;
  const size_t seen_bound = static_cast<size_t>(config.dedup_window.ms / (7 * kSec)) + 1;
  size_t most_seen = 0;
  size_t most_clicks = 0;
  size_t most_pages = 0;
  for (int i = 0; i < 20000; ++i) {
    Ev e = Click("evt-" + std::to_string(i), kT0 + i * 7 * kSec, "#el" + std::to_string(i % 3));
    out.Clear();
    (void)ApplyEvent(config, "c-1", state, e.View("c-1"),
                     EventTime::FromMillis(kT0 + i * 7 * kSec) - config.lateness, out);
    most_seen = std::max(most_seen, state.seen.size());
    most_clicks = std::max(most_clicks, state.clicks.size());
    most_pages = std::max(most_pages, state.session.pages.size());
  }
  EXPECT_LE(most_seen, seen_bound);
  EXPECT_LE(most_clicks, static_cast<size_t>(config.selfservice.max_clicks));
  EXPECT_LE(most_pages, static_cast<size_t>(config.selfservice.max_pages));
  EXPECT_GT(most_seen, 1u);  // the dedup window did hold the recent clicks
}

}  // namespace
}  // namespace cx::testing
