#pragma once

#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "processors/engine.h"
#include "processors/rules_config.h"
#include "schemas/stable_hash.h"
#include "state/customer_state.h"

namespace cx {

// Points one step added to a score, and why ("SLA breach", "NPS 2"): the alert details name them.
struct ScoreDriver {
  bool risk = false;  // false: effort
  double points = 0;
  std::string what;
};

// The context of one engine step (one event, or one fired timer), shared by the rule areas.
struct Step {
  const RulesConfig& config;
  std::string_view customer_id;
  CustomerState& state;
  Emissions& out;
  // Scores are evaluated at this instant: max(trigger time, latest event time of the customer).
  EventTime now;
  // The event being applied; empty for a timer.
  std::string_view event_id;
  // What this step added to the scores, in order (see NoteDriver).
  std::vector<ScoreDriver> drivers;
  // The customer's id hashed as the first part of an id; set by the step's first IdHasher call
  // (most steps emit nothing, so it is not computed up front).
  std::optional<StableHasher> customer_hasher;
};

// What triggered a step, as the last part of its ids: an event's id, or a timer's
// "timer|<deadline ms>|<what fired>" (a contact id, or help_dwell), hashed in pieces and never
// built. Holds views: the strings it names outlive the step.
struct Trigger {
  // Implicit: an event's id is a trigger wherever one is asked for.
  Trigger(std::string_view event_id) : text(event_id) {}
  Trigger(const std::string& event_id) : text(event_id) {}
  static Trigger Timer(EventTime deadline, std::string_view what) {
    Trigger t(what);
    t.timer_deadline = deadline;
    return t;
  }
  std::string_view text;
  std::optional<EventTime> timer_deadline;  // set: a timer's trigger
};

// Continues `h` with the trigger as one part.
inline StableHasher& HashTrigger(StableHasher& h, const Trigger& trigger) {
  if (!trigger.timer_deadline) return h.Part(trigger.text);
  std::array<char, 24> digits{};
  const auto [end, ec] =
      std::to_chars(digits.data(), digits.data() + digits.size(), trigger.timer_deadline->ms);
  const std::string_view number(digits.data(), static_cast<size_t>(end - digits.data()));
  return h.JoinedPart({"timer|", number, "|", trigger.text});
}

// A hasher holding the customer's id as its first part: continue it with the id's other parts.
// IdHasher(step).Part(kind).Part(trigger).Id() == StableId({step.customer_id, kind, trigger}).
inline StableHasher IdHasher(Step& step) {
  if (!step.customer_hasher) step.customer_hasher.emplace().Part(step.customer_id);
  return *step.customer_hasher;
}

// Records that this step added `points` to effort (or risk) because of `what`.
inline void NoteDriver(Step& step, bool risk, double points, std::string what) {
  if (points != 0) step.drivers.push_back(ScoreDriver{risk, points, std::move(what)});
}

}  // namespace cx
