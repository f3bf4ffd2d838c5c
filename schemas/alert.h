#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/event.h"
#include "schemas/time.h"

namespace cx {

// SPEC §4 alert kinds, in the order of the SPEC table.
enum class AlertKind : uint8_t {
  kSlaBreach,
  kRepeatContact,
  kHighEffort,
  kAtRisk,
  kLowScore,
  kNeedsHelp
};
inline constexpr int kAlertKindCount = 6;

enum class Severity : uint8_t { kWarning, kCritical };

// One reason behind an alert: a stable code, a human sentence, and the events that caused it.
struct AlertReason {
  std::string code;
  std::string detail;
  std::vector<std::string> event_ids;
};

// An alert for a support rep (SPEC §4). `alert_id` is a pure function of
// (customer, kind, triggering event); `ts` is the event time of the trigger.
struct Alert {
  std::string alert_id;
  std::string customer_id;
  AlertKind kind = AlertKind::kSlaBreach;
  Severity severity = Severity::kWarning;
  EventTime ts;
  std::string contact_id;  // empty when the alert is not about one contact
  std::vector<AlertReason> reasons;
  int effort_score = 0;
  int risk_score = 0;
  // Context for the rep (SPEC §4), where known: the customer's latest tier (kUnset when never
  // seen), and for an alert about a contact that contact's channel, queue and reason (empty
  // when unknown or when the alert is not about one contact).
  Tier tier = Tier::kUnset;
  std::string channel;
  std::string queue;
  std::string reason;
};

// "sla_breach", "repeat_contact", ... as written in the JSON output.
std::string_view ToString(AlertKind kind);
std::string_view ToString(Severity severity);
// "standard" / "vip"; "" for kUnset.
std::string_view ToString(Tier tier);
// SPEC §4: what works for this kind at this severity ("callback", "offer_chat", ...).
std::string_view RecommendedAction(AlertKind kind, Severity severity);

}  // namespace cx
