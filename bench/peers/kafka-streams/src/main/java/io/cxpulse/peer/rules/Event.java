package io.cxpulse.peer.rules;

import io.cxpulse.peer.rules.Types.Action;
import io.cxpulse.peer.rules.Types.Author;
import io.cxpulse.peer.rules.Types.EventType;
import io.cxpulse.peer.rules.Types.SurveyKind;
import io.cxpulse.peer.rules.Types.Tier;

/** A decoded, valid input event (SPEC §1). Absent optional strings are "". */
public final class Event {
  public EventType type = EventType.CLICK;
  public Action action = Action.NONE;
  public long ts;
  public String eventId = "";
  public String customerId = "";
  public Tier tier = Tier.UNSET;
  public String channel = "";

  public String page = "";
  public String element = "";
  public String sessionId = "";
  public String query = "";
  public long results = -1;
  public int status;

  public String contactId = "";
  public String queue = "";
  public String reason = "";
  public String agentId = "";
  public Author author = Author.NONE;

  public SurveyKind survey = SurveyKind.NONE;
  public int score = -1;
}
