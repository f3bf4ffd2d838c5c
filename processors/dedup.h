#pragma once

#include <string_view>

#include "processors/rules_config.h"
#include "state/customer_state.h"

namespace cx {

// Idempotent ingest. Returns true when `event_id` was already seen for this customer within the
// dedup window (config.dedup_window before the newest event time seen); otherwise remembers it
// at `ts` and returns false. At most config.dedup_max_events ids are kept: past the cap the
// oldest are forgotten in one chunk of cap/8, so the newest 7/8 x cap ids are always
// remembered. An event older than the window cannot be recognised and is treated as new.
// Allocation-free unless the window grows past its capacity.
[[nodiscard]] bool CheckAndRecordEventId(const RulesConfig& config, CustomerState& state,
                                         std::string_view event_id, EventTime ts);

}  // namespace cx
