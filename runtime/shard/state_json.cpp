#include "runtime/shard/state_json.h"

#include <fmt/format.h>

#include "processors/decay.h"
#include "processors/effort.h"
#include "processors/risk.h"
#include "processors/selfservice.h"
#include "schemas/json_writer.h"
#include "schemas/survey_name.h"
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

void AppendStringOrNull(std::string_view value, std::string& out) {
  if (value.empty()) {
    out += "null";
  } else {
    AppendJsonString(value, out);
  }
}

// Newest first, as a rep reads them.
void AppendSurveys(const std::vector<SurveyAnswer>& surveys, std::string& out) {
  out += ",\"surveys\":[";
  for (auto it = surveys.rbegin(); it != surveys.rend(); ++it) {
    if (it != surveys.rbegin()) out += ',';
    fmt::format_to(std::back_inserter(out),
                   "{{\"survey\":\"{}\",\"score\":{},\"ts\":", SurveyName(it->survey), it->score);
    AppendTime(it->ts, out);
    out += ",\"contact_id\":";
    AppendStringOrNull(it->contact_id, out);
    out += ",\"comment\":";
    AppendStringOrNull(it->comment, out);
    out += '}';
  }
  out += ']';
}

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
  // The context its events carried (SPEC §4: what a rep needs), null when none did.
  out += ",\"queue\":";
  AppendStringOrNull(c.queue, out);
  out += ",\"reason\":";
  AppendStringOrNull(c.reason, out);
  fmt::format_to(std::back_inserter(out), ",\"messages\":{},\"sla_breached\":{},\"abandoned\":{}}}",
                 c.messages.size(), (c.first_sla_flags & kSlaBreachRecorded) != 0, c.abandoned);
}

// Why the scores are what they are: the parts the state keeps. Effort is one decaying sum of
// SPEC §3's points, so its reasons are the recent facts that add to it; risk is decaying event
// points (low surveys, cancellation intent) plus condition points that hold right now.
void AppendScoreReasons(const CustomerState& state, const RulesConfig& rules, const RiskParts& risk,
                        int64_t help_dwell_ms, std::string& out) {
  const RiskRules& r = rules.risk;
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
  const int days_contacts = static_cast<int>(r.many_contacts_window.ms / Duration::Days(1).ms);
  const int days_breaches = static_cast<int>(r.many_breaches_window.ms / Duration::Days(1).ms);
  if (risk.breaches > 0) {
    item("sla_breaches",
         fmt::format("{} SLA breach(es) in the last {} days", risk.breaches, days_breaches));
  }
  if (risk.contacts > 1) {
    item("repeat_contacts",
         fmt::format("{} contacts in the last {} days", risk.contacts, days_contacts));
  }
  if (state.session.failed_searches > 0) {
    item("failed_searches", fmt::format("{} search(es) without results this session",
                                        static_cast<int>(state.session.failed_searches)));
  }
  if (help_dwell_ms > 0) {
    item("help_dwell", fmt::format("{} s on help pages this session", help_dwell_ms / 1000));
  }
  for (const Contact& c : state.contacts) {
    if (c.abandoned) item("abandoned_contact", "abandoned " + c.contact_id);
  }
  out += "],\"risk\":[";
  first = true;
  if (risk.event_points >= 0.5) {
    item("survey_or_cancel_intent",
         fmt::format("+{:.0f} from low survey answers or cancellation pages (decaying)",
                     risk.event_points));
  }
  if (risk.high_effort_points > 0) {
    item("high_effort", fmt::format("+{:.0f} while effort {} is at least {}",
                                    risk.high_effort_points, risk.effort, r.high_effort_at));
  }
  if (risk.many_contacts_points > 0) {
    item("many_contacts", fmt::format("+{:.0f} for {} contacts in {} days",
                                      risk.many_contacts_points, risk.contacts, days_contacts));
  }
  if (risk.many_breaches_points > 0) {
    item("many_breaches", fmt::format("+{:.0f} for {} SLA breaches in {} days",
                                      risk.many_breaches_points, risk.breaches, days_breaches));
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
  // The same parts RiskScore and the at_risk alert use, so the explanation matches the score.
  const RiskParts risk = ExplainRisk(rules, state, now);
  const int64_t help_dwell_ms = HelpDwellMs(rules, state, now);
  fmt::format_to(std::back_inserter(out), ",\"tier\":\"{}\",\"effort_score\":{},\"risk_score\":{}",
                 TierName(state.tier), risk.effort, risk.score);
  AppendScoreReasons(state, rules, risk, help_dwell_ms, out);
  fmt::format_to(std::back_inserter(out),
                 ",\"contacts_7d\":{},\"sla_breaches_7d\":{},\"open_contacts\":[", risk.contacts,
                 risk.breaches);
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
  out += ']';
  AppendSurveys(state.surveys, out);
  out += ",\"last_alerts\":{";
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
                 help_dwell_ms, static_cast<int>(state.session.failed_searches),
                 state.session.needs_help_raised);
}

}  // namespace cx
