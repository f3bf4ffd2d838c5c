#pragma once

#include <string_view>
#include <vector>

#include "processors/rules_config.h"
#include "schemas/alert.h"
#include "schemas/event.h"
#include "schemas/signal.h"
#include "state/customer_state.h"

namespace cx {

// What one step of processing emitted, in emission order. The caller owns it and clears it
// between steps (reusing the vectors' capacity).
struct Emissions {
  std::vector<Signal> signals;
  std::vector<Alert> alerts;
  void Clear() {
    signals.clear();
    alerts.clear();
  }
};

enum class ApplyResult : uint8_t {
  kApplied,    // the event changed the state (and may have emitted)
  kDuplicate,  // its event_id was already seen for this customer within the dedup window
};

// The whole rule engine, as pure functions. No I/O, no clock, no globals: time comes in as
// `event.ts` and as `watermark` (the shard's max event time minus the allowed lateness).
// Determinism contract: the same sequence of calls with the same arguments produces the same
// states and byte-identical emissions.

// Applies one decoded event of `customer_id` to its state: dedup, then every rule of SPEC §3
// and the alert policy of §4, then fires the customer's timers that `watermark` has passed
// (deadline < watermark), e.g. those of a late event. Precondition: event.customer_id ==
// customer_id. An event never fires a deadline by its own time: every in-lateness event counts
// as if it had arrived in time order, and deadlines wait for the watermark.
[[nodiscard]] ApplyResult ApplyEvent(const RulesConfig& config, std::string_view customer_id,
                                     CustomerState& state, const Event& event, EventTime watermark,
                                     Emissions& out);

// Fires every deadline of this customer that the watermark has passed (deadline < watermark:
// SLA breaches, unanswered-for-3x alerts, wait ends, self-service dwell), in deadline order,
// then drops what no in-lateness event can reach any more.
void FireDueTimers(const RulesConfig& config, std::string_view customer_id, CustomerState& state,
                   EventTime watermark, Emissions& out);

// The earliest pending deadline of this customer, or EventTime::Max() when there is none.
// The shard keeps exactly one timer per customer at this instant.
[[nodiscard]] EventTime NextDeadline(const CustomerState& state);

}  // namespace cx
