#pragma once

#include <string>

#include "outreach/case.h"
#include "outreach/case_book.h"

namespace cx {

// Appends one case as a compact JSON object (GET /cases, /cases/{id}), validated by
// schemas/json/case.schema.json; no trailing newline. Fixed field order, so the same case always
// gives the same bytes: case_id, customer_id, status, severity, recommended_action, tier, channel,
// queue, reason, opened_at, owner, claimed_at, snoozed_until, resolved_at, outcome, note,
// escalated_at, alerts ([{alert_id, kind, severity, ts, reasons:[{code, detail}]}]). Fields
// that are empty or not set yet are omitted. Times are RFC 3339 UTC with milliseconds.
void AppendCaseJson(const Case& c, std::string& out);

// Appends an escalation (SPEC §8 `escalation` destination): {"type":"case.escalated",
// "case_id", "customer_id", "ts", "case": <the case as AppendCaseJson writes it>}.
void AppendEscalationJson(const Escalation& escalation, std::string& out);

}  // namespace cx
