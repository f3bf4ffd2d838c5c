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

// Fires, in deadline order, every timer the watermark has passed (deadline < watermark).
void FireTimers(Step& step, EventTime watermark) {
  CustomerState& state = step.state;
  for (int i = 0; i < kMaxTimersPerCall; ++i) {
    const DueTimer due = EarliestTimer(step.config, state);
    if (due.at >= watermark) break;
    step.now = std::max(due.at, state.last_activity);
    step.event_id = {};
    step.drivers.clear();
    if (due.contact != nullptr) {
      ResolveContactSla(step, *due.contact, due.at + Duration::Millis(1));
    } else {
      FireHelpDwellTimer(step, due.at);
    }
    // The contact outlives the step (pruning comes after the timers).
    const Trigger trigger = Trigger::Timer(
        due.at, due.contact != nullptr ? std::string_view(due.contact->contact_id) : "help_dwell");
    EvaluateScores(step, due.at, trigger);
  }
}

// Fires what the watermark has passed, then prunes with the watermark and sets the next timer.
void Finish(Step& step, EventTime watermark) {
  FireTimers(step, watermark);
  PruneContacts(step.config, step.state, watermark);
  step.state.next_deadline = EarliestTimer(step.config, step.state).at;
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
  Step step{config, customer_id, state, out, state.last_activity, event.event_id, {}, {}};
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
  Finish(step, watermark);
  return ApplyResult::kApplied;
}

void FireDueTimers(const RulesConfig& config, std::string_view customer_id, CustomerState& state,
                   EventTime watermark, Emissions& out) {
  Step step{config, customer_id, state, out, state.last_activity, {}, {}, {}};
  Finish(step, watermark);
}

EventTime NextDeadline(const CustomerState& state) { return state.next_deadline; }

}  // namespace cx
