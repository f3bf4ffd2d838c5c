#include "processors/engine.h"

#include <algorithm>
#include <string>

#include "processors/alerts.h"
#include "processors/contacts.h"
#include "processors/dedup.h"
#include "processors/risk.h"
#include "processors/selfservice.h"
#include "processors/sla.h"
#include "processors/step.h"

namespace cx {
namespace {

// Bounds the timers fired in one call; each firing sets a flag, so this is only a safety net.
constexpr int kMaxTimersPerCall = 1024;

struct DueTimer {
  EventTime at = EventTime::Max();
  Contact* contact = nullptr;  // nullptr: the help-dwell timer
};

DueTimer EarliestTimer(const RulesConfig& config, CustomerState& state) {
  DueTimer t;
  for (Contact& c : state.contacts) {
    const EventTime d = ContactSlaDeadline(config, c);
    if (d < t.at) t = DueTimer{d, &c};
  }
  const EventTime help = HelpDwellDeadline(config, state);
  if (help < t.at) t = DueTimer{help, nullptr};
  return t;
}

void Finish(const RulesConfig& config, CustomerState& state, EventTime watermark) {
  PruneContacts(config, state, watermark);
  state.next_deadline = EarliestTimer(config, state).at;
}

}  // namespace

ApplyResult ApplyEvent(const RulesConfig& config, std::string_view customer_id,
                       CustomerState& state, const Event& event, EventTime watermark,
                       Emissions& out) {
  if (CheckAndRecordEventId(config, state, event.event_id, event.ts)) {
    return ApplyResult::kDuplicate;
  }
  state.last_activity = std::max(state.last_activity, event.ts);
  if (event.tier != Tier::kUnset) state.tier = event.tier;
  Step step{config, customer_id, state, out, state.last_activity, event.event_id};
  switch (event.type) {
    case EventType::kClick:
      ApplyClickEvent(step, event, watermark);
      break;
    case EventType::kCall:
    case EventType::kChat:
      ApplyContactEvent(step, event);
      break;
    case EventType::kSurvey:
      ApplySurvey(step, event);
      break;
  }
  EvaluateScores(step, event.ts, event.event_id);
  Finish(config, state, watermark);
  return ApplyResult::kApplied;
}

void FireDueTimers(const RulesConfig& config, std::string_view customer_id, CustomerState& state,
                   EventTime watermark, Emissions& out) {
  Step step{config, customer_id, state, out, state.last_activity, {}};
  for (int i = 0; i < kMaxTimersPerCall; ++i) {
    const DueTimer due = EarliestTimer(config, state);
    if (due.at > watermark) break;
    step.now = std::max(due.at, state.last_activity);
    std::string trigger = "timer|" + std::to_string(due.at.ms) + "|";
    if (due.contact != nullptr) {
      trigger += due.contact->contact_id;
      ResolveContactSla(step, *due.contact, due.at);
    } else {
      trigger += "help_dwell";
      FireHelpDwellTimer(step, due.at);
    }
    EvaluateScores(step, due.at, trigger);
  }
  Finish(config, state, watermark);
}

EventTime NextDeadline(const CustomerState& state) { return state.next_deadline; }

}  // namespace cx
