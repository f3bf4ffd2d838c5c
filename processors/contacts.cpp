#include "processors/contacts.h"

#include <algorithm>
#include <string>

#include "processors/alerts.h"
#include "processors/effort.h"
#include "processors/sla.h"
#include "processors/stable_hash.h"

namespace cx {
namespace {

// An event of a contact closed more than the lateness before it starts a new contact with the
// same id; otherwise it joins the contact, closed or not. Closed contacts are kept until the
// watermark passes close + lateness, so this depends only on event times, not on arrival order.
Contact& FindOrCreate(const RulesConfig& config, CustomerState& state, const Event& event) {
  auto& contacts = state.contacts;
  for (auto it = contacts.begin(); it != contacts.end(); ++it) {
    if (it->contact_id != event.contact_id) continue;
    if (it->closed == EventTime::Max() || event.ts <= it->closed + config.lateness) return *it;
    contacts.erase(it);
    break;
  }
  if (static_cast<int>(contacts.size()) >= std::max(config.sla.max_open_contacts, 1)) {
    auto oldest = std::min_element(
        contacts.begin(), contacts.end(),
        [](const Contact& a, const Contact& b) { return a.last_event < b.last_event; });
    contacts.erase(oldest);
  }
  Contact& c = contacts.emplace_back();
  c.contact_id = event.contact_id;
  c.type = event.type;
  return c;
}

// The contact's channel tag; an untagged call is "phone", an untagged chat "chat" (the tags the
// event schema uses), so an untagged call after a "phone" call is not a channel switch.
uint64_t ChannelHash(const Event& event) {
  if (!event.channel.empty()) return Fnv1a64(event.channel);
  return Fnv1a64(UntaggedChannel(event.type));
}

bool IsChannelSwitch(const RulesConfig& config, const CustomerState& state,
                     const ContactRecord& record) {
  const EventTime from = record.ts - config.contacts.channel_switch_window;
  if (state.last_self_service >= from && state.last_self_service <= record.ts) return true;
  for (const ContactRecord& r : state.history) {
    if (r.ts >= from && r.ts <= record.ts && r.channel_hash != record.channel_hash) return true;
  }
  return false;
}

void RaiseRepeatAlert(Step& step, const Event& event, int count) {
  const ContactRules& rules = step.config.contacts;
  if (count < rules.repeat_alert_warning) return;
  AlertRequest r;
  r.kind = AlertKind::kRepeatContact;
  r.severity = count >= rules.repeat_alert_critical ? Severity::kCritical : Severity::kWarning;
  r.ts = event.ts;
  r.trigger = event.event_id;
  r.contact_id = event.contact_id;
  r.code = "repeat_contacts";
  r.detail = std::to_string(count) + " contacts in " +
             std::to_string(rules.repeat_window.ms / Duration::Days(1).ms) + " days";
  r.event_ids.emplace_back(event.event_id);
  RaiseAlert(step, std::move(r));
}

void CountContact(Step& step, Contact& contact, const Event& event) {
  contact.counted = true;
  contact.open_event_id = event.event_id;
  CustomerState& state = step.state;
  const ContactRules& rules = step.config.contacts;
  ContactRecord record{Fnv1a64(contact.contact_id),
                       event.reason.empty() ? 0 : Fnv1a64(event.reason), ChannelHash(event),
                       event.ts};
  const ContactRecord* previous = nullptr;
  int count = 1;
  for (const ContactRecord& r : state.history) {
    if (r.ts > record.ts || r.ts < record.ts - rules.repeat_window) continue;
    ++count;
    if (previous == nullptr || r.ts >= previous->ts) previous = &r;
  }
  double points = 0;
  if (IsChannelSwitch(step.config, state, record)) {
    points += rules.channel_switch_effort;
    NoteDriver(step, false, rules.channel_switch_effort, "channel switch");
  }
  if (previous != nullptr) {
    Signal& s = step.out.signals.emplace_back();
    s.signal_id = IdHasher(step).Part("contact.repeat").Part(contact.contact_id).Id();
    s.kind = SignalKind::kContactRepeat;
    s.customer_id = step.customer_id;
    s.ts = event.ts;
    s.contact_id = contact.contact_id;
    s.channel = ContactChannelName(contact.type);
    s.count_7d = count;
    s.same_reason = record.reason_hash != 0 && record.reason_hash == previous->reason_hash;
    s.reason = contact.reason;
    s.event_ids.emplace_back(event.event_id);
    points += rules.repeat_effort;
    NoteDriver(step, false, rules.repeat_effort, "repeat contact");
  }
  if (points > 0) AddEffort(step, points, event.ts);
  record.effort_points = static_cast<uint8_t>(std::clamp(points, 0.0, 255.0));
  auto& h = state.history;
  h.insert(std::upper_bound(h.begin(), h.end(), record.ts,
                            [](EventTime t, const ContactRecord& r) { return t < r.ts; }),
           record);
  if (static_cast<int>(h.size()) > std::max(rules.max_history, 1)) h.erase(h.begin());
  RaiseRepeatAlert(step, event, count);
}

// An earlier event of an already counted contact moves its record (and the effort points
// awarded at the record's time) back to that event's time, as if it had arrived in order.
void UpdateRecord(Step& step, const Contact& contact, const Event& event) {
  CustomerState& state = step.state;
  const uint64_t key = Fnv1a64(contact.contact_id);
  for (ContactRecord& r : state.history) {
    if (r.contact_hash != key) continue;
    if (r.reason_hash == 0 && !event.reason.empty()) r.reason_hash = Fnv1a64(event.reason);
    if (event.ts >= r.ts) continue;
    if (r.effort_points > 0) {
      AddEffort(step, -static_cast<double>(r.effort_points), r.ts);
      AddEffort(step, r.effort_points, event.ts);
    }
    r.ts = event.ts;
  }
  std::sort(state.history.begin(), state.history.end(),
            [](const ContactRecord& a, const ContactRecord& b) { return a.ts < b.ts; });
}

void AddMessage(const RulesConfig& config, Contact& contact, const Event& event) {
  auto& msgs = contact.messages;
  ChatMessage m{event.ts, event.author, 0};
  auto pos =
      std::upper_bound(msgs.begin(), msgs.end(), m, [](const ChatMessage& a, const ChatMessage& b) {
        return a.ts != b.ts ? a.ts < b.ts : a.author < b.author;
      });
  msgs.insert(pos, m);
  if (static_cast<int>(msgs.size()) > std::max(config.sla.max_chat_messages, 2)) {
    msgs.erase(msgs.begin());
  }
}

}  // namespace

void ApplyContactEvent(Step& step, const Event& event) {
  const RulesConfig& config = step.config;
  Contact& contact = FindOrCreate(config, step.state, event);
  if (!event.channel.empty()) contact.channel = event.channel;
  if (!event.queue.empty()) contact.queue = event.queue;
  if (!event.reason.empty()) contact.reason = event.reason;
  contact.opened = std::min(contact.opened, event.ts);
  contact.last_event = std::max(contact.last_event, event.ts);
  const bool opens = event.action == Action::kQueued || event.action == Action::kStarted ||
                     event.action == Action::kMessage;
  switch (event.action) {
    case Action::kQueued:
    case Action::kStarted:
      contact.started = std::min(contact.started, event.ts);
      break;
    case Action::kMessage:
      AddMessage(config, contact, event);
      break;
    case Action::kAnswered:
      contact.answered = std::min(contact.answered, event.ts);
      break;
    case Action::kTransferred:
      AddEffort(step, config.sla.transfer_effort, event.ts);
      NoteDriver(step, false, config.sla.transfer_effort, "transfer");
      break;
    case Action::kEnded:
      contact.closed = std::min(contact.closed, event.ts);
      break;
    case Action::kAbandoned:
      contact.closed = std::min(contact.closed, event.ts);
      if (!contact.abandoned) {
        AddEffort(step, config.sla.abandoned_effort, event.ts);
        NoteDriver(step, false, config.sla.abandoned_effort, "abandoned contact");
      }
      contact.abandoned = true;
      break;
    default:
      break;
  }
  if (opens) {
    if (!contact.counted) {
      CountContact(step, contact, event);
    } else if (event.action != Action::kMessage) {
      if (event.ts <= contact.opened) contact.open_event_id = event.event_id;
      UpdateRecord(step, contact, event);
    }
  }
  ResolveContactSla(step, contact, EventTime::Min());
}

bool HasOpenContact(const CustomerState& state) {
  for (const Contact& c : state.contacts) {
    if (c.counted && c.closed == EventTime::Max()) return true;
  }
  return false;
}

void PruneContacts(const RulesConfig& config, CustomerState& state, EventTime watermark) {
  // Every bound is at most the watermark, never an event's time: an event the watermark has not
  // passed may still arrive and must find what it would have found in order. Contacts and
  // history are dropped by the customer's own watermark (their latest event time - lateness,
  // which the shard watermark never lags), so what a state keeps (e.g. an abandoned contact,
  // shown as a score reason) depends only on the customer's events, not on how far other
  // customers' events moved the shard watermark past one of their timers (partitioning,
  // restarts). Windows count from the customer's latest time or later, so entries older than
  // own - window that are kept longer are never counted.
  const EventTime own = std::min(watermark, state.last_activity - config.lateness);
  std::erase_if(state.contacts, [&](const Contact& c) {
    if (c.closed != EventTime::Max() && c.closed + config.lateness < own) return true;
    return c.last_event < own - config.sla.open_contact_max_idle;
  });
  const Duration keep =
      std::max({config.contacts.repeat_window, config.contacts.channel_switch_window,
                config.risk.many_contacts_window});
  std::erase_if(state.history, [&](const ContactRecord& r) { return r.ts < own - keep; });
  std::erase_if(state.breaches,
                [&](EventTime t) { return t < own - config.risk.many_breaches_window; });
}

}  // namespace cx
