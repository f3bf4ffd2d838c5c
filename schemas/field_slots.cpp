#include "schemas/field_slots.h"

#include <array>

namespace cx {

namespace {

constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "event_id", "customer_id", "type",     "action",  "ts",     "tier",       "channel", "page",
    "element",  "session_id",  "query",    "results", "status", "contact_id", "queue",   "reason",
    "agent_id", "author",      "resolved", "hold_ms", "survey", "score",      "comment",
};

}  // namespace

std::string_view FieldName(FieldId id) {
  const auto index = static_cast<size_t>(id);
  return index < kFieldNames.size() ? kFieldNames[index] : std::string_view{};
}

FieldId LookupField(std::string_view key) {
  // Candidates by length keep this to one or two comparisons per key.
  auto pick = [key](std::initializer_list<FieldId> ids) {
    for (FieldId id : ids) {
      if (kFieldNames[static_cast<size_t>(id)] == key) return id;
    }
    return FieldId::kUnknown;
  };
  switch (key.size()) {
    case 2:
      return pick({FieldId::kTs});
    case 4:
      return pick({FieldId::kType, FieldId::kPage, FieldId::kTier});
    case 5:
      return pick({FieldId::kQuery, FieldId::kQueue, FieldId::kScore});
    case 6:
      return pick({FieldId::kAction, FieldId::kReason, FieldId::kStatus, FieldId::kAuthor,
                   FieldId::kSurvey});
    case 7:
      return pick({FieldId::kElement, FieldId::kResults, FieldId::kChannel, FieldId::kHoldMs,
                   FieldId::kComment});
    case 8:
      return pick({FieldId::kEventId, FieldId::kAgentId, FieldId::kResolved});
    case 10:
      return pick({FieldId::kSessionId, FieldId::kContactId});
    case 11:
      return pick({FieldId::kCustomerId});
    default:
      return FieldId::kUnknown;
  }
}

}  // namespace cx
