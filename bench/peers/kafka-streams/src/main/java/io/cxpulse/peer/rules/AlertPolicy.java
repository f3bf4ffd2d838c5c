package io.cxpulse.peer.rules;

import static io.cxpulse.peer.rules.Types.MIN;

import io.cxpulse.peer.rules.CustomerState.AlertRecord;
import io.cxpulse.peer.rules.CustomerState.Contact;
import io.cxpulse.peer.rules.Types.AlertKind;
import io.cxpulse.peer.rules.Types.EventType;
import io.cxpulse.peer.rules.Types.Severity;
import io.cxpulse.peer.rules.Types.SignalKind;
import io.cxpulse.peer.rules.Types.Tier;
import java.util.ArrayList;
import java.util.List;

/** The alert policy of SPEC §4 and the score thresholds (cxpulse's processors/alerts.cpp). */
final class AlertPolicy {
  private AlertPolicy() {}

  /** What a rule asks the policy to raise. */
  static final class Request {
    AlertKind kind;
    Severity severity = Severity.WARNING;
    long ts;
    String trigger;
    String contactId = "";
    String code;
    String detail;
    List<String> eventIds = new ArrayList<>();
  }

  static String contactChannelName(EventType type) {
    return type == EventType.CHAT ? "chat" : "call";
  }

  static String untaggedChannel(EventType type) {
    return type == EventType.CHAT ? "chat" : "phone";
  }

  /** VIP step up, 24 h cooldown per kind except warning -> critical; appends the alert. */
  static boolean raise(Step step, Request request) {
    Severity severity = request.severity;
    if (step.config.vipStepUp && step.state.tier == Tier.VIP) severity = Severity.CRITICAL;
    AlertRecord last = step.state.alerts[request.kind.ordinal()];
    if (last.ts != MIN) {
      long apart = Math.abs(request.ts - last.ts);
      boolean escalation = last.severity == Severity.WARNING && severity == Severity.CRITICAL;
      if (apart < step.config.cooldown && !escalation) return false;
    }
    last.ts = request.ts;
    last.severity = severity;

    Alert a = new Alert();
    a.alertId = StableHash.stableId(step.customerId, request.kind.json, request.trigger);
    a.customerId = step.customerId;
    a.kind = request.kind;
    a.severity = severity;
    a.ts = request.ts;
    a.contactId = request.contactId;
    a.code = request.code;
    a.detail = request.detail;
    a.eventIds = request.eventIds;
    a.effortScore = Scores.effortScore(step.config, step.state, step.now);
    a.riskScore = Scores.riskScore(step.config, step.state, step.now);
    a.tier = step.state.tier;
    boolean contactRule =
        request.kind == AlertKind.SLA_BREACH || request.kind == AlertKind.REPEAT_CONTACT;
    if (contactRule) {
      for (Contact c : step.state.contacts) {
        if (!c.contactId.equals(request.contactId)) continue;
        a.channel = c.channel.isEmpty() ? untaggedChannel(c.type) : c.channel;
        a.queue = c.queue;
        a.reason = c.reason;
      }
    }
    step.out.alerts.add(a);
    return true;
  }

  private record Threshold(boolean risk, AlertKind kind, int warning, int critical, int rearm,
      String code, String label) {}

  private static String points(double points) {
    long rounded = Scores.lround(points);
    return (rounded < 0 ? "" : "+") + rounded;
  }

  private static String thresholdDetail(Step step, Threshold t, int score) {
    boolean critical = score >= t.critical;
    StringBuilder out = new StringBuilder();
    out.append(t.label).append(' ').append(score).append(" crossed the ")
        .append(critical ? "critical" : "warning").append(" threshold ")
        .append(critical ? t.critical : t.warning).append(':');
    boolean[] first = {true};
    double nowPoints = 0;
    for (Step.Driver d : step.drivers) {
      if (d.risk() != t.risk) continue;
      appendPart(out, first, d.what(), d.points(), "");
      nowPoints += d.points();
    }
    RulesConfig c = step.config;
    if (!t.risk) {
      double total = Scores.decayedValue(step.state.effort, step.now, c.effortHalfLife);
      appendPart(out, first, "earlier effort", total - nowPoints, "decaying");
      return out.toString();
    }
    Scores.RiskParts p = Scores.explainRisk(c, step.state, step.now);
    appendPart(out, first, "earlier low surveys or cancellation pages", p.eventPoints - nowPoints,
        "decaying");
    appendPart(out, first, "effort " + p.effort + " >= " + c.riskHighEffortAt, p.highEffortPoints,
        "");
    appendPart(out, first, p.contacts + " contacts in " + (c.manyContactsWindow / RulesConfig.DAY)
        + " days", p.manyContactsPoints, "");
    appendPart(out, first, p.breaches + " SLA breaches in "
        + (c.manyBreachesWindow / RulesConfig.DAY) + " days", p.manyBreachesPoints, "");
    return out.toString();
  }

  private static void appendPart(StringBuilder out, boolean[] first, String what, double points,
      String note) {
    if (Scores.lround(points) == 0) return;
    out.append(first[0] ? " " : ", ");
    first[0] = false;
    out.append(what).append(" (").append(points(points));
    if (!note.isEmpty()) out.append(", ").append(note);
    out.append(')');
  }

  /** Returns the new armed flag. */
  private static boolean maybeThresholdAlert(Step step, Threshold t, int score, boolean armed,
      long ts, String trigger) {
    if (!armed) {
      if (score < t.rearm) return true;
      AlertRecord last = step.state.alerts[t.kind.ordinal()];
      boolean escalates =
          score >= t.critical && last.ts != MIN && last.severity == Severity.WARNING;
      if (!escalates) return false;
    } else if (score < t.warning) {
      return true;
    }
    Request r = new Request();
    r.kind = t.kind;
    r.severity = score >= t.critical ? Severity.CRITICAL : Severity.WARNING;
    r.ts = ts;
    r.trigger = trigger;
    r.code = t.code;
    r.detail = thresholdDetail(step, t, score);
    if (!step.eventId.isEmpty()) r.eventIds.add(step.eventId);
    raise(step, r);
    return false;
  }

  /** Returns the new emitted value. */
  private static int maybeSignalScore(Step step, SignalKind kind, int score, int emitted,
      int signalStep, long ts, String trigger) {
    if (Math.abs(score - emitted) < signalStep) return emitted;
    Signal s = new Signal();
    s.signalId = StableHash.stableId(step.customerId, kind.json, trigger);
    s.kind = kind;
    s.customerId = step.customerId;
    s.ts = ts;
    s.score = score;
    s.previous = emitted;
    if (!step.eventId.isEmpty()) s.eventIds.add(step.eventId);
    step.out.signals.add(s);
    return score;
  }

  /** Re-evaluates effort and risk at step.now: signals and threshold alerts. */
  static void evaluateScores(Step step, long triggerTs, String trigger) {
    RulesConfig c = step.config;
    CustomerState s = step.state;
    int effort = Scores.effortScore(c, s, step.now);
    int risk = Scores.riskScore(c, s, step.now);
    s.effortEmitted = maybeSignalScore(step, SignalKind.EFFORT_UPDATED, effort, s.effortEmitted,
        c.effortSignalStep, triggerTs, trigger);
    s.riskEmitted = maybeSignalScore(step, SignalKind.RISK_UPDATED, risk, s.riskEmitted,
        c.riskSignalStep, triggerTs, trigger);
    s.effortArmed = maybeThresholdAlert(step,
        new Threshold(false, AlertKind.HIGH_EFFORT, c.effortAlertWarning, c.effortAlertCritical,
            c.effortAlertRearm, "effort_threshold", "effort"),
        effort, s.effortArmed, triggerTs, trigger);
    s.riskArmed = maybeThresholdAlert(step,
        new Threshold(true, AlertKind.AT_RISK, c.riskAlertWarning, c.riskAlertCritical,
            c.riskAlertRearm, "risk_threshold", "risk"),
        risk, s.riskArmed, triggerTs, trigger);
  }
}
