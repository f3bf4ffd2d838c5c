package io.cxpulse.peer.rules;

import java.util.ArrayList;
import java.util.List;

/** The context of one engine step (one event, or one fired timer). */
final class Step {
  /** Points one step added to a score, and why: the alert details name them. */
  record Driver(boolean risk, double points, String what) {}

  final RulesConfig config;
  final String customerId;
  final CustomerState state;
  final Emissions out;
  /** Scores are evaluated at this instant: max(trigger time, latest event time). */
  long now;
  /** The event being applied; "" for a timer. */
  String eventId;

  final List<Driver> drivers = new ArrayList<>();

  Step(RulesConfig config, String customerId, CustomerState state, Emissions out, long now,
      String eventId) {
    this.config = config;
    this.customerId = customerId;
    this.state = state;
    this.out = out;
    this.now = now;
    this.eventId = eventId;
  }

  void noteDriver(boolean risk, double points, String what) {
    if (points != 0) drivers.add(new Driver(risk, points, what));
  }
}
