#include "processors/alerts.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include "processors/decay.h"
#include "processors/effort.h"
#include "processors/risk.h"
#include "processors/stable_hash.h"

namespace cx {
namespace {

void MaybeSignalScore(Step& step, SignalKind kind, int score, uint8_t& emitted, int signal_step,
                      EventTime ts, const Trigger& trigger) {
  if (std::abs(score - static_cast<int>(emitted)) < signal_step) return;
  Signal& s = step.out.signals.emplace_back();
  StableHasher id = IdHasher(step).Part(ToString(kind));
  s.signal_id = HashTrigger(id, trigger).Id();
  s.kind = kind;
  s.customer_id = step.customer_id;
  s.ts = ts;
  s.score = score;
  s.previous = emitted;
  if (!step.event_id.empty()) s.event_ids.emplace_back(step.event_id);
  emitted = static_cast<uint8_t>(score);
}

struct Threshold {
  bool risk;  // false: effort
  AlertKind kind;
  int warning;
  int critical;
  int rearm;
  std::string_view code;
  std::string_view label;
};

std::string Points(double points) {
  const long rounded = RoundHalfAway(points);
  return (rounded < 0 ? "" : "+") + std::to_string(rounded);
}

// "risk 80 crossed the critical threshold 80: NPS 2 (+40), earlier points (+40, decaying)":
// the threshold crossed and what makes up the score, from the same parts as the score.
std::string ThresholdDetail(const Step& step, const Threshold& t, int score) {
  const bool critical = score >= t.critical;
  std::string out = std::string(t.label) + " " + std::to_string(score) + " crossed the " +
                    (critical ? "critical" : "warning") + " threshold " +
                    std::to_string(critical ? t.critical : t.warning) + ":";
  bool first = true;
  auto part = [&](const std::string& what, double points, std::string_view note = {}) {
    if (RoundHalfAway(points) == 0) return;
    out += first ? " " : ", ";
    first = false;
    out += what + " (" + Points(points);
    if (!note.empty()) out += ", " + std::string(note);
    out += ")";
  };
  double now_points = 0;
  for (const ScoreDriver& d : step.drivers) {
    if (d.risk != t.risk) continue;
    part(d.what, d.points);
    now_points += d.points;
  }
  const RulesConfig& c = step.config;
  if (!t.risk) {
    const double total = DecayedValue(step.state.effort, step.now, c.effort.half_life);
    part("earlier effort", total - now_points, "decaying");
    return out;
  }
  const RiskParts p = ExplainRisk(c, step.state, step.now);
  part("earlier low surveys or cancellation pages", p.event_points - now_points, "decaying");
  part("effort " + std::to_string(p.effort) + " >= " + std::to_string(c.risk.high_effort_at),
       p.high_effort_points);
  part(std::to_string(p.contacts) + " contacts in " +
           std::to_string(c.risk.many_contacts_window.ms / Duration::Days(1).ms) + " days",
       p.many_contacts_points);
  part(std::to_string(p.breaches) + " SLA breaches in " +
           std::to_string(c.risk.many_breaches_window.ms / Duration::Days(1).ms) + " days",
       p.many_breaches_points);
  return out;
}

void MaybeThresholdAlert(Step& step, const Threshold& t, int score, bool& armed, EventTime ts,
                         const Trigger& trigger) {
  if (!armed) {
    if (score < t.rearm) {
      armed = true;
      return;
    }
    const AlertRecord& last = step.state.alerts[static_cast<size_t>(t.kind)];
    const bool escalates =
        score >= t.critical && last.ts != EventTime::Min() && last.severity == Severity::kWarning;
    if (!escalates) return;
  } else if (score < t.warning) {
    return;
  }
  armed = false;
  AlertRequest r;
  r.kind = t.kind;
  r.severity = score >= t.critical ? Severity::kCritical : Severity::kWarning;
  r.ts = ts;
  r.trigger = trigger;
  r.code = t.code;
  r.detail = ThresholdDetail(step, t, score);
  if (!step.event_id.empty()) r.event_ids.emplace_back(step.event_id);
  RaiseAlert(step, std::move(r));
}

}  // namespace

std::string_view ContactChannelName(EventType type) {
  return type == EventType::kChat ? "chat" : "call";
}

std::string_view UntaggedChannel(EventType type) {
  return type == EventType::kChat ? "chat" : "phone";
}

bool RaiseAlert(Step& step, AlertRequest request) {
  Severity severity = request.severity;
  if (step.config.alerts.vip_step_up && step.state.tier == Tier::kVip) {
    severity = Severity::kCritical;
  }
  const auto kind = static_cast<size_t>(request.kind);
  if (const AlertRecord& previous = step.state.alerts[kind]; previous.ts != EventTime::Min()) {
    const int64_t apart = std::llabs((request.ts - previous.ts).ms);
    const bool escalation =
        previous.severity == Severity::kWarning && severity == Severity::kCritical;
    if (apart < step.config.alerts.cooldown.ms && !escalation) return false;
  }
  AlertRecord& last = step.state.alerts.Mutable(kind);
  last.ts = request.ts;
  last.severity = severity;

  Alert& a = step.out.alerts.emplace_back();
  StableHasher id = IdHasher(step).Part(ToString(request.kind));
  a.alert_id = HashTrigger(id, request.trigger).Id();
  a.customer_id = step.customer_id;
  a.kind = request.kind;
  a.severity = severity;
  a.ts = request.ts;
  a.contact_id = request.contact_id;
  AlertReason& reason = a.reasons.emplace_back();
  reason.code = request.code;
  reason.detail = std::move(request.detail);
  reason.event_ids = std::move(request.event_ids);
  a.effort_score = EffortScore(step.config, step.state, step.now);
  a.risk_score = RiskScore(step.config, step.state, step.now);
  a.tier = step.state.tier;
  // Only the contact rules raise alerts while their contact is surely in state; a survey's
  // contact may already be pruned (or not yet, depending on the watermark), so its alert would
  // not be the same in live and replay.
  const bool contact_rule =
      request.kind == AlertKind::kSlaBreach || request.kind == AlertKind::kRepeatContact;
  for (const Contact& c : step.state.contacts) {
    if (!contact_rule || c.contact_id != request.contact_id) continue;
    a.channel = c.channel.empty() ? UntaggedChannel(c.type) : c.channel;
    a.queue = c.queue;
    a.reason = c.reason;
  }
  return true;
}

void EvaluateScores(Step& step, EventTime trigger_ts, const Trigger& trigger) {
  const RulesConfig& c = step.config;
  CustomerState& s = step.state;
  const int effort = EffortScore(c, s, step.now);
  const int risk = RiskScore(c, s, step.now);
  MaybeSignalScore(step, SignalKind::kEffortUpdated, effort, s.effort_emitted, c.effort.signal_step,
                   trigger_ts, trigger);
  MaybeSignalScore(step, SignalKind::kRiskUpdated, risk, s.risk_emitted, c.risk.signal_step,
                   trigger_ts, trigger);
  MaybeThresholdAlert(
      step,
      Threshold{false, AlertKind::kHighEffort, c.effort.alert_warning, c.effort.alert_critical,
                c.effort.alert_rearm, "effort_threshold", "effort"},
      effort, s.effort_armed, trigger_ts, trigger);
  MaybeThresholdAlert(
      step,
      Threshold{true, AlertKind::kAtRisk, c.risk.alert_warning, c.risk.alert_critical,
                c.risk.alert_rearm, "risk_threshold", "risk"},
      risk, s.risk_armed, trigger_ts, trigger);
}

}  // namespace cx
