package io.cxpulse.peer.rules;

import java.util.ArrayList;
import java.util.List;

/** What one step of processing emitted, in emission order. */
public final class Emissions {
  public final List<Signal> signals = new ArrayList<>();
  public final List<Alert> alerts = new ArrayList<>();

  public void clear() {
    signals.clear();
    alerts.clear();
  }

  public boolean isEmpty() {
    return signals.isEmpty() && alerts.isEmpty();
  }
}
