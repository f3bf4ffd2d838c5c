#include "schemas/alert.h"

namespace cx {

std::string_view ToString(AlertKind kind) {
  switch (kind) {
    case AlertKind::kSlaBreach:
      return "sla_breach";
    case AlertKind::kRepeatContact:
      return "repeat_contact";
    case AlertKind::kHighEffort:
      return "high_effort";
    case AlertKind::kAtRisk:
      return "at_risk";
    case AlertKind::kLowScore:
      return "low_score";
    case AlertKind::kNeedsHelp:
      return "needs_help";
  }
  return "unknown";
}

std::string_view ToString(Severity severity) {
  return severity == Severity::kCritical ? "critical" : "warning";
}

std::string_view ToString(Tier tier) {
  switch (tier) {
    case Tier::kStandard:
      return "standard";
    case Tier::kVip:
      return "vip";
    case Tier::kUnset:
      break;
  }
  return "";
}

std::string_view RecommendedAction(AlertKind kind, Severity severity) {
  switch (kind) {
    case AlertKind::kSlaBreach:
      return severity == Severity::kCritical ? "apologise_and_compensate" : "callback";
    case AlertKind::kRepeatContact:
      return "own_the_issue";
    case AlertKind::kHighEffort:
      return "callback";
    case AlertKind::kAtRisk:
      return "senior_callback";
    case AlertKind::kLowScore:
      return "callback";
    case AlertKind::kNeedsHelp:
      return "offer_chat";
  }
  return "callback";
}

}  // namespace cx
