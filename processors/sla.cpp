#include "processors/sla.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <type_traits>

#include "processors/alerts.h"
#include "processors/effort.h"
#include "processors/stable_hash.h"

namespace cx {
namespace {

template <class Flags>
struct Wait {
  SlaKind kind = SlaKind::kNone;
  EventTime start;
  EventTime answer = EventTime::Max();
  Duration target;
  Flags* flags = nullptr;
};

// Calls f(Wait) for each response wait of the contact, in event-time order. At most the last
// one is unanswered.
template <class C, class F>
void ForEachWait(const RulesConfig& config, C& contact, F&& f) {
  using Flags = std::remove_reference_t<decltype((contact.first_sla_flags))>;
  if (contact.type == EventType::kCall) {
    if (contact.started == EventTime::Max()) return;
    f(Wait<Flags>{SlaKind::kCallAnswer, contact.started, contact.answered, config.sla.call_target,
                  &contact.first_sla_flags});
    return;
  }
  auto& msgs = contact.messages;
  EventTime clock = contact.started;
  for (const ChatMessage& m : msgs) {
    if (m.author == Author::kCustomer) {
      clock = std::min(clock, m.ts);
      break;
    }
  }
  if (clock == EventTime::Max()) return;
  size_t i = 0;
  while (i < msgs.size() && !(msgs[i].author == Author::kAgent && msgs[i].ts >= clock)) ++i;
  const bool replied = i < msgs.size();
  f(Wait<Flags>{SlaKind::kChatFirstReply, clock, replied ? msgs[i].ts : EventTime::Max(),
                config.sla.chat_first_reply_target, &contact.first_sla_flags});
  if (!replied) return;
  size_t pending = msgs.size();
  for (size_t j = i + 1; j < msgs.size(); ++j) {
    if (msgs[j].author == Author::kCustomer && pending == msgs.size()) {
      pending = j;
    } else if (msgs[j].author == Author::kAgent && pending != msgs.size()) {
      f(Wait<Flags>{SlaKind::kChatNextReply, msgs[pending].ts, msgs[j].ts,
                    config.sla.chat_next_reply_target, &msgs[pending].sla_flags});
      pending = msgs.size();
    }
  }
  if (pending != msgs.size()) {
    f(Wait<Flags>{SlaKind::kChatNextReply, msgs[pending].ts, EventTime::Max(),
                  config.sla.chat_next_reply_target, &msgs[pending].sla_flags});
  }
}

// "contact_id|kind|start_ms": names one response wait in the ids of its signals and alerts.
std::string WaitIdentity(const Contact& contact, SlaKind kind, EventTime start) {
  return contact.contact_id + "|" + std::string(ToString(kind)) + "|" + std::to_string(start.ms);
}

// Hashes WaitIdentity(contact, kind, start) as one part, without building the string.
StableHasher& HashWaitIdentity(StableHasher& h, const Contact& contact, SlaKind kind,
                               EventTime start) {
  std::array<char, 24> digits{};
  const auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), start.ms);
  const std::string_view number(digits.data(), static_cast<size_t>(end - digits.data()));
  return h.JoinedPart({contact.contact_id, "|", ToString(kind), "|", number});
}

std::vector<std::string> EventIds(const Step& step, const Contact& contact) {
  std::vector<std::string> ids;
  if (!contact.open_event_id.empty()) ids.push_back(contact.open_event_id);
  if (!step.event_id.empty() && step.event_id != contact.open_event_id) {
    ids.emplace_back(step.event_id);
  }
  return ids;
}

void EmitSla(Step& step, const Contact& contact, SignalKind kind, SlaKind sla, EventTime start,
             EventTime ts, Duration target, Duration elapsed) {
  Signal& s = step.out.signals.emplace_back();
  StableHasher id = IdHasher(step).Part(ToString(kind));
  s.signal_id = HashWaitIdentity(id, contact, sla, start).Id();
  s.kind = kind;
  s.customer_id = step.customer_id;
  s.ts = ts;
  s.contact_id = contact.contact_id;
  s.channel = ContactChannelName(contact.type);
  s.sla = sla;
  s.target_ms = target.ms;
  s.elapsed_ms = elapsed.ms;
  s.event_ids = EventIds(step, contact);
}

// The breach at the deadline: the customer was still waiting, so elapsed = target.
void RecordBreach(Step& step, const Contact& contact, SlaKind sla, EventTime start,
                  Duration target) {
  const EventTime deadline = start + target;
  EmitSla(step, contact, SignalKind::kSlaBreached, sla, start, deadline, target, target);
  step.out.signals.back().outcome = SlaOutcome::kBreached;
  AddEffort(step, step.config.sla.breach_effort, deadline);
  NoteDriver(step, false, step.config.sla.breach_effort, "SLA breach");
  auto& b = step.state.breaches;
  b.insert(std::upper_bound(b.begin(), b.end(), deadline), deadline);
  const size_t cap = static_cast<size_t>(std::max(step.config.risk.many_breaches_at, 1)) * 8;
  if (b.size() > cap) b.erase(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(b.size() - cap));
}

std::string_view BreachCode(SlaKind kind) {
  switch (kind) {
    case SlaKind::kCallAnswer:
      return "call_answer_breach";
    case SlaKind::kChatFirstReply:
      return "chat_first_reply_breach";
    default:
      return "chat_next_reply_breach";
  }
}

void RaiseSlaAlert(Step& step, const Contact& contact, Severity severity, EventTime ts,
                   std::string_view trigger, std::string_view code, std::string detail) {
  AlertRequest r;
  r.kind = AlertKind::kSlaBreach;
  r.severity = severity;
  r.ts = ts;
  r.trigger = trigger;
  r.contact_id = contact.contact_id;
  r.code = code;
  r.detail = std::move(detail);
  r.event_ids = EventIds(step, contact);
  RaiseAlert(step, std::move(r));
}

// The instant the wait ended: the response, or the contact's close without one (Max: waiting).
template <class Flags>
EventTime WaitEnd(const Contact& contact, const Wait<Flags>& w) {
  return w.answer <= contact.closed ? w.answer : contact.closed;
}

void EmitEnded(Step& step, const Contact& contact, const Wait<uint8_t>& w, EventTime end) {
  const bool answered = w.answer <= contact.closed;
  const bool breached = end > w.start + w.target;
  const SlaOutcome outcome = answered            ? SlaOutcome::kAnswered
                             : contact.abandoned ? SlaOutcome::kAbandoned
                                                 : SlaOutcome::kBreached;
  if (!answered && !contact.abandoned && !breached) return;  // closed in time, nobody waited
  EmitSla(step, contact, SignalKind::kSlaEnded, w.kind, w.start, end, w.target, end - w.start);
  step.out.signals.back().outcome = outcome;
}

// The deadline (breach: the wait had not ended by it) and the long wait (alert: the wait lasted
// at least multiplier x target) are decided only once the watermark (`horizon`) has passed them, so
// they depend only on the events up to that instant, whatever their arrival order within the
// lateness. The wait's end (sla.ended, abandoned-after-breach) is decided once it is known and
// every earlier instant of the wait is decided, so it always comes after them.
void ResolveWait(Step& step, Contact& contact, const Wait<uint8_t>& w, EventTime horizon) {
  const SlaRules& rules = step.config.sla;
  const EventTime deadline = w.start + w.target;
  const EventTime long_wait = w.start + w.target * rules.long_wait_multiplier;
  uint8_t& flags = *w.flags;
  if (w.start >= contact.closed) return;  // a message after the close waits for nothing
  const EventTime end = WaitEnd(contact, w);
  const bool answered = w.answer <= contact.closed && w.answer != EventTime::Max();

  if (answered && w.answer <= deadline) {
    if (!(flags & (kSlaMetEmitted | kSlaBreachRecorded))) {
      flags |= kSlaMetEmitted;
      EmitSla(step, contact, SignalKind::kSlaMet, w.kind, w.start, w.answer, w.target,
              w.answer - w.start);
      step.out.signals.back().outcome = SlaOutcome::kAnswered;
    }
    return;
  }
  if (flags & kSlaMetEmitted) return;
  if (end > deadline && deadline < horizon && !(flags & kSlaBreachRecorded)) {
    flags |= kSlaBreachRecorded;
    RecordBreach(step, contact, w.kind, w.start, w.target);
  }
  const bool breached = (flags & kSlaBreachRecorded) != 0;
  if (end >= long_wait && long_wait < horizon && breached && !(flags & kSlaLongWaitAlerted)) {
    flags |= kSlaLongWaitAlerted;
    const std::string verb = w.kind == SlaKind::kCallAnswer ? "answer" : "reply";
    RaiseSlaAlert(
        step, contact, Severity::kWarning, long_wait,
        WaitIdentity(contact, w.kind, w.start) + "|long_wait", BreachCode(w.kind),
        "no agent " + verb + " for " + std::to_string((long_wait - w.start).ms / 1000) + " s");
  }
  const bool earlier_decided = (end <= deadline || breached) &&
                               (end < long_wait || (flags & kSlaLongWaitAlerted) || !breached);
  if (end == EventTime::Max() || !earlier_decided || (flags & kSlaEndedEmitted)) return;
  flags |= kSlaEndedEmitted;
  EmitEnded(step, contact, w, end);
  if (!answered && contact.abandoned && end > deadline && breached && !contact.abandon_alerted) {
    contact.abandon_alerted = true;
    RaiseSlaAlert(step, contact, Severity::kCritical, contact.closed,
                  contact.contact_id + "|abandoned", "abandoned_after_breach",
                  "abandoned after " + std::to_string((contact.closed - w.start).ms / 1000) +
                      " s without an agent (target " + std::to_string(w.target.ms / 1000) + " s)");
  }
}

}  // namespace

void ResolveContactSla(Step& step, Contact& contact, EventTime horizon) {
  ForEachWait(step.config, contact,
              [&](const Wait<uint8_t>& w) { ResolveWait(step, contact, w, horizon); });
}

EventTime ContactSlaDeadline(const RulesConfig& config, const Contact& contact) {
  EventTime next = EventTime::Max();
  ForEachWait(config, contact, [&](const Wait<const uint8_t>& w) {
    const uint8_t flags = *w.flags;
    const EventTime deadline = w.start + w.target;
    const EventTime end = WaitEnd(contact, w);
    if ((flags & kSlaMetEmitted) || w.start >= contact.closed) return;
    if (w.answer <= deadline && w.answer <= contact.closed) return;  // sla.met (on the answer)
    if (!(flags & kSlaBreachRecorded)) {
      if (end > deadline) {
        next = std::min(next, deadline);
        return;
      }
    } else if (!(flags & kSlaLongWaitAlerted)) {
      const EventTime long_wait = w.start + w.target * config.sla.long_wait_multiplier;
      if (end >= long_wait) next = std::min(next, long_wait);
    }
  });
  return next;
}

}  // namespace cx
