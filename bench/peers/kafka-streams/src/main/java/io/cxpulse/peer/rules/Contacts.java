package io.cxpulse.peer.rules;

import static io.cxpulse.peer.rules.Types.MAX;
import static io.cxpulse.peer.rules.Types.MIN;

import io.cxpulse.peer.rules.CustomerState.ChatMessage;
import io.cxpulse.peer.rules.CustomerState.Contact;
import io.cxpulse.peer.rules.CustomerState.ContactRecord;
import io.cxpulse.peer.rules.Types.Action;
import io.cxpulse.peer.rules.Types.AlertKind;
import io.cxpulse.peer.rules.Types.Severity;
import io.cxpulse.peer.rules.Types.SignalKind;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/** Contacts: lifecycle, repeat contacts, channel switches (cxpulse's processors/contacts.cpp). */
final class Contacts {
  private Contacts() {}

  private static Contact findOrCreate(RulesConfig config, CustomerState state, Event event) {
    List<Contact> contacts = state.contacts;
    for (Iterator<Contact> it = contacts.iterator(); it.hasNext(); ) {
      Contact c = it.next();
      if (!c.contactId.equals(event.contactId)) continue;
      if (c.closed == MAX || event.ts <= c.closed + config.lateness) return c;
      it.remove();
      break;
    }
    if (contacts.size() >= Math.max(config.maxOpenContacts, 1)) {
      Contact oldest = contacts.get(0);
      for (Contact c : contacts) {
        if (c.lastEvent < oldest.lastEvent) oldest = c;
      }
      contacts.remove(oldest);
    }
    Contact c = new Contact();
    c.contactId = event.contactId;
    c.type = event.type;
    contacts.add(c);
    return c;
  }

  private static long channelHash(Event event) {
    if (!event.channel.isEmpty()) return StableHash.fnv1a64(event.channel);
    return StableHash.fnv1a64(AlertPolicy.untaggedChannel(event.type));
  }

  private static boolean isChannelSwitch(RulesConfig config, CustomerState state,
      ContactRecord record) {
    long from = record.ts - config.channelSwitchWindow;
    if (state.lastSelfService >= from && state.lastSelfService <= record.ts) return true;
    for (ContactRecord r : state.history) {
      if (r.ts >= from && r.ts <= record.ts && r.channelHash != record.channelHash) return true;
    }
    return false;
  }

  private static void raiseRepeatAlert(Step step, Event event, int count) {
    RulesConfig rules = step.config;
    if (count < rules.repeatAlertWarning) return;
    AlertPolicy.Request r = new AlertPolicy.Request();
    r.kind = AlertKind.REPEAT_CONTACT;
    r.severity = count >= rules.repeatAlertCritical ? Severity.CRITICAL : Severity.WARNING;
    r.ts = event.ts;
    r.trigger = event.eventId;
    r.contactId = event.contactId;
    r.code = "repeat_contacts";
    r.detail = count + " contacts in " + (rules.repeatWindow / RulesConfig.DAY) + " days";
    r.eventIds.add(event.eventId);
    AlertPolicy.raise(step, r);
  }

  private static void countContact(Step step, Contact contact, Event event) {
    contact.counted = true;
    contact.openEventId = event.eventId;
    CustomerState state = step.state;
    RulesConfig rules = step.config;
    ContactRecord record = new ContactRecord();
    record.contactHash = StableHash.fnv1a64(contact.contactId);
    record.reasonHash = event.reason.isEmpty() ? 0 : StableHash.fnv1a64(event.reason);
    record.channelHash = channelHash(event);
    record.ts = event.ts;
    ContactRecord previous = null;
    int count = 1;
    for (ContactRecord r : state.history) {
      if (r.ts > record.ts || r.ts < record.ts - rules.repeatWindow) continue;
      ++count;
      if (previous == null || r.ts >= previous.ts) previous = r;
    }
    double points = 0;
    if (isChannelSwitch(rules, state, record)) {
      points += rules.channelSwitchEffort;
      step.noteDriver(false, rules.channelSwitchEffort, "channel switch");
    }
    if (previous != null) {
      Signal s = new Signal();
      s.signalId = StableHash.stableId(step.customerId, "contact.repeat", contact.contactId);
      s.kind = SignalKind.CONTACT_REPEAT;
      s.customerId = step.customerId;
      s.ts = event.ts;
      s.contactId = contact.contactId;
      s.channel = AlertPolicy.contactChannelName(contact.type);
      s.count7d = count;
      s.sameReason = record.reasonHash != 0 && record.reasonHash == previous.reasonHash;
      s.eventIds.add(event.eventId);
      step.out.signals.add(s);
      points += rules.repeatEffort;
      step.noteDriver(false, rules.repeatEffort, "repeat contact");
    }
    if (points > 0) Scores.addEffort(step, points, event.ts);
    record.effortPoints = (int) Math.max(0, Math.min(points, 255));
    List<ContactRecord> h = state.history;
    int pos = h.size();
    while (pos > 0 && h.get(pos - 1).ts > record.ts) --pos;
    h.add(pos, record);
    if (h.size() > Math.max(rules.maxHistory, 1)) h.remove(0);
    raiseRepeatAlert(step, event, count);
  }

  private static void updateRecord(Step step, Contact contact, Event event) {
    CustomerState state = step.state;
    long key = StableHash.fnv1a64(contact.contactId);
    for (ContactRecord r : state.history) {
      if (r.contactHash != key) continue;
      if (r.reasonHash == 0 && !event.reason.isEmpty()) r.reasonHash = StableHash.fnv1a64(event.reason);
      if (event.ts >= r.ts) continue;
      if (r.effortPoints > 0) {
        Scores.addEffort(step, -(double) r.effortPoints, r.ts);
        Scores.addEffort(step, r.effortPoints, event.ts);
      }
      r.ts = event.ts;
    }
    state.history.sort(Comparator.comparingLong(r -> r.ts));
  }

  private static void addMessage(RulesConfig config, Contact contact, Event event) {
    List<ChatMessage> msgs = contact.messages;
    ChatMessage m = new ChatMessage(event.ts, event.author);
    int pos = msgs.size();
    while (pos > 0 && (msgs.get(pos - 1).ts > m.ts
        || (msgs.get(pos - 1).ts == m.ts && msgs.get(pos - 1).author.ordinal() > m.author.ordinal()))) {
      --pos;
    }
    msgs.add(pos, m);
    if (msgs.size() > Math.max(config.maxChatMessages, 2)) msgs.remove(0);
  }

  /** Applies a call or chat event: the contact, its SLAs, repeat contact, channel switch. */
  static void applyContactEvent(Step step, Event event) {
    RulesConfig config = step.config;
    Contact contact = findOrCreate(config, step.state, event);
    if (!event.channel.isEmpty()) contact.channel = event.channel;
    if (!event.queue.isEmpty()) contact.queue = event.queue;
    if (!event.reason.isEmpty()) contact.reason = event.reason;
    contact.opened = Math.min(contact.opened, event.ts);
    contact.lastEvent = Math.max(contact.lastEvent, event.ts);
    boolean opens = event.action == Action.QUEUED || event.action == Action.STARTED
        || event.action == Action.MESSAGE;
    switch (event.action) {
      case QUEUED:
      case STARTED:
        contact.started = Math.min(contact.started, event.ts);
        break;
      case MESSAGE:
        addMessage(config, contact, event);
        break;
      case ANSWERED:
        contact.answered = Math.min(contact.answered, event.ts);
        break;
      case TRANSFERRED:
        Scores.addEffort(step, config.transferEffort, event.ts);
        step.noteDriver(false, config.transferEffort, "transfer");
        break;
      case ENDED:
        contact.closed = Math.min(contact.closed, event.ts);
        break;
      case ABANDONED:
        contact.closed = Math.min(contact.closed, event.ts);
        if (!contact.abandoned) {
          Scores.addEffort(step, config.abandonedEffort, event.ts);
          step.noteDriver(false, config.abandonedEffort, "abandoned contact");
        }
        contact.abandoned = true;
        break;
      default:
        break;
    }
    if (opens) {
      if (!contact.counted) {
        countContact(step, contact, event);
      } else if (event.action != Action.MESSAGE) {
        if (event.ts <= contact.opened) contact.openEventId = event.eventId;
        updateRecord(step, contact, event);
      }
    }
    Sla.resolveContactSla(step, contact, MIN);
  }

  static boolean hasOpenContact(CustomerState state) {
    for (Contact c : state.contacts) {
      if (c.counted && c.closed == MAX) return true;
    }
    return false;
  }

  /** Drops what no in-lateness event can reach any more, measured from the watermark. */
  static void pruneContacts(RulesConfig config, CustomerState state, long watermark) {
    state.contacts.removeIf(c -> (c.closed != MAX && c.closed + config.lateness < watermark)
        || c.lastEvent < watermark - config.openContactMaxIdle);
    long keep = Math.max(Math.max(config.repeatWindow, config.channelSwitchWindow),
        config.manyContactsWindow);
    state.history.removeIf(r -> r.ts < watermark - keep);
    state.breaches.removeIf(t -> t < watermark - config.manyBreachesWindow);
  }
}
