package io.cxpulse.peer.rules;

import io.cxpulse.peer.rules.Types.SignalKind;
import io.cxpulse.peer.rules.Types.SlaKind;
import io.cxpulse.peer.rules.Types.SlaOutcome;
import java.util.ArrayList;
import java.util.List;

/** A derived signal (cx.signals); each kind fills the fields its JSON has. */
public final class Signal {
  public String signalId;
  public SignalKind kind;
  public String customerId;
  public long ts;
  public String contactId = "";
  public String channel = "";
  public SlaKind sla = SlaKind.NONE;
  public long targetMs;
  public long elapsedMs;
  public SlaOutcome outcome = SlaOutcome.ANSWERED;
  public int count7d;
  public boolean sameReason;
  public int score;
  public int previous;
  public List<String> eventIds = new ArrayList<>();
}
