#include "processors/effort.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "processors/decay.h"

namespace cx {

void AddEffort(Step& step, double points, EventTime at) {
  AddDecaying(step.state.effort, points, at, step.config.effort.half_life);
}

int EffortScore(const RulesConfig& config, const CustomerState& state, EventTime now) {
  const double v = DecayedValue(state.effort, now, config.effort.half_life);
  return static_cast<int>(std::clamp(RoundHalfAway(v), 0L, static_cast<long>(config.effort.cap)));
}

void ApplyCesLift(Step& step, int ces_score, EventTime at) {
  const EffortRules& rules = step.config.effort;
  int floor = 0;
  if (ces_score == 1) {
    floor = rules.ces1_floor;
  } else if (ces_score == 2) {
    floor = rules.ces2_floor;
  } else if (ces_score == 3) {
    floor = rules.ces3_floor;
  }
  if (floor == 0) return;
  const double current = DecayedValue(step.state.effort, at, rules.half_life);
  if (current < floor) {
    AddEffort(step, floor - current, at);
    NoteDriver(step, false, floor - current, "CES " + std::to_string(ces_score));
  }
}

}  // namespace cx
