package io.cxpulse.peer.rules;

import static io.cxpulse.peer.rules.Types.MAX;
import static io.cxpulse.peer.rules.Types.MIN;

import io.cxpulse.peer.rules.Types.Author;
import io.cxpulse.peer.rules.Types.EventType;
import io.cxpulse.peer.rules.Types.Severity;
import io.cxpulse.peer.rules.Types.Tier;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the peer remembers about one customer: the value of the `customers` key-value store
 * (Jackson JSON, see CustomerStateSerde). The same fields as cxpulse's CustomerState, so the rules
 * are the same functions over it. Every list is pruned by a time window and capped.
 */
public final class CustomerState {
  /** Bits of the SLA flags of one response wait. */
  public static final int SLA_MET_EMITTED = 1;

  public static final int SLA_BREACH_RECORDED = 2;
  public static final int SLA_LONG_WAIT_ALERTED = 4;
  public static final int SLA_ENDED_EMITTED = 8;

  public static final class SeenEvent {
    public long idHash;
    public long ts;

    public SeenEvent() {}

    SeenEvent(long idHash, long ts) {
      this.idHash = idHash;
      this.ts = ts;
    }
  }

  /** A sum of exponentially decaying points: `value` at `at`. */
  public static final class DecayingScore {
    public double value;
    public long at = MIN;
  }

  public static final class ChatMessage {
    public long ts;
    public Author author = Author.NONE;
    public int slaFlags;

    public ChatMessage() {}

    ChatMessage(long ts, Author author) {
      this.ts = ts;
      this.author = author;
    }
  }

  /** A call or chat that is open, or closed less than the allowed lateness ago. */
  public static final class Contact {
    public String contactId = "";
    public String openEventId = "";
    public EventType type = EventType.CALL;
    public boolean counted;
    public boolean abandoned;
    public boolean abandonAlerted;
    public int firstSlaFlags;
    public long opened = MAX;
    public long lastEvent = MIN;
    public long started = MAX;
    public long answered = MAX;
    public long closed = MAX;
    public List<ChatMessage> messages = new ArrayList<>();
    public String channel = "";
    public String queue = "";
    public String reason = "";
  }

  public static final class ContactRecord {
    public long contactHash;
    public long reasonHash;
    public long channelHash;
    public long ts;
    public int effortPoints;
  }

  public static final class ClickMark {
    public long elementHash;
    public long ts;
    public boolean inBurst;

    public ClickMark() {}

    ClickMark(long elementHash, long ts) {
      this.elementHash = elementHash;
      this.ts = ts;
    }
  }

  public static final class PageMark {
    public long ts;
    public boolean help;

    public PageMark() {}

    PageMark(long ts, boolean help) {
      this.ts = ts;
      this.help = help;
    }
  }

  public static final class Session {
    public long idHash;
    public long start = MIN;
    public long last = MIN;
    public long helpDwellMs;
    public int failedSearches;
    public boolean needsHelpRaised;
    public boolean cancelIntentSeen;
    public List<PageMark> pages = new ArrayList<>();
  }

  public static final class AlertRecord {
    public long ts = MIN;
    public Severity severity = Severity.WARNING;
  }

  public long lastActivity = MIN;
  public Tier tier = Tier.UNSET;
  public long nextDeadline = MAX;
  public List<SeenEvent> seen = new ArrayList<>();
  public List<Contact> contacts = new ArrayList<>();
  public List<ContactRecord> history = new ArrayList<>();
  public List<Long> breaches = new ArrayList<>();
  public long lastSelfService = MIN;
  public List<ClickMark> clicks = new ArrayList<>();
  public Session session = new Session();
  public DecayingScore effort = new DecayingScore();
  public DecayingScore risk = new DecayingScore();
  public int effortEmitted;
  public int riskEmitted;
  public boolean effortArmed = true;
  public boolean riskArmed = true;
  /** The last alert per AlertKind ordinal (cooldown and escalation). */
  public AlertRecord[] alerts = newAlerts();

  private static AlertRecord[] newAlerts() {
    AlertRecord[] a = new AlertRecord[Types.AlertKind.values().length];
    for (int i = 0; i < a.length; i++) a[i] = new AlertRecord();
    return a;
  }
}
