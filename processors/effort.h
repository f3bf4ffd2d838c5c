#pragma once

#include "processors/rules_config.h"
#include "processors/step.h"
#include "state/customer_state.h"

namespace cx {

// Adds effort points earned at event time `at` (SPEC §3 effort inputs).
void AddEffort(Step& step, double points, EventTime at);

// The effort score at `now`: decayed points, rounded, capped at config.effort.cap.
[[nodiscard]] int EffortScore(const RulesConfig& config, const CustomerState& state, EventTime now);

// A CES answer of 3/2/1 lifts the effort score at `at` to at least its floor (70/80/90), by
// adding the missing points at `at`. Other scores do nothing.
void ApplyCesLift(Step& step, int ces_score, EventTime at);

}  // namespace cx
