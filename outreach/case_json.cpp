#include "outreach/case_json.h"

#include "outreach/json_fields.h"

namespace cx {

void AppendCaseJson(const Case& c, std::string& out) {
  out += '{';
  JsonFields f(out);
  f.String("case_id", c.case_id);
  f.String("customer_id", c.customer_id);
  f.String("status", ToString(c.status));
  f.String("severity", ToString(c.severity));
  f.String("recommended_action", RecommendedAction(c));
  f.OptionalString("tier", ToString(c.tier));
  f.OptionalString("channel", c.channel);
  f.OptionalString("queue", c.queue);
  f.OptionalString("reason", c.reason);
  f.Time("opened_at", c.opened_at);
  f.OptionalString("owner", c.owner);
  f.OptionalTime("claimed_at", c.claimed_at);
  f.OptionalTime("snoozed_until", c.snoozed_until);
  f.OptionalTime("resolved_at", c.resolved_at);
  f.OptionalString("outcome", ToString(c.outcome));
  f.OptionalString("note", c.note);
  f.OptionalTime("escalated_at", c.escalated_at);
  f.Key("alerts");
  out += '[';
  for (size_t i = 0; i < c.alerts.size(); ++i) {
    const CaseAlert& alert = c.alerts[i];
    if (i > 0) out += ',';
    out += '{';
    JsonFields a(out);
    a.String("alert_id", alert.alert_id);
    a.String("kind", ToString(alert.kind));
    a.String("severity", ToString(alert.severity));
    a.Time("ts", alert.ts);
    a.Key("reasons");
    out += '[';
    for (size_t j = 0; j < alert.reasons.size(); ++j) {
      if (j > 0) out += ',';
      out += '{';
      JsonFields r(out);
      r.String("code", alert.reasons[j].code);
      r.String("detail", alert.reasons[j].detail);
      out += '}';
    }
    out += "]}";
  }
  out += "]}";
}

void AppendEscalationJson(const Escalation& escalation, std::string& out) {
  out += '{';
  JsonFields f(out);
  f.String("type", "case.escalated");
  f.String("case_id", escalation.snapshot.case_id);
  f.String("customer_id", escalation.snapshot.customer_id);
  f.Time("ts", escalation.ts);
  f.Key("case");
  AppendCaseJson(escalation.snapshot, out);
  out += '}';
}

}  // namespace cx
