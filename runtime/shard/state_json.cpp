#include "runtime/shard/state_json.h"

#include <fmt/format.h>

#include "processors/decay.h"
#include "processors/effort.h"
#include "processors/risk.h"
#include "schemas/json_writer.h"
#include "schemas/timestamp.h"

namespace cx {
namespace {

void AppendTime(EventTime t, std::string& out) {
  if (t == EventTime::Min() || t == EventTime::Max()) {
    out += "null";
    return;
  }
  out += '"';
  AppendRfc3339Millis(t, out);
  out += '"';
}

std::string_view TierName(Tier tier) { return tier == Tier::kUnset ? "unset" : ToString(tier); }

void AppendContact(const Contact& c, std::string& out) {
  out += "{\"contact_id\":";
  AppendJsonString(c.contact_id, out);
  out += c.type == EventType::kCall ? ",\"channel\":\"call\"" : ",\"channel\":\"chat\"";
  out += ",\"opened\":";
  AppendTime(c.opened, out);
  out += ",\"answered\":";
  AppendTime(c.answered, out);
  out += ",\"closed\":";
  AppendTime(c.closed, out);
  fmt::format_to(std::back_inserter(out), ",\"messages\":{},\"sla_breached\":{},\"abandoned\":{}}}",
                 c.messages.size(), (c.first_sla_flags & kSlaBreachRecorded) != 0, c.abandoned);
}

// Why the scores are what they are: the parts the state keeps. Effort is one decaying sum of
// SPEC §3's points, so its reasons are the recent facts that add to it; risk is decaying event
// points (low surveys, cancellation intent) plus condition points that hold right now.
void AppendScoreReasons(const CustomerState& state, const RulesConfig& rules, EventTime now,
                        int contacts_7d, int breaches_7d, std::string& out) {
  const RiskRules& r = rules.risk;
  int effort = EffortScore(rules, state, now);
  double risk_events = DecayedValue(state.risk, now, r.half_life);
  out += ",\"score_reasons\":{\"effort\":[";
  bool first = true;
  auto item = [&](std::string_view code, std::string_view detail) {
    if (!first) out += ',';
    first = false;
    out += "{\"code\":\"";
    out += code;
    out += "\",\"detail\":";
    AppendJsonString(detail, out);
    out += '}';
  };
  if (breaches_7d > 0) {
    item("sla_breaches", fmt::format("{} SLA breach(es) in the last 7 days", breaches_7d));
  }
  if (contacts_7d > 1) {
    item("repeat_contacts", fmt::format("{} contacts in the last 7 days", contacts_7d));
  }
  if (state.session.failed_searches > 0) {
    item("failed_searches", fmt::format("{} search(es) without results this session",
                                        static_cast<int>(state.session.failed_searches)));
  }
  if (state.session.help_dwell_ms > 0) {
    item("help_dwell",
         fmt::format("{} s on help pages this session", state.session.help_dwell_ms / 1000));
  }
  for (const Contact& c : state.contacts) {
    if (c.abandoned) item("abandoned_contact", "abandoned " + c.contact_id);
  }
  out += "],\"risk\":[";
  first = true;
  if (risk_events >= 0.5) {
    item("survey_or_cancel_intent",
         fmt::format("{:.0f} points from low survey answers or cancellation pages (decaying)",
                     risk_events));
  }
  if (effort >= r.high_effort_at) {
    item("high_effort",
         fmt::format("+{:.0f} while effort is at least {}", r.high_effort, r.high_effort_at));
  }
  if (contacts_7d >= r.many_contacts_at) {
    item("many_contacts",
         fmt::format("+{:.0f} for {} contacts in 7 days", r.many_contacts, contacts_7d));
  }
  if (breaches_7d >= r.many_breaches_at) {
    item("many_breaches",
         fmt::format("+{:.0f} for {} SLA breaches in 7 days", r.many_breaches, breaches_7d));
  }
  out += "]}";
}

}  // namespace

void AppendCustomerStateJson(std::string_view customer_id, const CustomerState& state,
                             const RulesConfig& rules, EventTime now, std::string& out) {
  out += "{\"customer_id\":";
  AppendJsonString(customer_id, out);
  out += ",\"as_of\":";
  AppendTime(now, out);
  out += ",\"last_activity\":";
  AppendTime(state.last_activity, out);
  fmt::format_to(std::back_inserter(out), ",\"tier\":\"{}\",\"effort_score\":{},\"risk_score\":{}",
                 TierName(state.tier), EffortScore(rules, state, now),
                 RiskScore(rules, state, now));

  int contacts_7d = 0;
  for (const ContactRecord& record : state.history) {
    if (record.ts > now - rules.contacts.repeat_window && record.ts <= now) ++contacts_7d;
  }
  int breaches_7d = CountInWindow(state.breaches, now, rules.risk.many_breaches_window);
  AppendScoreReasons(state, rules, now, contacts_7d, breaches_7d, out);
  fmt::format_to(std::back_inserter(out),
                 ",\"contacts_7d\":{},\"sla_breaches_7d\":{},\"open_contacts\":[", contacts_7d,
                 breaches_7d);
  bool first = true;
  for (const Contact& contact : state.contacts) {
    if (contact.closed != EventTime::Max()) continue;
    if (!first) out += ',';
    first = false;
    AppendContact(contact, out);
  }
  out += "],\"recent_contacts\":[";
  first = true;
  for (const ContactRecord& record : state.history) {
    if (!first) out += ',';
    first = false;
    AppendTime(record.ts, out);
  }
  out += "],\"last_alerts\":{";
  first = true;
  for (int k = 0; k < kAlertKindCount; ++k) {
    const AlertRecord& record = state.alerts[static_cast<size_t>(k)];
    if (record.ts == EventTime::Min()) continue;
    if (!first) out += ',';
    first = false;
    fmt::format_to(std::back_inserter(out),
                   "\"{}\":{{\"ts\":", ToString(static_cast<AlertKind>(k)));
    AppendTime(record.ts, out);
    fmt::format_to(std::back_inserter(out), ",\"severity\":\"{}\"}}", ToString(record.severity));
  }
  out += "},\"session\":{\"started\":";
  AppendTime(state.session.start, out);
  fmt::format_to(std::back_inserter(out),
                 ",\"help_dwell_ms\":{},\"failed_searches\":{},\"needs_help_raised\":{}}}}}",
                 state.session.help_dwell_ms, static_cast<int>(state.session.failed_searches),
                 state.session.needs_help_raised);
}

}  // namespace cx
