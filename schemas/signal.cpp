#include "schemas/signal.h"

namespace cx {

std::string_view ToString(SignalKind kind) {
  switch (kind) {
    case SignalKind::kSlaBreached:
      return "sla.breached";
    case SignalKind::kSlaMet:
      return "sla.met";
    case SignalKind::kContactRepeat:
      return "contact.repeat";
    case SignalKind::kEffortUpdated:
      return "effort.updated";
    case SignalKind::kRiskUpdated:
      return "risk.updated";
    case SignalKind::kSlaEnded:
      return "sla.ended";
  }
  return "unknown";
}

std::string_view ToString(SlaOutcome outcome) {
  switch (outcome) {
    case SlaOutcome::kAnswered:
      return "answered";
    case SlaOutcome::kAbandoned:
      return "abandoned";
    case SlaOutcome::kBreached:
      return "breached";
  }
  return "unknown";
}

std::string_view ToString(SlaKind kind) {
  switch (kind) {
    case SlaKind::kCallAnswer:
      return "call_answer";
    case SlaKind::kChatFirstReply:
      return "chat_first_reply";
    case SlaKind::kChatNextReply:
      return "chat_next_reply";
    case SlaKind::kNone:
      break;
  }
  return "none";
}

}  // namespace cx
