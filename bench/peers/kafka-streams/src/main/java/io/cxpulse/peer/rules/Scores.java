package io.cxpulse.peer.rules;

import static io.cxpulse.peer.rules.Types.MIN;

import io.cxpulse.peer.rules.CustomerState.ContactRecord;
import io.cxpulse.peer.rules.CustomerState.DecayingScore;
import java.util.List;

/** Decaying effort and risk scores (SPEC §3), exact for points added out of order. */
final class Scores {
  private Scores() {}

  static double decayedValue(DecayingScore score, long t, long halfLife) {
    if (score.value == 0 || t <= score.at || halfLife <= 0) return score.value;
    return score.value * Math.pow(2.0, -(double) (t - score.at) / (double) halfLife);
  }

  static void addDecaying(DecayingScore score, double points, long t, long halfLife) {
    if (score.at == MIN) {
      score.value = points;
      score.at = t;
    } else if (t >= score.at) {
      score.value = decayedValue(score, t, halfLife) + points;
      score.at = t;
    } else if (halfLife > 0) {
      score.value += points * Math.pow(2.0, -(double) (score.at - t) / (double) halfLife);
    } else {
      score.value += points;
    }
  }

  /** C's lround: halves away from zero. */
  static long lround(double v) {
    return v < 0 ? -Math.round(-v) : Math.round(v);
  }

  static int clampScore(double v, int cap) {
    return (int) Math.max(0, Math.min(lround(v), cap));
  }

  static void addEffort(Step step, double points, long at) {
    addDecaying(step.state.effort, points, at, step.config.effortHalfLife);
  }

  static void addRisk(Step step, double points, long at) {
    addDecaying(step.state.risk, points, at, step.config.riskHalfLife);
  }

  static int effortScore(RulesConfig c, CustomerState s, long now) {
    return clampScore(decayedValue(s.effort, now, c.effortHalfLife), c.effortCap);
  }

  /** The parts of the risk score at `now` (see cxpulse's ExplainRisk). */
  static final class RiskParts {
    double eventPoints;
    double highEffortPoints;
    double manyContactsPoints;
    double manyBreachesPoints;
    int effort;
    int contacts;
    int breaches;
    int score;
  }

  static RiskParts explainRisk(RulesConfig c, CustomerState s, long now) {
    RiskParts p = new RiskParts();
    p.eventPoints = decayedValue(s.risk, now, c.riskHalfLife);
    p.effort = effortScore(c, s, now);
    for (ContactRecord r : s.history) {
      if (r.ts >= now - c.manyContactsWindow && r.ts <= now) ++p.contacts;
    }
    p.breaches = countInWindow(s.breaches, now, c.manyBreachesWindow);
    if (p.effort >= c.riskHighEffortAt) p.highEffortPoints = c.riskHighEffort;
    if (p.contacts >= c.manyContactsAt) p.manyContactsPoints = c.manyContacts;
    if (p.breaches >= c.manyBreachesAt) p.manyBreachesPoints = c.manyBreaches;
    double v = p.eventPoints + p.highEffortPoints + p.manyContactsPoints + p.manyBreachesPoints;
    p.score = clampScore(v, c.riskCap);
    return p;
  }

  static int riskScore(RulesConfig c, CustomerState s, long now) {
    return explainRisk(c, s, now).score;
  }

  static int countInWindow(List<Long> times, long now, long window) {
    int n = 0;
    for (long t : times) {
      if (t >= now - window && t <= now) ++n;
    }
    return n;
  }

  static void applyCesLift(Step step, int cesScore, long at) {
    RulesConfig c = step.config;
    int floor = cesScore == 1 ? c.ces1Floor : cesScore == 2 ? c.ces2Floor : cesScore == 3 ? c.ces3Floor : 0;
    if (floor == 0) return;
    double current = decayedValue(step.state.effort, at, c.effortHalfLife);
    if (current < floor) {
      addEffort(step, floor - current, at);
      step.noteDriver(false, floor - current, "CES " + cesScore);
    }
  }
}
