#include <gtest/gtest.h>

#include "processors/selfservice.h"
#include "tests/processors/harness.h"

namespace cx::testing {
namespace {

TEST(RageClick, ThreeClicksWithinOneSecondCountOnce) {
  Harness h;
  h.Apply({Click("c1", kT0, "#pay"), Click("c2", kT0 + 400, "#pay"),
           Click("c3", kT0 + 1000, "#pay"), Click("c4", kT0 + 1200, "#pay")});
  EXPECT_NEAR(h.state.effort.value, 10, 1e-9);
  EXPECT_EQ(h.state.effort.at.ms, kT0 + 1000);
}

TEST(RageClick, TwoClicksOrSpreadOverMoreThanOneSecondIsNone) {
  Harness two;
  two.Apply(
      {Click("c1", kT0, "#pay"), Click("c2", kT0 + 100, "#pay"), Click("c3", kT0 + 200, "#other")});
  EXPECT_EQ(two.state.effort.value, 0);
  Harness spread;
  spread.Apply(
      {Click("c1", kT0, "#pay"), Click("c2", kT0 + 500, "#pay"), Click("c3", kT0 + 1001, "#pay")});
  EXPECT_EQ(spread.state.effort.value, 0);
}

TEST(RageClick, OutOfOrderEqualsInOrder) {
  Harness a, b;
  a.Apply(
      {Click("c1", kT0, "#pay"), Click("c2", kT0 + 500, "#pay"), Click("c3", kT0 + 900, "#pay")});
  b.Apply(
      {Click("c3", kT0 + 900, "#pay"), Click("c1", kT0, "#pay"), Click("c2", kT0 + 500, "#pay")});
  EXPECT_EQ(a.state.effort, b.state.effort);
  EXPECT_NEAR(b.state.effort.value, 10, 1e-9);
}

TEST(FailedSelfService, ZeroResultSearchAndErrorStatus) {
  Harness h;
  h.Apply({Search("s1", kT0, 3), ErrorPage("e1", kT0 + kSec, 399)});
  EXPECT_EQ(h.state.effort.value, 0);
  h.Apply({Search("s2", kT0 + 2 * kSec, 0), ErrorPage("e2", kT0 + 3 * kSec, 400)});
  EXPECT_NEAR(h.state.effort.value, 10, 1e-3);
}

TEST(CancellationIntent, AddsRiskOncePerSession) {
  Harness h;
  h.Apply(PageView("p1", kT0, "/account/cancel/confirm"));
  EXPECT_NEAR(h.state.risk.value, 40, 1e-9);
  h.Apply(PageView("p2", kT0 + kMin, "/subscription/cancel"));
  EXPECT_NEAR(h.state.risk.value, 40, 1e-6);
  EXPECT_EQ(h.state.risk_emitted, 40);
  ASSERT_EQ(h.Count(SignalKind::kRiskUpdated), 1);
  h.Apply(PageView("p3", kT0 + kMin, "/account/cancelled-orders-help"));  // prefix match
  EXPECT_EQ(h.Count(AlertKind::kAtRisk), 0);
}

TEST(NeedsHelp, DwellOf90sOnHelpPagesViaNextClick) {
  Harness below;
  below.Apply({PageView("p1", kT0, "/help"), PageView("p2", kT0 + 89'999, "/home")});
  below.Finish();
  EXPECT_EQ(below.Count(AlertKind::kNeedsHelp), 0);
  Harness at;
  at.Apply({PageView("p1", kT0, "/help"), PageView("p2", kT0 + 40 * kSec, "/faq/x"),
            PageView("p3", kT0 + 90 * kSec, "/home")});
  ASSERT_EQ(at.Count(AlertKind::kNeedsHelp), 1);
  const Alert* a = at.Last(AlertKind::kNeedsHelp);
  EXPECT_EQ(a->reasons[0].code, "help_dwell");
  EXPECT_EQ(a->ts.ms, kT0 + 90 * kSec);
  EXPECT_EQ(a->severity, Severity::kWarning);
}

TEST(NeedsHelp, DwellTimerFiresWithNoFurtherEvents) {
  Harness h;
  h.Apply({PageView("p1", kT0, "/help"), PageView("p2", kT0 + 30 * kSec, "/support/x")});
  EXPECT_EQ(NextDeadline(h.state).ms, kT0 + 90 * kSec);
  h.AdvanceWatermark(kT0 + 90 * kSec);  // fires once the watermark has passed it
  EXPECT_EQ(h.Count(AlertKind::kNeedsHelp), 0);
  h.AdvanceWatermark(kT0 + 90 * kSec + 1);
  ASSERT_EQ(h.Count(AlertKind::kNeedsHelp), 1);
  EXPECT_EQ(h.Last(AlertKind::kNeedsHelp)->ts.ms, kT0 + 90 * kSec);
  EXPECT_EQ(NextDeadline(h.state), EventTime::Max());
}

TEST(NeedsHelp, AContactEndsTheDwellAndNothingIsBackDatedIntoIt) {
  Harness h;
  h.Apply({PageView("p1", kT0, "/help/billing", "s-1"),
           Call("q", kT0 + 60 * kSec, Action::kQueued, "call-1"),
           Call("a", kT0 + 65 * kSec, Action::kAnswered, "call-1"),
           Call("e", kT0 + 120 * kSec, Action::kEnded, "call-1")});
  h.AdvanceWatermark(kT0 + kHour);
  EXPECT_EQ(h.Count(AlertKind::kNeedsHelp), 0);
  EXPECT_EQ(HelpDwellMs(h.config, h.state, EventTime::FromMillis(kT0 + kHour)), 60 * kSec);
  // Back on a help page after the call, the dwell counts on from there.
  h.Apply(PageView("p2", kT0 + kHour + kSec, "/help/billing", "s-1"));
  EXPECT_EQ(NextDeadline(h.state).ms, kT0 + kHour + kSec + 30 * kSec);
}

TEST(NeedsHelp, DwellIsCappedPerPage) {
  Harness h;
  h.config.selfservice.dwell_cap = Duration::Seconds(60);
  h.Apply({PageView("p1", kT0, "/help"), PageView("p2", kT0 + 10 * kMin, "/home")});
  EXPECT_EQ(h.Count(AlertKind::kNeedsHelp), 0);
}

TEST(NeedsHelp, ContactUsAndTwoFailedSearches) {
  Harness c;
  c.Apply(ContactUs("cu", kT0));
  ASSERT_EQ(c.Count(AlertKind::kNeedsHelp), 1);
  EXPECT_EQ(c.Last(AlertKind::kNeedsHelp)->reasons[0].code, "contact_us");
  Harness s;
  s.Apply(Search("s1", kT0, 0));
  EXPECT_EQ(s.Count(AlertKind::kNeedsHelp), 0);
  s.Apply(Search("s2", kT0 + kSec, 0));
  ASSERT_EQ(s.Count(AlertKind::kNeedsHelp), 1);
  EXPECT_EQ(s.Last(AlertKind::kNeedsHelp)->reasons[0].code, "failed_searches");
  EXPECT_EQ(s.Last(AlertKind::kNeedsHelp)->reasons[0].event_ids, std::vector<std::string>{"s2"});
}

TEST(NeedsHelp, NotWhileAContactIsOpenAndOncePerSession) {
  Harness h;
  h.Apply(Chat("st", kT0, Action::kStarted, "chat-1"));
  h.Apply(ContactUs("cu", kT0 + kSec));
  EXPECT_EQ(h.Count(AlertKind::kNeedsHelp), 0);
  h.Apply(Chat("en", kT0 + 2 * kSec, Action::kEnded, "chat-1"));
  h.Apply(ContactUs("cu2", kT0 + 3 * kSec));
  EXPECT_EQ(h.Count(AlertKind::kNeedsHelp), 1);
  h.Apply({Search("s1", kT0 + 4 * kSec, 0), Search("s2", kT0 + 5 * kSec, 0)});
  EXPECT_EQ(h.Count(AlertKind::kNeedsHelp), 1);
  // A 30 min gap starts a new session, but the 24 h cooldown still holds.
  h.Apply(ContactUs("cu3", kT0 + 40 * kMin));
  EXPECT_FALSE(h.state.session.needs_help_raised == false);
  EXPECT_EQ(h.state.session.start.ms, kT0 + 40 * kMin);
  EXPECT_EQ(h.Count(AlertKind::kNeedsHelp), 1);
}

TEST(Session, NewSessionIdResetsCounters) {
  Harness h;
  h.Apply(Search("s1", kT0, 0));
  Ev pv = PageView("p1", kT0 + kSec, "/home", "sess-A");
  h.Apply(pv);
  EXPECT_EQ(h.state.session.failed_searches, 1);
  h.Apply(PageView("p2", kT0 + 2 * kSec, "/home", "sess-B"));
  EXPECT_EQ(h.state.session.failed_searches, 0);
  h.Apply(Search("s2", kT0 + 3 * kSec, 0));
  EXPECT_EQ(h.Count(AlertKind::kNeedsHelp), 0);
}

}  // namespace
}  // namespace cx::testing
