package io.cxpulse.peer.rules;

import io.cxpulse.peer.rules.Types.AlertKind;
import io.cxpulse.peer.rules.Types.Severity;
import io.cxpulse.peer.rules.Types.SurveyKind;

/** A survey answer: risk points, the CES effort lift, the low_score alert. */
final class Surveys {
  private Surveys() {}

  static void applySurvey(Step step, Event e) {
    RulesConfig c = step.config;
    boolean low = false;
    boolean critical = false;
    double riskPoints = 0;
    String code = "";
    String label = "";
    switch (e.survey) {
      case NPS:
        low = e.score <= c.npsLow;
        critical = e.score <= c.npsCritical;
        riskPoints = c.lowNps;
        code = "low_nps";
        label = "NPS";
        break;
      case CSAT:
        low = e.score <= c.csatLow;
        critical = e.score <= c.csatCritical;
        riskPoints = c.lowCsat;
        code = "low_csat";
        label = "CSAT";
        break;
      case CES:
        low = e.score <= c.cesLow;
        critical = e.score <= c.cesCritical;
        riskPoints = c.lowCes;
        code = "low_ces";
        label = "CES";
        break;
      default:
        break;
    }
    if (e.survey == SurveyKind.CES) Scores.applyCesLift(step, e.score, e.ts);
    if (!low) return;
    Scores.addRisk(step, riskPoints, e.ts);
    step.noteDriver(true, riskPoints, label + " " + e.score);
    AlertPolicy.Request r = new AlertPolicy.Request();
    r.kind = AlertKind.LOW_SCORE;
    r.severity = critical ? Severity.CRITICAL : Severity.WARNING;
    r.ts = e.ts;
    r.trigger = e.eventId;
    r.contactId = e.contactId;
    r.code = code;
    r.detail = label + " answer " + e.score;
    r.eventIds.add(e.eventId);
    AlertPolicy.raise(step, r);
  }
}
