#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "processors/decay.h"
#include "processors/risk.h"
#include "tests/processors/harness.h"

namespace cx::testing {
namespace {

// Four transfers on one call: +40 effort at kT0 + 1..4 min.
std::vector<Ev> Transfers(const std::string& p, int64_t ts, int n) {
  std::vector<Ev> evs = {Call(p + "q", ts, Action::kQueued, p),
                         Call(p + "a", ts + kSec, Action::kAnswered, p)};
  for (int i = 0; i < n; ++i) {
    evs.push_back(Call(p + "t" + std::to_string(i), ts + 2 * kSec + i, Action::kTransferred, p));
  }
  evs.push_back(Call(p + "e", ts + 10 * kSec, Action::kEnded, p));
  return evs;
}

// Three answered calls an hour apart: 3 contacts in 7 days (two repeats, +30 effort).
void ThreeContacts(Harness& h) {
  for (int i = 0; i < 3; ++i) {
    const std::string p = "k" + std::to_string(i);
    h.Apply({Call(p + "q", kT0 + i * kHour, Action::kQueued, p),
             Call(p + "a", kT0 + i * kHour + kSec, Action::kAnswered, p),
             Call(p + "e", kT0 + i * kHour + kMin, Action::kEnded, p)});
  }
}

TEST(Decay, HalvesAfterOneHalfLifeAndIsExactOutOfOrder) {
  const Duration hl = Duration::Hours(72);
  DecayingScore a, b;
  AddDecaying(a, 20, EventTime::FromMillis(kT0), hl);
  EXPECT_DOUBLE_EQ(DecayedValue(a, EventTime::FromMillis(kT0 + 72 * kHour), hl), 10);
  AddDecaying(a, 10, EventTime::FromMillis(kT0 + kHour), hl);
  AddDecaying(b, 10, EventTime::FromMillis(kT0 + kHour), hl);
  AddDecaying(b, 20, EventTime::FromMillis(kT0), hl);
  const EventTime later = EventTime::FromMillis(kT0 + 100 * kHour);
  EXPECT_NEAR(DecayedValue(a, later, hl), DecayedValue(b, later, hl), 1e-9);
}

// Scores round as std::lround does, halves away from zero: the inline form must agree on every
// value, the halves and their neighbours one ulp away included.
TEST(Decay, RoundHalfAwayAgreesWithLround) {
  std::vector<double> values = {0.0,
                                -0.0,
                                0.5,
                                -0.5,
                                1.5,
                                -1.5,
                                2.5,
                                -2.5,
                                0.49999999999999994,
                                -0.49999999999999994,
                                4503599627370495.5,
                                4503599627370497.0,
                                0x1p62,
                                -0x1p62,
                                0x1p63,
                                1e300,
                                -1e300};
  for (int i = -2000; i <= 2000; ++i) {
    const double x = i / 8.0;
    values.insert(values.end(), {x, std::nextafter(x, 1e9), std::nextafter(x, -1e9), x / 3.0});
  }
  for (const double x : values) {
    EXPECT_EQ(RoundHalfAway(x), std::lround(x)) << x;
  }
  EXPECT_EQ(RoundHalfAway(2.5), 3);
  EXPECT_EQ(RoundHalfAway(-2.5), -3);
  EXPECT_EQ(RoundHalfAway(0.49999999999999994), 0);
}

TEST(Effort, ScoreDecaysAndIsCapped) {
  Harness h;
  h.Apply(Transfers("x", kT0, 12));  // 120 points
  EXPECT_EQ(h.state.effort_emitted, 100);
  // 72 h later: 60 -> the next event signals the decayed score.
  h.Apply(Search("s", kT0 + 72 * kHour, 1));
  EXPECT_EQ(h.Last(SignalKind::kEffortUpdated)->score, 60);
  EXPECT_EQ(h.Last(SignalKind::kEffortUpdated)->previous, 100);
}

TEST(Effort, UpdatedSignalOnlyOnChangeOfFive) {
  Harness h;
  h.Apply(Search("s1", kT0, 0));  // +5
  ASSERT_EQ(h.Count(SignalKind::kEffortUpdated), 1);
  EXPECT_EQ(h.Last(SignalKind::kEffortUpdated)->score, 5);
  h.Apply(Search("s2", kT0 + 40 * kMin, 1));
  EXPECT_EQ(h.Count(SignalKind::kEffortUpdated), 1);
  h.Apply(Click("c", kT0 + 41 * kMin, "#x"));
  EXPECT_EQ(h.Count(SignalKind::kEffortUpdated), 1);
}

TEST(Effort, CesLiftsToFloor) {
  for (auto [score, floor] : {std::pair{3, 70}, {2, 80}, {1, 90}}) {
    Harness h;
    h.Apply(Survey("v", kT0, SurveyKind::kCes, score));
    EXPECT_EQ(h.state.effort_emitted, floor) << score;
  }
  Harness h;
  h.Apply(Survey("v", kT0, SurveyKind::kCes, 4));
  EXPECT_EQ(h.state.effort_emitted, 0);
}

TEST(HighEffort, ThresholdHysteresisCooldownAndEscalation) {
  Harness h;
  h.Apply(Transfers("a", kT0, 6));  // 60
  EXPECT_EQ(h.Count(AlertKind::kHighEffort), 0);
  h.Apply(Transfers("b", kT0 + kHour, 1));  // repeat 15 + transfer 10 -> ~85
  ASSERT_EQ(h.Count(AlertKind::kHighEffort), 1);
  EXPECT_EQ(h.Last(AlertKind::kHighEffort)->severity, Severity::kWarning);
  EXPECT_EQ(h.Last(AlertKind::kHighEffort)->reasons[0].code, "effort_threshold");
  h.Apply(Survey("ces", kT0 + 2 * kHour, SurveyKind::kCes, 1));  // lifted to 90: escalation
  ASSERT_EQ(h.Count(AlertKind::kHighEffort), 2);
  EXPECT_EQ(h.Last(AlertKind::kHighEffort)->severity, Severity::kCritical);
  // Decays below 50 after ~3 days -> re-armed; rising again within the cooldown would be
  // suppressed, after it fires again.
  h.Apply(Search("s", kT0 + 4 * kDay, 1));
  EXPECT_TRUE(h.state.effort_armed);
  h.Apply(Survey("ces2", kT0 + 4 * kDay + kHour, SurveyKind::kCes, 3));
  ASSERT_EQ(h.Count(AlertKind::kHighEffort), 3);
  EXPECT_EQ(h.Last(AlertKind::kHighEffort)->severity, Severity::kWarning);
}

TEST(HighEffort, RisingAgainWithinCooldownIsSuppressed) {
  Harness h;
  h.config.effort.half_life = Duration::Hours(1);
  h.Apply(Survey("v1", kT0, SurveyKind::kCes, 3));  // 70 -> alert
  ASSERT_EQ(h.Count(AlertKind::kHighEffort), 1);
  h.Apply(Search("s", kT0 + 2 * kHour, 1));  // 17.5 -> re-armed
  EXPECT_TRUE(h.state.effort_armed);
  h.Apply(Survey("v2", kT0 + 3 * kHour, SurveyKind::kCes, 3));  // 70 again within 24 h
  EXPECT_EQ(h.Count(AlertKind::kHighEffort), 1);
  h.Apply(Search("s2", kT0 + 6 * kHour, 1));
  h.Apply(Survey("v3", kT0 + 25 * kHour, SurveyKind::kCes, 3));
  EXPECT_EQ(h.Count(AlertKind::kHighEffort), 2);
}

TEST(LowScore, BandsAndSeverities) {
  struct Case {
    SurveyKind kind;
    int score;
    int alerts;
    Severity severity;
  };
  for (const Case& c : {Case{SurveyKind::kNps, 7, 0, Severity::kWarning},
                        Case{SurveyKind::kNps, 6, 1, Severity::kWarning},
                        Case{SurveyKind::kNps, 4, 1, Severity::kWarning},
                        Case{SurveyKind::kNps, 3, 1, Severity::kCritical},
                        Case{SurveyKind::kCsat, 3, 0, Severity::kWarning},
                        Case{SurveyKind::kCsat, 2, 1, Severity::kWarning},
                        Case{SurveyKind::kCsat, 1, 1, Severity::kCritical},
                        Case{SurveyKind::kCes, 4, 0, Severity::kWarning},
                        Case{SurveyKind::kCes, 2, 1, Severity::kWarning},
                        Case{SurveyKind::kCes, 1, 1, Severity::kCritical}}) {
    Harness h;
    h.Apply(Survey("v", kT0, c.kind, c.score));
    ASSERT_EQ(h.Count(AlertKind::kLowScore), c.alerts) << c.score;
    if (c.alerts == 0) continue;
    EXPECT_EQ(h.Last(AlertKind::kLowScore)->severity, c.severity) << c.score;
    EXPECT_EQ(h.Last(AlertKind::kLowScore)->reasons[0].event_ids, std::vector<std::string>{"v"});
  }
}

// Answers are kept by ts (an equal ts after the kept ones), the oldest dropped past the cap, and a
// long comment cut at a UTF-8 boundary.
TEST(SurveyAnswers, KeptByTimeCappedAndCut) {
  CustomerState state;
  Event e;
  e.type = EventType::kSurvey;
  e.survey = SurveyKind::kNps;
  const std::string long_comment = std::string(kMaxSurveyCommentBytes - 1, 'x') + "\xc3\xa9 tail";
  for (int i = 0; i < static_cast<int>(kMaxSurveyAnswers) + 2; ++i) {
    e.ts = EventTime::FromMillis(kT0 + (i == 3 ? 0 : i * kMin));  // the fourth is out of order
    e.score = i;
    e.comment = i == 1 ? std::string_view(long_comment) : std::string_view();
    RememberSurveyAnswer(state, e);
  }
  ASSERT_EQ(state.surveys.size(), kMaxSurveyAnswers);
  // Kept: the latest five by ts -- scores 1, 2, 4, 5, 6 (0 and the late 3 at kT0 dropped).
  std::vector<int> scores;
  for (const SurveyAnswer& a : state.surveys) scores.push_back(a.score);
  EXPECT_EQ(scores, (std::vector<int>{1, 2, 4, 5, 6}));
  EXPECT_EQ(state.surveys[0].comment, std::string(kMaxSurveyCommentBytes - 1, 'x'));
  EXPECT_TRUE(state.surveys[1].comment.empty());
}

TEST(LowScore, VipIsOneStepHigher) {
  Harness h;
  Ev v = Survey("v", kT0, SurveyKind::kNps, 6);
  v.tier = Tier::kVip;
  h.Apply(v);
  ASSERT_EQ(h.Count(AlertKind::kLowScore), 1);
  EXPECT_EQ(h.Last(AlertKind::kLowScore)->severity, Severity::kCritical);
  EXPECT_EQ(h.state.tier, Tier::kVip);
}

TEST(Risk, EventAndConditionPointsAndAtRiskAlert) {
  Harness h;
  h.Apply(Survey("n", kT0, SurveyKind::kNps, 5));  // +40
  EXPECT_EQ(h.state.risk_emitted, 40);
  EXPECT_EQ(h.Count(AlertKind::kAtRisk), 0);
  h.Apply(PageView("p", kT0 + kMin, "/account/close"));  // +40 -> 80: critical
  ASSERT_EQ(h.Count(AlertKind::kAtRisk), 1);
  EXPECT_EQ(h.Last(AlertKind::kAtRisk)->severity, Severity::kCritical);
  EXPECT_EQ(h.Last(AlertKind::kAtRisk)->risk_score, 80);
  // The detail names the threshold crossed and what makes up the score.
  EXPECT_EQ(h.Last(AlertKind::kAtRisk)->reasons[0].detail,
            "risk 80 crossed the critical threshold 80: cancellation page (+40), earlier low "
            "surveys or cancellation pages (+40, decaying)");
  // Half-life 7 days: 40 after a week -> still not re-armed (>= 40).
  h.Apply(Search("s", kT0 + 7 * kDay + kMin, 1));
  EXPECT_EQ(h.state.risk_emitted, 40);
  EXPECT_FALSE(h.state.risk_armed);
}

TEST(Risk, AtRiskDetailNamesTheSurveyAndTheConditions) {
  Harness h;
  ThreeContacts(h);
  h.Apply(Survey("n", kT0 + 3 * kHour, SurveyKind::kNps, 2));  // +40, with +20 contacts: 60
  ASSERT_EQ(h.Count(AlertKind::kAtRisk), 1);
  EXPECT_EQ(h.Last(AlertKind::kAtRisk)->reasons[0].detail,
            "risk 60 crossed the warning threshold 60: NPS 2 (+40), 3 contacts in 7 days (+20)");
}

TEST(HighEffort, DetailNamesWhatAddedThePoints) {
  Harness h;
  h.Apply(Transfers("x", kT0, 4));                        // +40
  h.Apply(Survey("c", kT0 + kMin, SurveyKind::kCes, 3));  // lifts to 70
  ASSERT_EQ(h.Count(AlertKind::kHighEffort), 1);
  EXPECT_EQ(h.Last(AlertKind::kHighEffort)->reasons[0].detail,
            "effort 70 crossed the warning threshold 70: CES 3 (+30), earlier effort (+40, "
            "decaying)");
}

TEST(Risk, ConditionPointsHoldWhileTheConditionHolds) {
  Harness h;
  ThreeContacts(h);
  // 3 contacts in 7 days: +20 condition; effort 30 (two repeats) is below 70.
  EXPECT_EQ(h.state.risk_emitted, 20);
  h.Apply(Search("s", kT0 + 8 * kDay, 1));
  EXPECT_EQ(h.state.risk_emitted, 0);
}

}  // namespace
}  // namespace cx::testing
