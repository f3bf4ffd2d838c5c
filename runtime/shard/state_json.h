#pragma once

#include <string>
#include <string_view>

#include "processors/rules_config.h"
#include "state/customer_state.h"

namespace cx {

// Appends one customer's state as a JSON object for `cxpulse state get` and /customers/{id}:
// scores as of `now` (pass the shard's watermark, or the state's last activity), open contacts,
// the trailing-window counts behind the risk conditions, the last alert per kind, and the
// current self-service session.
void AppendCustomerStateJson(std::string_view customer_id, const CustomerState& state,
                             const RulesConfig& rules, EventTime now, std::string& out);

}  // namespace cx
