#pragma once

#include "processors/rules_config.h"
#include "processors/step.h"
#include "schemas/event.h"
#include "state/customer_state.h"

namespace cx {

// Keeps the answer of survey `event` in state.surveys (sorted by ts, an equal ts after the
// answers already kept; the oldest dropped beyond kMaxSurveyAnswers; the comment cut to
// kMaxSurveyCommentBytes at a UTF-8 boundary).
void RememberSurveyAnswer(CustomerState& state, const Event& event);

// Adds decaying risk event points earned at `at`.
void AddRisk(Step& step, double points, EventTime at);

// The parts of the risk score at `now`: decayed event points (low surveys, cancellation
// intent) and the condition points that hold at `now` (effort >= 70, >= 3 contacts in 7 days,
// >= 2 SLA breaches in 7 days), with the counts the conditions are evaluated on. The one
// definition that the score, the alert details and the customer state JSON share.
struct RiskParts {
  double event_points = 0;
  double high_effort_points = 0;
  double many_contacts_points = 0;
  double many_breaches_points = 0;
  int effort = 0;    // the effort score at `now`
  int contacts = 0;  // contacts in [now - many_contacts_window, now]
  int breaches = 0;  // SLA breaches in [now - many_breaches_window, now]
  int score = 0;     // the sum, rounded and capped
};
[[nodiscard]] RiskParts ExplainRisk(const RulesConfig& config, const CustomerState& state,
                                    EventTime now);

// The risk score at `now`: ExplainRisk(...).score.
[[nodiscard]] int RiskScore(const RulesConfig& config, const CustomerState& state, EventTime now);

// Counts `times` entries in [now - window, now].
[[nodiscard]] int CountInWindow(const std::vector<EventTime>& times, EventTime now,
                                Duration window);

// A survey answer: low-band risk points, the CES effort lift, and the low_score alert.
void ApplySurvey(Step& step, const Event& event);

}  // namespace cx
