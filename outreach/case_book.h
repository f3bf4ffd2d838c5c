#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "outreach/case.h"
#include "outreach/command.h"
#include "schemas/alert.h"
#include "schemas/time.h"

namespace cx {

// Which alerts are worked as cases (SPEC §8 routing decides; see outreach/routing.h).
using CaseFilter = std::function<bool(const Alert&)>;

// The SPEC §8 default: every alert goes to cases, except `needs_help` when a proactive chat
// destination is configured.
[[nodiscard]] CaseFilter DefaultCaseFilter(bool proactive_chat_configured);

// The numbers of SPEC §7. Plain value with the SPEC defaults.
struct CaseRules {
  // A claim lapses when the case is not resolved this long after it (status back to open).
  Duration claim_lapse = Duration::Minutes(30);
  // A critical case left open (unclaimed) this long escalates, once per case.
  Duration escalate_after = Duration::Minutes(15);
  // A resolved case is forgotten this long after it was resolved (memory bound). Until then a
  // re-delivered alert it gathered is recognised and ignored.
  Duration resolved_retention = Duration::Days(7);
  // Alerts for which this is false do not enter the fold. Empty = DefaultCaseFilter(false).
  CaseFilter routes_to_cases;
};

// Emitted once per case when a critical case stays unclaimed past `escalate_after` (SPEC §7-8);
// `ts` is the deadline. The notifier delivers it with `snapshot.case_id` as Idempotency-Key.
struct Escalation {
  EventTime ts;
  Case snapshot;
};

// The case fold of SPEC §7: a pure, deterministic function of the merged alert and command log
// (see outreach/log_merge.h). No I/O, no clock: time moves only through record timestamps and
// AdvanceTo. Deadlines (claim lapse, snooze wake-up, escalation, forgetting resolved cases)
// fire in deadline order (ties by case id) when time reaches them (deadline <= time), before a
// record at that time is applied. The same calls in the same order give the same cases and the
// same escalations, byte for byte; extra AdvanceTo(t) calls with t no later than the next
// record's ts change nothing. A record older than the fold's time is applied at the fold's
// time (the times it sets are max(record ts, fold time)); deadlines already fired stay fired.
// Not thread-safe; one instance per reader.
class CaseBook {
 public:
  explicit CaseBook(CaseRules rules = {});

  // Adds an alert: to the customer's current (not resolved) case, else to a new case it opens.
  // Ignored when routes_to_cases is false for it or its alert_id was already folded (a
  // re-delivery). A new alert wakes a snoozed case. Returns the case it went to, or nullptr.
  const Case* ApplyAlert(const Alert& alert, std::vector<Escalation>& escalations);

  // Applies a rep command and says what became of it (a rejected command changes nothing).
  CommandResult ApplyCommand(const Command& command, std::vector<Escalation>& escalations);

  // What ApplyCommand would answer at the fold's current time, without applying it (for an
  // early 404/409 before a command is written to the log; the log still decides).
  [[nodiscard]] CommandResult Check(const Command& command) const;

  // Lets time pass up to `time`: fires every deadline <= time. Never moves time back.
  void AdvanceTo(EventTime time, std::vector<Escalation>& escalations);

  // The fold's time: the latest record ts or AdvanceTo time seen (EventTime::Min() at first).
  [[nodiscard]] EventTime Now() const { return now_; }
  // Every case kept, ordered by case_id.
  [[nodiscard]] const std::map<std::string, Case, std::less<>>& Cases() const { return cases_; }
  // The case with this id, or nullptr.
  [[nodiscard]] const Case* Find(const std::string& case_id) const;
  // The customer's current (not resolved) case, or nullptr.
  [[nodiscard]] const Case* CurrentCaseOf(const std::string& customer_id) const;
  // The earliest pending deadline (EventTime::Max() when none): when AdvanceTo next matters.
  [[nodiscard]] EventTime NextDeadline() const;
  // The ids of the cases AdvanceTo(time) would change (a deadline <= time), in deadline order.
  [[nodiscard]] std::vector<std::string> CasesDueBy(EventTime time) const;

 private:
  CommandResult Evaluate(const Case* c, const Command& command) const;
  void Fire(Case& c, EventTime at, std::vector<Escalation>& escalations);
  void Schedule(Case& c);
  void Forget(const Case& c);

  CaseRules rules_;
  EventTime now_ = EventTime::Min();
  std::map<std::string, Case, std::less<>> cases_;
  // The views below point into cases_ (its nodes never move) and go with their case.
  std::unordered_map<std::string_view, std::string_view> current_;  // customer -> open case_id
  std::set<std::pair<EventTime, std::string_view>> deadlines_;      // (next_deadline, case_id)
  std::unordered_set<uint64_t> seen_alerts_;  // Fnv1a64(alert_id) of the kept cases' alerts
};

}  // namespace cx
