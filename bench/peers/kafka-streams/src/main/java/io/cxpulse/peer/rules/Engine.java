package io.cxpulse.peer.rules;

import static io.cxpulse.peer.rules.Types.MAX;

import io.cxpulse.peer.rules.CustomerState.Contact;
import io.cxpulse.peer.rules.CustomerState.SeenEvent;
import java.util.List;

/**
 * The whole rule engine as pure functions over a CustomerState: the same contract as cxpulse's
 * processors/engine.h. No I/O, no clock: time comes in as event.ts and as the watermark.
 */
public final class Engine {
  private Engine() {}

  private static final int MAX_TIMERS_PER_CALL = 1024;

  /**
   * Idempotent ingest: true when event_id was already seen for this customer within the dedup
   * window; otherwise remembers it.
   */
  static boolean checkAndRecordEventId(RulesConfig config, CustomerState state, String eventId,
      long ts) {
    long idHash = StableHash.fnv1a64(eventId);
    List<SeenEvent> seen = state.seen;
    for (SeenEvent s : seen) {
      if (s.idHash == idHash) return true;
    }
    long newest = Math.max(ts, state.lastActivity);
    long horizon = newest - config.dedupWindow;
    if (ts < horizon) return false;
    int pos = seen.size();
    while (pos > 0 && seen.get(pos - 1).ts > ts) --pos;
    seen.add(pos, new SeenEvent(idHash, ts));
    int drop = 0;
    while (drop < seen.size() && seen.get(drop).ts < horizon) ++drop;
    int cap = Math.max(config.dedupMaxEvents, 1);
    if (seen.size() - drop > cap) drop = seen.size() - (cap - cap / 8);
    if (drop > 0) seen.subList(0, drop).clear();
    return false;
  }

  private record DueTimer(long at, Contact contact) {}

  private static DueTimer earliestTimer(RulesConfig config, CustomerState state) {
    long at = MAX;
    Contact contact = null;
    for (Contact c : state.contacts) {
      long d = Sla.contactSlaDeadline(config, c);
      if (d < at) {
        at = d;
        contact = c;
      }
    }
    long help = SelfService.helpDwellDeadline(config, state);
    if (help < at) {
      at = help;
      contact = null;
    }
    return new DueTimer(at, contact);
  }

  private static void fireTimers(Step step, long watermark) {
    CustomerState state = step.state;
    for (int i = 0; i < MAX_TIMERS_PER_CALL; ++i) {
      DueTimer due = earliestTimer(step.config, state);
      if (due.at() >= watermark) break;
      step.now = Math.max(due.at(), state.lastActivity);
      step.eventId = "";
      step.drivers.clear();
      String trigger = "timer|" + due.at() + "|";
      if (due.contact() != null) {
        trigger += due.contact().contactId;
        Sla.resolveContactSla(step, due.contact(), due.at() + 1);
      } else {
        trigger += "help_dwell";
        SelfService.fireHelpDwellTimer(step, due.at());
      }
      AlertPolicy.evaluateScores(step, due.at(), trigger);
    }
  }

  private static void finish(Step step, long watermark) {
    fireTimers(step, watermark);
    Contacts.pruneContacts(step.config, step.state, watermark);
    step.state.nextDeadline = earliestTimer(step.config, step.state).at();
  }

  /**
   * Applies one decoded event: dedup, every rule of SPEC §3 and the alert policy of §4, then
   * fires the customer's timers the watermark has passed. Returns false for a duplicate.
   */
  public static boolean applyEvent(RulesConfig config, CustomerState state, Event event,
      long watermark, Emissions out) {
    if (checkAndRecordEventId(config, state, event.eventId, event.ts)) return false;
    state.lastActivity = Math.max(state.lastActivity, event.ts);
    if (event.tier != Types.Tier.UNSET) state.tier = event.tier;
    Step step = new Step(config, event.customerId, state, out, state.lastActivity, event.eventId);
    switch (event.type) {
      case CLICK:
        SelfService.applyClickEvent(step, event, watermark);
        break;
      case CALL:
      case CHAT:
        Contacts.applyContactEvent(step, event);
        break;
      case SURVEY:
        Surveys.applySurvey(step, event);
        break;
    }
    AlertPolicy.evaluateScores(step, event.ts, event.eventId);
    finish(step, watermark);
    return true;
  }

  /** Fires every deadline of this customer the watermark has passed (deadline < watermark). */
  public static void fireDueTimers(RulesConfig config, String customerId, CustomerState state,
      long watermark, Emissions out) {
    Step step = new Step(config, customerId, state, out, state.lastActivity, "");
    finish(step, watermark);
  }

  /** The earliest pending deadline, or Types.MAX. */
  public static long nextDeadline(CustomerState state) {
    return state.nextDeadline;
  }
}
