package io.cxpulse.peer.rules;

/** The enums of SPEC §1 and §4, spelled as the JSON spells them. Ordinals match cxpulse. */
public final class Types {
  private Types() {}

  /** Event time in epoch milliseconds; "no time yet" and "never" as cxpulse's EventTime. */
  public static final long MIN = Long.MIN_VALUE / 2;

  public static final long MAX = Long.MAX_VALUE / 2;

  public enum EventType {
    CLICK, CALL, CHAT, SURVEY
  }

  public enum Action {
    NONE, PAGE_VIEW, CLICK, SEARCH, ERROR, CONTACT_US, QUEUED, ANSWERED, TRANSFERRED, ENDED,
    ABANDONED, STARTED, MESSAGE
  }

  public enum Tier {
    UNSET, STANDARD, VIP
  }

  /** Order matters: chat messages with the same ts sort by it. */
  public enum Author {
    NONE, CUSTOMER, AGENT, BOT
  }

  public enum SurveyKind {
    NONE, CSAT, NPS, CES
  }

  public enum AlertKind {
    SLA_BREACH("sla_breach"), REPEAT_CONTACT("repeat_contact"), HIGH_EFFORT("high_effort"),
    AT_RISK("at_risk"), LOW_SCORE("low_score"), NEEDS_HELP("needs_help");

    public final String json;

    AlertKind(String json) {
      this.json = json;
    }
  }

  public enum Severity {
    WARNING("warning"), CRITICAL("critical");

    public final String json;

    Severity(String json) {
      this.json = json;
    }
  }

  public enum SignalKind {
    SLA_BREACHED("sla.breached"), SLA_MET("sla.met"), CONTACT_REPEAT("contact.repeat"),
    EFFORT_UPDATED("effort.updated"), RISK_UPDATED("risk.updated"), SLA_ENDED("sla.ended");

    public final String json;

    SignalKind(String json) {
      this.json = json;
    }
  }

  public enum SlaKind {
    NONE("none"), CALL_ANSWER("call_answer"), CHAT_FIRST_REPLY("chat_first_reply"),
    CHAT_NEXT_REPLY("chat_next_reply");

    public final String json;

    SlaKind(String json) {
      this.json = json;
    }
  }

  public enum SlaOutcome {
    ANSWERED("answered"), ABANDONED("abandoned"), BREACHED("breached");

    public final String json;

    SlaOutcome(String json) {
      this.json = json;
    }
  }

  /** The recommended action of SPEC §4. */
  public static String recommendedAction(AlertKind kind, Severity severity) {
    switch (kind) {
      case SLA_BREACH:
        return severity == Severity.CRITICAL ? "apologise_and_compensate" : "callback";
      case REPEAT_CONTACT:
        return "own_the_issue";
      case AT_RISK:
        return "senior_callback";
      case NEEDS_HELP:
        return "offer_chat";
      default:
        return "callback";
    }
  }
}
