#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "processors/engine.h"
#include "processors/rules_config.h"
#include "schemas/stable_hash.h"
#include "state/customer_state.h"

namespace cx {

// Points one step added to a score, and why ("SLA breach", "NPS 2"): the alert details name them.
struct ScoreDriver {
  bool risk = false;  // false: effort
  double points = 0;
  std::string what;
};

// The context of one engine step (one event, or one fired timer), shared by the rule areas.
struct Step {
  const RulesConfig& config;
  std::string_view customer_id;
  CustomerState& state;
  Emissions& out;
  // Scores are evaluated at this instant: max(trigger time, latest event time of the customer).
  EventTime now;
  // The event being applied; empty for a timer.
  std::string_view event_id;
  // What this step added to the scores, in order (see NoteDriver).
  std::vector<ScoreDriver> drivers;
  // The customer's id hashed as the first part of an id; set by the step's first IdHasher call
  // (most steps emit nothing, so it is not computed up front).
  std::optional<StableHasher> customer_hasher;
};

// A hasher holding the customer's id as its first part: continue it with the id's other parts.
// IdHasher(step).Part(kind).Part(trigger).Id() == StableId({step.customer_id, kind, trigger}).
inline StableHasher IdHasher(Step& step) {
  if (!step.customer_hasher) step.customer_hasher.emplace().Part(step.customer_id);
  return *step.customer_hasher;
}

// Records that this step added `points` to effort (or risk) because of `what`.
inline void NoteDriver(Step& step, bool risk, double points, std::string what) {
  if (points != 0) step.drivers.push_back(ScoreDriver{risk, points, std::move(what)});
}

}  // namespace cx
