#pragma once

#include <cstdint>

#include "processors/step.h"
#include "schemas/event.h"
#include "state/customer_state.h"

namespace cx {

// Applies a click-stream event (page_view, click, search, error, contact_us): sessions, rage
// clicks, failed searches, error pages, cancellation intent, help-page dwell and the needs_help
// alert. `watermark` finalises help-page dwell segments that no in-lateness event can split.
// Dwell on a help page runs to the next click event, but stops at a contact opened in between
// (from the contact history): time before a contact never becomes a needs_help after it.
void ApplyClickEvent(Step& step, const Event& event, EventTime watermark);

// When the customer, still on a help page with no further click event, reaches the help-dwell
// threshold: the needs_help timer. EventTime::Max() when none is pending (no help page open,
// already raised this session, the threshold is out of reach within one page's dwell cap, or a
// contact is open).
[[nodiscard]] EventTime HelpDwellDeadline(const RulesConfig& config, const CustomerState& state);

// The customer's time on help pages this session up to `now`: the final and pending segments,
// plus the current help page up to `now` (capped per page), as the help-dwell rule counts it.
[[nodiscard]] int64_t HelpDwellMs(const RulesConfig& config, const CustomerState& state,
                                  EventTime now);

// Fires the help-dwell timer due at `deadline` (raises needs_help with ts = deadline).
void FireHelpDwellTimer(Step& step, EventTime deadline);

}  // namespace cx
