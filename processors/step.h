#pragma once

#include <string_view>

#include "processors/engine.h"
#include "processors/rules_config.h"
#include "state/customer_state.h"

namespace cx {

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
};

}  // namespace cx
