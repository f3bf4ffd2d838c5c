package io.cxpulse.peer.rules;

import static io.cxpulse.peer.rules.CustomerState.SLA_BREACH_RECORDED;
import static io.cxpulse.peer.rules.CustomerState.SLA_ENDED_EMITTED;
import static io.cxpulse.peer.rules.CustomerState.SLA_LONG_WAIT_ALERTED;
import static io.cxpulse.peer.rules.CustomerState.SLA_MET_EMITTED;
import static io.cxpulse.peer.rules.Types.MAX;

import io.cxpulse.peer.rules.CustomerState.ChatMessage;
import io.cxpulse.peer.rules.CustomerState.Contact;
import io.cxpulse.peer.rules.Types.AlertKind;
import io.cxpulse.peer.rules.Types.Author;
import io.cxpulse.peer.rules.Types.EventType;
import io.cxpulse.peer.rules.Types.Severity;
import io.cxpulse.peer.rules.Types.SignalKind;
import io.cxpulse.peer.rules.Types.SlaKind;
import io.cxpulse.peer.rules.Types.SlaOutcome;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Response-time SLAs of one contact (SPEC §3 SLA rows, §4 sla_breach), derived from the
 * contact's events in event-time order (cxpulse's processors/sla.cpp).
 */
final class Sla {
  private Sla() {}

  /** One response wait; its flags live on the contact (first wait) or on its message. */
  private record Wait(SlaKind kind, long start, long answer, long target, Contact contact,
      ChatMessage message) {
    int flags() {
      return message == null ? contact.firstSlaFlags : message.slaFlags;
    }

    void setFlags(int flags) {
      if (message == null) {
        contact.firstSlaFlags = flags;
      } else {
        message.slaFlags = flags;
      }
    }
  }

  /** The response waits of the contact, in event-time order; at most the last is unanswered. */
  private static List<Wait> waits(RulesConfig config, Contact contact) {
    if (contact.type == EventType.CALL) {
      if (contact.started == MAX) return Collections.emptyList();
      return List.of(new Wait(SlaKind.CALL_ANSWER, contact.started, contact.answered,
          config.callTarget, contact, null));
    }
    List<ChatMessage> msgs = contact.messages;
    long clock = contact.started;
    for (ChatMessage m : msgs) {
      if (m.author == Author.CUSTOMER) {
        clock = Math.min(clock, m.ts);
        break;
      }
    }
    if (clock == MAX) return Collections.emptyList();
    List<Wait> out = new ArrayList<>(2);
    int i = 0;
    while (i < msgs.size() && !(msgs.get(i).author == Author.AGENT && msgs.get(i).ts >= clock)) ++i;
    boolean replied = i < msgs.size();
    out.add(new Wait(SlaKind.CHAT_FIRST_REPLY, clock, replied ? msgs.get(i).ts : MAX,
        config.chatFirstReplyTarget, contact, null));
    if (!replied) return out;
    int pending = msgs.size();
    for (int j = i + 1; j < msgs.size(); ++j) {
      if (msgs.get(j).author == Author.CUSTOMER && pending == msgs.size()) {
        pending = j;
      } else if (msgs.get(j).author == Author.AGENT && pending != msgs.size()) {
        ChatMessage p = msgs.get(pending);
        out.add(new Wait(SlaKind.CHAT_NEXT_REPLY, p.ts, msgs.get(j).ts,
            config.chatNextReplyTarget, contact, p));
        pending = msgs.size();
      }
    }
    if (pending != msgs.size()) {
      ChatMessage p = msgs.get(pending);
      out.add(new Wait(SlaKind.CHAT_NEXT_REPLY, p.ts, MAX, config.chatNextReplyTarget, contact, p));
    }
    return out;
  }

  private static String waitIdentity(Contact contact, SlaKind kind, long start) {
    return contact.contactId + "|" + kind.json + "|" + start;
  }

  private static List<String> eventIds(Step step, Contact contact) {
    List<String> ids = new ArrayList<>(2);
    if (!contact.openEventId.isEmpty()) ids.add(contact.openEventId);
    if (!step.eventId.isEmpty() && !step.eventId.equals(contact.openEventId)) ids.add(step.eventId);
    return ids;
  }

  private static Signal emitSla(Step step, Contact contact, SignalKind kind, SlaKind sla,
      long start, long ts, long target, long elapsed) {
    Signal s = new Signal();
    s.signalId = StableHash.stableId(step.customerId, kind.json, waitIdentity(contact, sla, start));
    s.kind = kind;
    s.customerId = step.customerId;
    s.ts = ts;
    s.contactId = contact.contactId;
    s.channel = AlertPolicy.contactChannelName(contact.type);
    s.sla = sla;
    s.targetMs = target;
    s.elapsedMs = elapsed;
    s.eventIds = eventIds(step, contact);
    step.out.signals.add(s);
    return s;
  }

  private static void recordBreach(Step step, Contact contact, SlaKind sla, long start,
      long target) {
    long deadline = start + target;
    emitSla(step, contact, SignalKind.SLA_BREACHED, sla, start, deadline, target, target).outcome =
        SlaOutcome.BREACHED;
    Scores.addEffort(step, step.config.breachEffort, deadline);
    step.noteDriver(false, step.config.breachEffort, "SLA breach");
    List<Long> b = step.state.breaches;
    int pos = b.size();
    while (pos > 0 && b.get(pos - 1) > deadline) --pos;
    b.add(pos, deadline);
    int cap = Math.max(step.config.manyBreachesAt, 1) * 8;
    if (b.size() > cap) b.subList(0, b.size() - cap).clear();
  }

  private static String breachCode(SlaKind kind) {
    switch (kind) {
      case CALL_ANSWER:
        return "call_answer_breach";
      case CHAT_FIRST_REPLY:
        return "chat_first_reply_breach";
      default:
        return "chat_next_reply_breach";
    }
  }

  private static void raiseSlaAlert(Step step, Contact contact, Severity severity, long ts,
      String trigger, String code, String detail) {
    AlertPolicy.Request r = new AlertPolicy.Request();
    r.kind = AlertKind.SLA_BREACH;
    r.severity = severity;
    r.ts = ts;
    r.trigger = trigger;
    r.contactId = contact.contactId;
    r.code = code;
    r.detail = detail;
    r.eventIds = eventIds(step, contact);
    AlertPolicy.raise(step, r);
  }

  private static long waitEnd(Contact contact, Wait w) {
    return w.answer() <= contact.closed ? w.answer() : contact.closed;
  }

  private static void emitEnded(Step step, Contact contact, Wait w, long end) {
    boolean answered = w.answer() <= contact.closed;
    boolean breached = end > w.start() + w.target();
    SlaOutcome outcome = answered ? SlaOutcome.ANSWERED
        : contact.abandoned ? SlaOutcome.ABANDONED : SlaOutcome.BREACHED;
    if (!answered && !contact.abandoned && !breached) return;
    emitSla(step, contact, SignalKind.SLA_ENDED, w.kind(), w.start(), end, w.target(),
        end - w.start()).outcome = outcome;
  }

  private static void resolveWait(Step step, Contact contact, Wait w, long horizon) {
    RulesConfig rules = step.config;
    long deadline = w.start() + w.target();
    long longWait = w.start() + w.target() * rules.longWaitMultiplier;
    if (w.start() >= contact.closed) return;
    long end = waitEnd(contact, w);
    boolean answered = w.answer() <= contact.closed && w.answer() != MAX;

    if (answered && w.answer() <= deadline) {
      if ((w.flags() & (SLA_MET_EMITTED | SLA_BREACH_RECORDED)) == 0) {
        w.setFlags(w.flags() | SLA_MET_EMITTED);
        emitSla(step, contact, SignalKind.SLA_MET, w.kind(), w.start(), w.answer(), w.target(),
            w.answer() - w.start()).outcome = SlaOutcome.ANSWERED;
      }
      return;
    }
    if ((w.flags() & SLA_MET_EMITTED) != 0) return;
    if (end > deadline && deadline < horizon && (w.flags() & SLA_BREACH_RECORDED) == 0) {
      w.setFlags(w.flags() | SLA_BREACH_RECORDED);
      recordBreach(step, contact, w.kind(), w.start(), w.target());
    }
    boolean breached = (w.flags() & SLA_BREACH_RECORDED) != 0;
    if (end >= longWait && longWait < horizon && breached
        && (w.flags() & SLA_LONG_WAIT_ALERTED) == 0) {
      w.setFlags(w.flags() | SLA_LONG_WAIT_ALERTED);
      String verb = w.kind() == SlaKind.CALL_ANSWER ? "answer" : "reply";
      raiseSlaAlert(step, contact, Severity.WARNING, longWait,
          waitIdentity(contact, w.kind(), w.start()) + "|long_wait", breachCode(w.kind()),
          "no agent " + verb + " for " + ((longWait - w.start()) / 1000) + " s");
    }
    boolean earlierDecided = (end <= deadline || breached)
        && (end < longWait || (w.flags() & SLA_LONG_WAIT_ALERTED) != 0 || !breached);
    if (end == MAX || !earlierDecided || (w.flags() & SLA_ENDED_EMITTED) != 0) return;
    w.setFlags(w.flags() | SLA_ENDED_EMITTED);
    emitEnded(step, contact, w, end);
    if (!answered && contact.abandoned && end > deadline && breached && !contact.abandonAlerted) {
      contact.abandonAlerted = true;
      raiseSlaAlert(step, contact, Severity.CRITICAL, contact.closed,
          contact.contactId + "|abandoned", "abandoned_after_breach",
          "abandoned after " + ((contact.closed - w.start()) / 1000)
              + " s without an agent (target " + (w.target() / 1000) + " s)");
    }
  }

  /** Emits what the contact's events and `horizon` (the watermark reached) have decided. */
  static void resolveContactSla(Step step, Contact contact, long horizon) {
    for (Wait w : waits(step.config, contact)) resolveWait(step, contact, w, horizon);
  }

  /** The earliest pending SLA deadline of the contact, or MAX. */
  static long contactSlaDeadline(RulesConfig config, Contact contact) {
    long next = MAX;
    for (Wait w : waits(config, contact)) {
      int flags = w.flags();
      long deadline = w.start() + w.target();
      long end = waitEnd(contact, w);
      if ((flags & SLA_MET_EMITTED) != 0 || w.start() >= contact.closed) continue;
      if (w.answer() <= deadline && w.answer() <= contact.closed) continue;
      if ((flags & SLA_BREACH_RECORDED) == 0) {
        if (end > deadline) next = Math.min(next, deadline);
      } else if ((flags & SLA_LONG_WAIT_ALERTED) == 0) {
        long longWait = w.start() + w.target() * config.longWaitMultiplier;
        if (end >= longWait) next = Math.min(next, longWait);
      }
    }
    return next;
  }
}
