#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "processors/step.h"
#include "schemas/alert.h"

namespace cx {

// What a rule asks the alert policy to raise.
struct AlertRequest {
  AlertKind kind = AlertKind::kSlaBreach;
  Severity severity = Severity::kWarning;  // before the VIP step
  EventTime ts;                            // event time of the trigger
  Trigger trigger{std::string_view{}};     // event_id, or the identity of a timer
  std::string_view contact_id;             // empty when not about one contact
  std::string_view code;                   // stable reason code
  std::string detail;                      // human sentence
  std::vector<std::string> event_ids;      // the events behind it
};

// The alert policy of SPEC §4: VIP customers one severity step higher; at most one alert per
// (customer, kind) within config.alerts.cooldown, except an escalation warning -> critical.
// Appends the alert (id = StableId(customer, kind, trigger), current scores, the customer's tier,
// and for sla_breach / repeat_contact the contact's channel — the event's, else "call"/"chat" —
// queue and reason) to step.out and returns true, or returns false when the policy suppresses
// it.
bool RaiseAlert(Step& step, AlertRequest request);

// Re-evaluates effort and risk at step.now: effort.updated / risk.updated signals when the
// rounded score moved by >= signal_step, and the high_effort / at_risk threshold alerts with
// their hysteresis. `trigger_ts` / `trigger` identify what caused this evaluation.
void EvaluateScores(Step& step, EventTime trigger_ts, const Trigger& trigger);

// "call" or "chat": the SLA kind of a contact, as signals and metric labels name it.
[[nodiscard]] std::string_view ContactChannelName(EventType type);

// The channel tag of a contact whose events carry none: "phone" for a call, "chat" for a chat
// (the tags the event schema uses; an alert's `channel` context).
[[nodiscard]] std::string_view UntaggedChannel(EventType type);

}  // namespace cx
