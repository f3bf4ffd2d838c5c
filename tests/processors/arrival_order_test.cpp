// SPEC §3: every event within the lateness, the customer's own included, counts as if it had
// arrived in time order. Property: for a small customer's events, every arrival order within
// the lateness gives the same SLA and contact signals, the same rule alerts (compared as sets,
// without the event ids and the current scores they carry) and the same final scores. Score
// signals and threshold alerts follow the score as events arrive (processors/README.md), so
// only the final scores are compared for them.
#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "processors/effort.h"
#include "processors/risk.h"
#include "tests/processors/harness.h"

namespace cx::testing {
namespace {

std::string Describe(const Signal& s) {
  return std::string(ToString(s.kind)) + "|" + s.signal_id + "|" + std::to_string(s.ts.ms) + "|" +
         s.contact_id + "|" + std::string(ToString(s.sla)) + "|" + std::to_string(s.elapsed_ms) +
         "|" + std::string(ToString(s.outcome)) + "|" + std::to_string(s.count_7d) + "|" +
         std::to_string(s.score);
}

std::string Describe(const Alert& a) {
  std::string out = std::string(ToString(a.kind)) + "|" + a.alert_id + "|" +
                    std::string(ToString(a.severity)) + "|" + std::to_string(a.ts.ms) + "|" +
                    a.contact_id;
  for (const AlertReason& r : a.reasons) out += "|" + r.code + "|" + r.detail;
  return out;
}

struct Outcome {
  std::vector<std::string> emitted;
  int effort = 0;
  int risk = 0;
};

Outcome Run(const RulesConfig& config, const std::vector<Ev>& arrival, int64_t end_ms) {
  Harness h;
  h.config = config;
  h.Apply(arrival);
  h.Finish();
  h.AdvanceWatermark(end_ms);
  Outcome o;
  for (const Signal& s : h.signals) {
    if (s.kind == SignalKind::kEffortUpdated || s.kind == SignalKind::kRiskUpdated) continue;
    o.emitted.push_back(Describe(s));
  }
  for (const Alert& a : h.alerts) {
    if (a.kind == AlertKind::kHighEffort || a.kind == AlertKind::kAtRisk) continue;
    o.emitted.push_back(Describe(a));
  }
  std::sort(o.emitted.begin(), o.emitted.end());
  o.effort = EffortScore(h.config, h.state, EventTime::FromMillis(end_ms));
  o.risk = RiskScore(h.config, h.state, EventTime::FromMillis(end_ms));
  return o;
}

// Runs every permutation of `events` in which each event arrives within the lateness (its time
// is not before the watermark of what arrived before it) and expects the time-ordered outcome.
// `end_ms` is where the watermark goes at the end (past every deadline). Returns the number of
// arrival orders checked.
int ExpectSameForEveryArrivalOrder(const RulesConfig& config, std::vector<Ev> events,
                                   int64_t end_ms, const std::vector<std::string>& must_contain) {
  std::sort(events.begin(), events.end(), [](const Ev& a, const Ev& b) { return a.ts < b.ts; });
  const Outcome expected = Run(config, events, end_ms);
  for (const std::string& needle : must_contain) {
    EXPECT_TRUE(std::any_of(expected.emitted.begin(), expected.emitted.end(),
                            [&](const std::string& e) { return e.find(needle) == 0; }))
        << "in time order, nothing starts with " << needle;
  }
  std::vector<size_t> order(events.size());
  std::iota(order.begin(), order.end(), 0);
  int checked = 0;
  do {
    int64_t max_ts = INT64_MIN / 2;
    bool within = true;
    std::vector<Ev> arrival;
    for (size_t i : order) {
      if (events[i].ts < max_ts - config.lateness.ms) within = false;
      max_ts = std::max(max_ts, events[i].ts);
      arrival.push_back(events[i]);
    }
    if (!within) continue;
    ++checked;
    const Outcome got = Run(config, arrival, end_ms);
    std::string names;
    for (const Ev& e : arrival) names += e.id + " ";
    EXPECT_EQ(got.emitted, expected.emitted) << "arrival order: " << names;
    EXPECT_EQ(got.effort, expected.effort) << "arrival order: " << names;
    EXPECT_EQ(got.risk, expected.risk) << "arrival order: " << names;
  } while (std::next_permutation(order.begin(), order.end()));
  return checked;
}

TEST(ArrivalOrder, AnswerAfterTheCustomersOwnNewerClickIsMet) {
  RulesConfig config;
  const int checked = ExpectSameForEveryArrivalOrder(
      config,
      {Call("q", kT0, Action::kQueued, "call-1"), PageView("p", kT0 + 22 * kSec, "/home"),
       Call("a", kT0 + 19 * kSec, Action::kAnswered, "call-1")},
      kT0 + kHour, {"sla.met"});
  EXPECT_GE(checked, 2);
}

TEST(ArrivalOrder, AnswerAfterTheDeadlineIsABreachAtTheDeadline) {
  RulesConfig config;
  config.lateness = Duration::Seconds(30);
  ExpectSameForEveryArrivalOrder(
      config,
      {Call("q", kT0, Action::kQueued, "call-1"),
       Call("a", kT0 + 24 * kSec, Action::kAnswered, "call-1"),
       PageView("p1", kT0 + 26 * kSec, "/home"), PageView("p2", kT0 + 27 * kSec, "/pricing"),
       Call("e", kT0 + 28 * kSec, Action::kEnded, "call-1")},
      kT0 + kHour, {"sla.breached", "sla.ended"});
}

TEST(ArrivalOrder, AnswerAtExactlyTheTargetIsMet) {
  RulesConfig config;
  config.lateness = Duration::Seconds(30);
  ExpectSameForEveryArrivalOrder(
      config,
      {Call("q", kT0, Action::kQueued, "call-1"), PageView("p1", kT0 + 21 * kSec, "/home"),
       Call("a", kT0 + 20 * kSec, Action::kAnswered, "call-1"),
       PageView("p2", kT0 + 25 * kSec, "/home")},
      kT0 + kHour, {"sla.met"});
}

TEST(ArrivalOrder, AbandonAfterTheLongWaitWarnsThenEscalates) {
  RulesConfig config;
  config.lateness = Duration::Seconds(30);
  ExpectSameForEveryArrivalOrder(
      config,
      {Call("q", kT0 + 40 * kSec, Action::kQueued, "call-1"),
       PageView("p1", kT0 + 61 * kSec, "/home"),
       Call("x", kT0 + 102 * kSec, Action::kAbandoned, "call-1"),
       PageView("p2", kT0 + 104 * kSec, "/help/billing"), PageView("p3", kT0 + 99 * kSec, "/home")},
      kT0 + kHour, {"sla.breached", "sla.ended"});
}

TEST(ArrivalOrder, LateCustomerMessageOnAJustClosedChatIsNoNewContact) {
  RulesConfig config;
  ExpectSameForEveryArrivalOrder(config,
                                 {Chat("s", kT0, Action::kStarted, "chat-1"),
                                  Msg("m1", kT0 + 5 * kSec, "chat-1", Author::kCustomer),
                                  Msg("a1", kT0 + 30 * kSec, "chat-1", Author::kAgent),
                                  Msg("m2", kT0 + 88 * kSec, "chat-1", Author::kCustomer),
                                  Chat("e", kT0 + 90 * kSec, Action::kEnded, "chat-1"),
                                  PageView("p", kT0 + 91 * kSec, "/home")},
                                 kT0 + kHour, {"sla.met"});
}

TEST(ArrivalOrder, MessageJustAfterTheCloseJoinsTheChat) {
  RulesConfig config;
  const int checked = ExpectSameForEveryArrivalOrder(
      config,
      {Chat("s", kT0, Action::kStarted, "chat-1"),
       Msg("m1", kT0 + 5 * kSec, "chat-1", Author::kCustomer),
       Msg("a1", kT0 + 30 * kSec, "chat-1", Author::kAgent),
       Chat("e", kT0 + 88 * kSec, Action::kEnded, "chat-1"),
       Msg("m2", kT0 + 90 * kSec, "chat-1", Author::kCustomer),
       PageView("p1", kT0 + 92 * kSec, "/home"), PageView("p2", kT0 + 93 * kSec, "/pricing")},
      kT0 + kHour, {"sla.met"});
  EXPECT_GT(checked, 6);
}

TEST(ArrivalOrder, RepeatContactAndChannelSwitch) {
  RulesConfig config;
  Ev phone = Call("q1", kT0, Action::kQueued, "call-1");
  phone.channel = "phone";
  const int checked = ExpectSameForEveryArrivalOrder(
      config,
      {phone, Call("a1", kT0 + 3 * kSec, Action::kAnswered, "call-1"),
       Call("e1", kT0 + 10 * kSec, Action::kEnded, "call-1"), Search("s", kT0 + 12 * kSec, 0),
       Chat("c", kT0 + 40 * kSec, Action::kStarted, "chat-1"),
       PageView("p1", kT0 + 42 * kSec, "/home"), PageView("p2", kT0 + 44 * kSec, "/pricing")},
      kT0 + kHour, {"contact.repeat"});
  EXPECT_GT(checked, 6);
}

TEST(ArrivalOrder, HelpDwellEndsAtAContact) {
  RulesConfig config;
  config.lateness = Duration::Seconds(30);
  config.selfservice.help_dwell_threshold = Duration::Seconds(20);
  // A self-service event that arrives after a contact it preceded does not make that contact a
  // channel switch (processors/README.md, known limit): this test is about the dwell.
  config.contacts.channel_switch_effort = 0;
  ExpectSameForEveryArrivalOrder(config,
                                 {PageView("h1", kT0, "/help/billing", "s-1"),
                                  PageView("h2", kT0 + 12 * kSec, "/help/a", "s-1"),
                                  Call("q", kT0 + 18 * kSec, Action::kQueued, "call-1"),
                                  Call("a", kT0 + 22 * kSec, Action::kAnswered, "call-1"),
                                  Call("e", kT0 + 40 * kSec, Action::kEnded, "call-1")},
                                 kT0 + kHour, {"sla.met"});
}

TEST(ArrivalOrder, SurveysAndCancelIntentReachTheSameRisk) {
  RulesConfig config;
  config.lateness = Duration::Seconds(30);
  ExpectSameForEveryArrivalOrder(
      config,
      {Survey("n", kT0, SurveyKind::kNps, 2), PageView("c", kT0 + 5 * kSec, "/account/cancel"),
       Survey("csat", kT0 + 9 * kSec, SurveyKind::kCsat, 5)},
      kT0 + kHour, {"low_score"});
}

}  // namespace
}  // namespace cx::testing
