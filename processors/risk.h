#pragma once

#include "processors/rules_config.h"
#include "processors/step.h"
#include "schemas/event.h"
#include "state/customer_state.h"

namespace cx {

// Adds decaying risk event points earned at `at`.
void AddRisk(Step& step, double points, EventTime at);

// The risk score at `now`: decayed event points plus the condition points that hold at `now`
// (effort >= 70, >= 3 contacts in 7 days, >= 2 SLA breaches in 7 days), rounded, capped.
[[nodiscard]] int RiskScore(const RulesConfig& config, const CustomerState& state, EventTime now);

// Counts `times` entries in [now - window, now].
[[nodiscard]] int CountInWindow(const std::vector<EventTime>& times, EventTime now,
                                Duration window);

// A survey answer: low-band risk points, the CES effort lift, and the low_score alert.
void ApplySurvey(Step& step, const Event& event);

}  // namespace cx
