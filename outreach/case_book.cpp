#include "outreach/case_book.h"

#include <algorithm>

#include "schemas/stable_hash.h"

namespace cx {

namespace {

// The case's next deadline, or EventTime::Max() when time alone cannot change it.
EventTime DeadlineOf(const Case& c, const CaseRules& rules) {
  switch (c.status) {
    case CaseStatus::kClaimed:
      return *c.claimed_at + rules.claim_lapse;
    case CaseStatus::kSnoozed:
      return *c.snoozed_until;
    case CaseStatus::kOpen:
      if (c.severity == Severity::kCritical && !c.escalated_at) {
        return c.unclaimed_since + rules.escalate_after;
      }
      return EventTime::Max();
    case CaseStatus::kResolved:
      return *c.resolved_at + rules.resolved_retention;
  }
  return EventTime::Max();
}

CommandResult Accepted(const Case& c) { return {Verdict::kAccepted, "", c.owner}; }

CommandResult Rejected(Verdict verdict, std::string reason, const Case* c) {
  return {verdict, std::move(reason), c != nullptr ? c->owner : std::string()};
}

CommandResult OwnerConflict(const Case& c) {
  if (c.owner.empty()) {
    return Rejected(Verdict::kConflict, "the case is not claimed: claim it first", &c);
  }
  return Rejected(Verdict::kConflict, "the case is owned by another rep", &c);
}

}  // namespace

CaseFilter DefaultCaseFilter(bool proactive_chat_configured) {
  if (!proactive_chat_configured) return [](const Alert&) { return true; };
  return [](const Alert& alert) { return alert.kind != AlertKind::kNeedsHelp; };
}

CaseBook::CaseBook(CaseRules rules) : rules_(std::move(rules)) {
  if (!rules_.routes_to_cases) rules_.routes_to_cases = DefaultCaseFilter(false);
}

const Case* CaseBook::Find(const std::string& case_id) const {
  auto it = cases_.find(case_id);
  return it == cases_.end() ? nullptr : &it->second;
}

const Case* CaseBook::CurrentCaseOf(const std::string& customer_id) const {
  auto it = current_.find(customer_id);
  return it == current_.end() ? nullptr : &cases_.find(it->second)->second;
}

EventTime CaseBook::NextDeadline() const {
  return deadlines_.empty() ? EventTime::Max() : deadlines_.begin()->first;
}

std::vector<std::string> CaseBook::CasesDueBy(EventTime time) const {
  std::vector<std::string> due;
  for (auto it = deadlines_.begin(); it != deadlines_.end() && it->first <= time; ++it) {
    due.emplace_back(it->second);
  }
  return due;
}

const Case* CaseBook::ApplyAlert(const Alert& alert, std::vector<Escalation>& escalations) {
  AdvanceTo(alert.ts, escalations);
  if (!rules_.routes_to_cases(alert) || !seen_alerts_.insert(Fnv1a64(alert.alert_id)).second) {
    return nullptr;
  }
  Case* c = nullptr;
  if (auto it = current_.find(alert.customer_id); it != current_.end()) {
    c = &cases_.find(it->second)->second;
  } else {
    auto node = cases_.try_emplace(CaseId(alert.customer_id, alert.alert_id)).first;
    c = &node->second;
    c->case_id = node->first;
    c->customer_id = alert.customer_id;
    c->severity = alert.severity;
    c->opened_at = alert.ts;
    c->unclaimed_since = now_;
    current_.emplace(c->customer_id, node->first);
  }
  CaseAlert& added = c->alerts.emplace_back();
  added.alert_id = alert.alert_id;
  added.kind = alert.kind;
  added.severity = alert.severity;
  added.ts = alert.ts;
  added.reasons = alert.reasons;
  for (AlertReason& reason : added.reasons) reason.event_ids.clear();
  if (alert.tier != Tier::kUnset) c->tier = alert.tier;
  if (!alert.channel.empty()) c->channel = alert.channel;
  if (!alert.queue.empty()) c->queue = alert.queue;
  if (!alert.reason.empty()) c->reason = alert.reason;
  if (c->status == CaseStatus::kSnoozed) {
    c->status = CaseStatus::kOpen;
    c->snoozed_until.reset();
    c->unclaimed_since = now_;
  }
  if (alert.severity > c->severity) {
    c->severity = alert.severity;
    if (c->status == CaseStatus::kOpen) c->unclaimed_since = now_;
  }
  Schedule(*c);
  return c;
}

CommandResult CaseBook::Check(const Command& command) const {
  return Evaluate(Find(command.case_id), command);
}

CommandResult CaseBook::Evaluate(const Case* c, const Command& command) const {
  if (c == nullptr) return Rejected(Verdict::kNotFound, "unknown case", nullptr);
  if (c->status == CaseStatus::kResolved) {
    return Rejected(Verdict::kConflict, "the case is already resolved", c);
  }
  const EventTime at = std::max(now_, command.ts);
  const bool owner = !c->owner.empty() && c->owner == command.rep;
  // The status at `at`: a claim lapse or snooze wake-up due by then counts (Check runs before
  // the fold has advanced to the command; ApplyCommand has already fired them).
  CaseStatus status = c->status;
  if (c->next_deadline <= at &&
      (status == CaseStatus::kClaimed || status == CaseStatus::kSnoozed)) {
    status = CaseStatus::kOpen;
  }
  switch (command.kind) {
    case CommandKind::kClaim:
      if (status == CaseStatus::kOpen || (status == CaseStatus::kClaimed && owner)) {
        return Accepted(*c);
      }
      if (status == CaseStatus::kSnoozed) {
        return Rejected(Verdict::kConflict, "the case is snoozed", c);
      }
      return Rejected(Verdict::kConflict, "the case is claimed by another rep", c);
    case CommandKind::kRelease:
      return owner ? Accepted(*c) : OwnerConflict(*c);
    case CommandKind::kSnooze:
      if (command.snooze_until <= at) {
        return Rejected(Verdict::kInvalid, "snooze_until must be after the command time", c);
      }
      if (owner || c->owner.empty() || status == CaseStatus::kOpen) return Accepted(*c);
      return OwnerConflict(*c);
    case CommandKind::kResolve:
      if (command.outcome == Outcome::kNone) {
        return Rejected(Verdict::kInvalid, "resolve needs an outcome", c);
      }
      return owner ? Accepted(*c) : OwnerConflict(*c);
  }
  return Rejected(Verdict::kInvalid, "unknown command", c);
}

CommandResult CaseBook::ApplyCommand(const Command& command, std::vector<Escalation>& escalations) {
  AdvanceTo(command.ts, escalations);
  auto it = cases_.find(command.case_id);
  Case* c = it == cases_.end() ? nullptr : &it->second;
  CommandResult result = Evaluate(c, command);
  if (result.verdict != Verdict::kAccepted) return result;
  switch (command.kind) {
    case CommandKind::kClaim:
      c->status = CaseStatus::kClaimed;
      c->owner = command.rep;
      c->claimed_at = now_;
      break;
    case CommandKind::kRelease:
      if (c->status != CaseStatus::kOpen) c->unclaimed_since = now_;
      c->status = CaseStatus::kOpen;
      c->owner.clear();
      c->claimed_at.reset();
      c->snoozed_until.reset();
      break;
    case CommandKind::kSnooze:
      c->status = CaseStatus::kSnoozed;
      c->snoozed_until = command.snooze_until;
      break;
    case CommandKind::kResolve:
      c->status = CaseStatus::kResolved;
      c->snoozed_until.reset();
      c->resolved_at = now_;
      c->outcome = command.outcome;
      c->note = command.note;
      if (auto cur = current_.find(c->customer_id);
          cur != current_.end() && cur->second == c->case_id) {
        current_.erase(cur);
      }
      break;
  }
  Schedule(*c);
  result.owner = c->owner;
  return result;
}

void CaseBook::AdvanceTo(EventTime time, std::vector<Escalation>& escalations) {
  while (!deadlines_.empty() && deadlines_.begin()->first <= time) {
    const EventTime deadline = deadlines_.begin()->first;
    Case& c = cases_.find(deadlines_.begin()->second)->second;
    deadlines_.erase(deadlines_.begin());
    c.next_deadline = EventTime::Max();
    now_ = std::max(now_, deadline);
    Fire(c, deadline, escalations);
  }
  now_ = std::max(now_, time);
}

void CaseBook::Fire(Case& c, EventTime at, std::vector<Escalation>& escalations) {
  switch (c.status) {
    case CaseStatus::kClaimed:
      c.status = CaseStatus::kOpen;
      c.unclaimed_since = at;
      break;
    case CaseStatus::kSnoozed:
      c.status = CaseStatus::kOpen;
      c.snoozed_until.reset();
      c.unclaimed_since = at;
      break;
    case CaseStatus::kOpen:
      c.escalated_at = at;
      escalations.push_back({at, c});
      break;
    case CaseStatus::kResolved:
      Forget(c);
      return;
  }
  Schedule(c);
}

void CaseBook::Schedule(Case& c) {
  if (c.next_deadline != EventTime::Max()) deadlines_.erase({c.next_deadline, c.case_id});
  c.next_deadline = DeadlineOf(c, rules_);
  if (c.next_deadline != EventTime::Max()) deadlines_.emplace(c.next_deadline, c.case_id);
}

void CaseBook::Forget(const Case& c) {
  for (const CaseAlert& alert : c.alerts) seen_alerts_.erase(Fnv1a64(alert.alert_id));
  if (c.next_deadline != EventTime::Max()) deadlines_.erase({c.next_deadline, c.case_id});
  if (auto cur = current_.find(c.customer_id); cur != current_.end() && cur->second == c.case_id) {
    current_.erase(cur);
  }
  cases_.erase(std::string(c.case_id));
}

}  // namespace cx
