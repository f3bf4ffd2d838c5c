package io.cxpulse.peer.rules;

import io.cxpulse.peer.rules.Types.AlertKind;
import io.cxpulse.peer.rules.Types.Severity;
import io.cxpulse.peer.rules.Types.Tier;
import java.util.List;

/** An alert of SPEC §4 with one reason (the JSON shape is written by json.OutputJson). */
public final class Alert {
  public String alertId;
  public String customerId;
  public AlertKind kind;
  public Severity severity;
  public long ts;
  public String contactId = "";
  public Tier tier = Tier.UNSET;
  public String channel = "";
  public String queue = "";
  public String reason = "";
  public String code;
  public String detail;
  public List<String> eventIds;
  public int effortScore;
  public int riskScore;
}
