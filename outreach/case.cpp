#include "outreach/case.h"

#include "schemas/stable_hash.h"

namespace cx {

std::string CaseId(std::string_view customer_id, std::string_view alert_id) {
  return StableId({"case", customer_id, alert_id});
}

std::string_view RecommendedAction(const Case& c) {
  const CaseAlert* best = nullptr;
  for (const CaseAlert& alert : c.alerts) {
    if (best == nullptr || alert.severity >= best->severity) best = &alert;
  }
  return best == nullptr ? "callback" : RecommendedAction(best->kind, best->severity);
}

std::string_view ToString(CaseStatus status) {
  switch (status) {
    case CaseStatus::kOpen:
      return "open";
    case CaseStatus::kClaimed:
      return "claimed";
    case CaseStatus::kSnoozed:
      return "snoozed";
    case CaseStatus::kResolved:
      return "resolved";
  }
  return "open";
}

std::string_view ToString(Outcome outcome) {
  switch (outcome) {
    case Outcome::kReached:
      return "reached";
    case Outcome::kNoAnswer:
      return "no_answer";
    case Outcome::kResolved:
      return "resolved";
    case Outcome::kNotNeeded:
      return "not_needed";
    case Outcome::kNone:
      break;
  }
  return "";
}

bool ParseOutcome(std::string_view text, Outcome& out) {
  for (Outcome o :
       {Outcome::kReached, Outcome::kNoAnswer, Outcome::kResolved, Outcome::kNotNeeded}) {
    if (text == ToString(o)) {
      out = o;
      return true;
    }
  }
  return false;
}

}  // namespace cx
