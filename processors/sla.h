#pragma once

#include "processors/rules_config.h"
#include "processors/step.h"
#include "state/customer_state.h"

namespace cx {

// Response-time SLAs of one contact (SPEC §3 SLA rows, §4 sla_breach). Every response wait is
// derived from the contact's events in event-time order, so the outcome does not depend on the
// arrival order within the allowed lateness.
//
// Emits everything about `contact` that is decided by its events and by `horizon` and was not
// emitted yet: sla.met (answered within target), sla.breached (ts = the deadline; when the
// watermark reached it, or when the answer or the close came after it), the long-wait alert
// (unanswered >= multiplier x target; warning) and the abandoned-after-breach alert (critical).
// `horizon` is the instant the watermark reached (a timer), or EventTime::Min() when applying
// an event. Each breach adds effort and is remembered for the risk condition.
void ResolveContactSla(Step& step, Contact& contact, EventTime horizon);

// The earliest pending SLA deadline of `contact` (breach or long wait), or EventTime::Max().
[[nodiscard]] EventTime ContactSlaDeadline(const RulesConfig& config, const Contact& contact);

}  // namespace cx
