#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/alert.h"
#include "schemas/event.h"
#include "schemas/time.h"

namespace cx {

// SPEC §7 case status.
enum class CaseStatus : uint8_t { kOpen, kClaimed, kSnoozed, kResolved };

// SPEC §7 resolve outcome; kNone until the case is resolved.
enum class Outcome : uint8_t { kNone, kReached, kNoAnswer, kResolved, kNotNeeded };

// One alert gathered by a case: what the rep needs to see of it.
struct CaseAlert {
  std::string alert_id;
  AlertKind kind = AlertKind::kSlaBreach;
  Severity severity = Severity::kWarning;
  EventTime ts;
  std::vector<AlertReason> reasons;  // event_ids are not kept
};

// An outreach case (SPEC §7): the work one customer's alerts ask for. A plain value; the fold
// (outreach/case_book.h) is the only writer. Optional times are absent until the step that
// sets them happened.
struct Case {
  std::string case_id;  // CaseId(customer_id, alerts.front().alert_id)
  std::string customer_id;
  CaseStatus status = CaseStatus::kOpen;
  Severity severity = Severity::kWarning;  // highest of `alerts`
  std::vector<CaseAlert> alerts;           // in fold order; never empty
  Tier tier = Tier::kUnset;                // latest tier an alert carried
  std::string channel;                     // latest non-empty channel an alert carried
  std::string queue;                       // latest non-empty queue an alert carried
  std::string reason;                      // latest non-empty reason an alert carried
  EventTime opened_at;                     // ts of the alert that opened the case
  // Set by a claim; kept when the claim lapses (status back to open, the former owner may
  // still release, snooze or resolve until someone else claims), cleared by a release.
  std::string owner;
  std::optional<EventTime> claimed_at;
  std::optional<EventTime> snoozed_until;  // only while snoozed
  std::optional<EventTime> resolved_at;
  Outcome outcome = Outcome::kNone;
  std::string note;
  std::optional<EventTime> escalated_at;  // set once, when the escalation fired
  // When the case last became open-and-critical; the escalation deadline counts from here.
  EventTime unclaimed_since;
  // When time alone next changes the case (claim lapse, snooze wake-up, escalation, or being
  // forgotten once resolved); EventTime::Max() when nothing is due. Kept by the fold.
  EventTime next_deadline = EventTime::Max();
};

// The deterministic case id: StableId("case", customer, opening alert id), 32 hex digits.
[[nodiscard]] std::string CaseId(std::string_view customer_id, std::string_view alert_id);

// SPEC §7: the recommended action of the case's most severe alert, the latest on a tie.
[[nodiscard]] std::string_view RecommendedAction(const Case& c);

// "open", "claimed", "snoozed", "resolved".
[[nodiscard]] std::string_view ToString(CaseStatus status);
// "reached", "no_answer", "resolved", "not_needed"; "" for kNone.
[[nodiscard]] std::string_view ToString(Outcome outcome);
// Parses a SPEC §7 outcome name; false (and `out` untouched) for anything else, "" included.
[[nodiscard]] bool ParseOutcome(std::string_view text, Outcome& out);

}  // namespace cx
