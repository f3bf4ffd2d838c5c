#include "processors/risk.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "processors/alerts.h"
#include "processors/decay.h"
#include "processors/effort.h"

namespace cx {
namespace {

int CountContacts(const std::vector<ContactRecord>& history, EventTime now, Duration window) {
  int n = 0;
  for (const ContactRecord& r : history) {
    if (r.ts >= now - window && r.ts <= now) ++n;
  }
  return n;
}

struct SurveyBand {
  bool low = false;
  bool critical = false;
  double risk_points = 0;
  std::string_view code;
  std::string_view label;
};

SurveyBand Classify(const RulesConfig& c, const Event& e) {
  SurveyBand b;
  switch (e.survey) {
    case SurveyKind::kNps:
      b = {e.score <= c.surveys.nps_low, e.score <= c.surveys.nps_critical, c.risk.low_nps,
           "low_nps", "NPS"};
      break;
    case SurveyKind::kCsat:
      b = {e.score <= c.surveys.csat_low, e.score <= c.surveys.csat_critical, c.risk.low_csat,
           "low_csat", "CSAT"};
      break;
    case SurveyKind::kCes:
      b = {e.score <= c.surveys.ces_low, e.score <= c.surveys.ces_critical, c.risk.low_ces,
           "low_ces", "CES"};
      break;
    case SurveyKind::kNone:
      break;
  }
  return b;
}

}  // namespace

void AddRisk(Step& step, double points, EventTime at) {
  AddDecaying(step.state.risk, points, at, step.config.risk.half_life);
}

int CountInWindow(const std::vector<EventTime>& times, EventTime now, Duration window) {
  int n = 0;
  for (EventTime t : times) {
    if (t >= now - window && t <= now) ++n;
  }
  return n;
}

RiskParts ExplainRisk(const RulesConfig& config, const CustomerState& state, EventTime now) {
  const RiskRules& r = config.risk;
  RiskParts p;
  p.event_points = DecayedValue(state.risk, now, r.half_life);
  p.effort = EffortScore(config, state, now);
  p.contacts = CountContacts(state.history, now, r.many_contacts_window);
  p.breaches = CountInWindow(state.breaches, now, r.many_breaches_window);
  if (p.effort >= r.high_effort_at) p.high_effort_points = r.high_effort;
  if (p.contacts >= r.many_contacts_at) p.many_contacts_points = r.many_contacts;
  if (p.breaches >= r.many_breaches_at) p.many_breaches_points = r.many_breaches;
  const double v =
      p.event_points + p.high_effort_points + p.many_contacts_points + p.many_breaches_points;
  p.score = static_cast<int>(std::clamp(RoundHalfAway(v), 0L, static_cast<long>(r.cap)));
  return p;
}

int RiskScore(const RulesConfig& config, const CustomerState& state, EventTime now) {
  return ExplainRisk(config, state, now).score;
}

void RememberSurveyAnswer(CustomerState& state, const Event& event) {
  SurveyAnswer answer{.ts = event.ts,
                      .survey = event.survey,
                      .score = event.score,
                      .contact_id = std::string(event.contact_id),
                      .comment = {}};
  std::string_view comment = event.comment;
  if (comment.size() > kMaxSurveyCommentBytes) {
    size_t cut = kMaxSurveyCommentBytes;
    while (cut > 0 && (static_cast<unsigned char>(comment[cut]) & 0xC0) == 0x80) --cut;
    comment = comment.substr(0, cut);
  }
  answer.comment = std::string(comment);
  std::vector<SurveyAnswer>& kept = state.surveys;
  const auto at = std::upper_bound(kept.begin(), kept.end(), answer.ts,
                                   [](EventTime t, const SurveyAnswer& a) { return t < a.ts; });
  kept.insert(at, std::move(answer));
  if (kept.size() > kMaxSurveyAnswers) kept.erase(kept.begin());
}

void ApplySurvey(Step& step, const Event& event) {
  RememberSurveyAnswer(step.state, event);
  const SurveyBand band = Classify(step.config, event);
  if (event.survey == SurveyKind::kCes) ApplyCesLift(step, event.score, event.ts);
  if (!band.low) return;
  AddRisk(step, band.risk_points, event.ts);
  NoteDriver(step, true, band.risk_points,
             std::string(band.label) + " " + std::to_string(event.score));
  AlertRequest r;
  r.kind = AlertKind::kLowScore;
  r.severity = band.critical ? Severity::kCritical : Severity::kWarning;
  r.ts = event.ts;
  r.trigger = event.event_id;
  r.contact_id = event.contact_id;
  r.code = band.code;
  r.detail = std::string(band.label) + " answer " + std::to_string(event.score);
  r.event_ids.emplace_back(event.event_id);
  RaiseAlert(step, std::move(r));
}

}  // namespace cx
