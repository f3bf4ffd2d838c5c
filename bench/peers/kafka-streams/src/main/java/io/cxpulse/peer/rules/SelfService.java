package io.cxpulse.peer.rules;

import static io.cxpulse.peer.rules.Types.MAX;
import static io.cxpulse.peer.rules.Types.MIN;

import io.cxpulse.peer.rules.CustomerState.ClickMark;
import io.cxpulse.peer.rules.CustomerState.ContactRecord;
import io.cxpulse.peer.rules.CustomerState.PageMark;
import io.cxpulse.peer.rules.CustomerState.Session;
import io.cxpulse.peer.rules.Types.Action;
import io.cxpulse.peer.rules.Types.AlertKind;
import io.cxpulse.peer.rules.Types.Severity;
import java.util.List;

/**
 * Click-stream rules: sessions, rage clicks, failed searches, error pages, cancellation intent,
 * help-page dwell and needs_help (cxpulse's processors/selfservice.cpp).
 */
final class SelfService {
  private SelfService() {}

  private static final int MAX_BURST_SCAN = 64;

  private static boolean hasPrefix(String page, List<String> prefixes) {
    if (page.isEmpty()) return false;
    for (String p : prefixes) {
      if (page.startsWith(p)) return true;
    }
    return false;
  }

  /** False for a late event of an earlier session. */
  private static boolean enterSession(RulesConfig config, CustomerState state, Event event) {
    Session s = state.session;
    long id = event.sessionId.isEmpty() ? 0 : StableHash.fnv1a64(event.sessionId);
    boolean bothIds = id != 0 && s.idHash != 0;
    long gap = config.sessionGap;
    if (s.start != MIN) {
      boolean otherId = bothIds && id != s.idHash;
      boolean sameId = bothIds && id == s.idHash;
      if (event.ts < s.start && (otherId || (!sameId && s.start - event.ts >= gap))) return false;
      boolean continues = sameId || (!otherId && event.ts - s.last < gap);
      if (continues) {
        if (s.idHash == 0) s.idHash = id;
        s.start = Math.min(s.start, event.ts);
        s.last = Math.max(s.last, event.ts);
        return true;
      }
    }
    Session fresh = new Session();
    fresh.idHash = id;
    fresh.start = event.ts;
    fresh.last = event.ts;
    state.session = fresh;
    return true;
  }

  /** The first contact (its counted open) at or after t, or MAX. */
  private static long contactAtOrAfter(CustomerState state, long t) {
    for (ContactRecord r : state.history) {
      if (r.ts >= t) return r.ts;
    }
    return MAX;
  }

  private static long pageDwell(RulesConfig config, CustomerState state, PageMark from,
      long until) {
    if (!from.help) return 0;
    long end = Math.min(until, contactAtOrAfter(state, from.ts));
    if (end <= from.ts) return 0;
    return Math.min(end - from.ts, config.dwellCap);
  }

  private static long knownDwell(RulesConfig config, CustomerState state) {
    Session s = state.session;
    long total = s.helpDwellMs;
    for (int i = 0; i + 1 < s.pages.size(); ++i) {
      total += pageDwell(config, state, s.pages.get(i), s.pages.get(i + 1).ts);
    }
    return total;
  }

  private static void addPage(RulesConfig config, CustomerState state, long ts, boolean help,
      long watermark) {
    Session s = state.session;
    List<PageMark> pages = s.pages;
    int pos = pages.size();
    while (pos > 0 && pages.get(pos - 1).ts > ts) --pos;
    pages.add(pos, new PageMark(ts, help));
    int cap = Math.max(config.maxPages, 2);
    int done = 0;
    while (done + 1 < pages.size()
        && (pages.get(done + 1).ts < watermark || pages.size() - done > cap)) {
      s.helpDwellMs += pageDwell(config, state, pages.get(done), pages.get(done + 1).ts);
      ++done;
    }
    if (done > 0) pages.subList(0, done).clear();
  }

  private static void raiseNeedsHelp(Step step, long ts, String trigger, String code,
      String detail) {
    Session s = step.state.session;
    if (s.needsHelpRaised || Contacts.hasOpenContact(step.state)) return;
    s.needsHelpRaised = true;
    AlertPolicy.Request r = new AlertPolicy.Request();
    r.kind = AlertKind.NEEDS_HELP;
    r.severity = Severity.WARNING;
    r.ts = ts;
    r.trigger = trigger;
    r.code = code;
    r.detail = detail;
    if (!step.eventId.isEmpty()) r.eventIds.add(step.eventId);
    AlertPolicy.raise(step, r);
  }

  private static void detectRageClick(Step step, Event event) {
    RulesConfig rules = step.config;
    List<ClickMark> clicks = step.state.clicks;
    long element = StableHash.fnv1a64(event.element);
    long newest = Math.max(step.state.lastActivity, event.ts);
    long horizon = newest - rules.rageWindow - rules.lateness;
    clicks.removeIf(c -> c.ts < horizon);
    if (event.ts < horizon) return;
    int pos = clicks.size();
    while (pos > 0 && clicks.get(pos - 1).ts > event.ts) --pos;
    ClickMark added = new ClickMark(element, event.ts);
    clicks.add(pos, added);
    int cap = Math.max(2, Math.min(rules.maxClicks, 64));
    ClickMark[] same = new ClickMark[MAX_BURST_SCAN];
    int n = 0;
    boolean joinsBurst = false;
    for (ClickMark c : clicks) {
      if (c.elementHash != element || c.ts < event.ts - rules.rageWindow
          || c.ts > event.ts + rules.rageWindow || n == same.length) {
        continue;
      }
      if (c.inBurst) joinsBurst = true;
      if (!c.inBurst) same[n++] = c;
    }
    if (joinsBurst) {
      added.inBurst = true;
    } else {
      int need = Math.max(rules.rageClicks, 1);
      for (int lo = 0, hi = 0; lo < n; ++lo) {
        hi = Math.max(hi, lo);
        while (hi < n && same[hi].ts - same[lo].ts <= rules.rageWindow) ++hi;
        if (hi - lo < need) continue;
        long burstAt = same[lo + need - 1].ts;
        for (int k = lo; k < hi; ++k) same[k].inBurst = true;
        Scores.addEffort(step, rules.rageEffort, burstAt);
        step.noteDriver(false, rules.rageEffort, "rage clicks");
        break;
      }
    }
    if (clicks.size() > cap) clicks.remove(0);
  }

  /** Applies a click-stream event. */
  static void applyClickEvent(Step step, Event event, long watermark) {
    RulesConfig config = step.config;
    CustomerState state = step.state;
    boolean help = hasPrefix(event.page, config.helpPrefixes);
    if (help || event.action == Action.SEARCH || event.action == Action.CONTACT_US) {
      state.lastSelfService = Math.max(state.lastSelfService, event.ts);
    }
    boolean inSession = enterSession(config, state, event);
    Session s = state.session;
    switch (event.action) {
      case CLICK:
        detectRageClick(step, event);
        break;
      case SEARCH:
        if (event.results == 0) {
          Scores.addEffort(step, config.failedSearchEffort, event.ts);
          step.noteDriver(false, config.failedSearchEffort, "failed search");
          if (inSession && s.failedSearches < 255) ++s.failedSearches;
          if (inSession && s.failedSearches >= config.failedSearchAlert) {
            raiseNeedsHelp(step, event.ts, event.eventId, "failed_searches",
                s.failedSearches + " searches without results");
          }
        }
        break;
      case ERROR:
        if (event.status >= config.errorStatusMin) {
          Scores.addEffort(step, config.errorEffort, event.ts);
          step.noteDriver(false, config.errorEffort, "error page");
        }
        break;
      case PAGE_VIEW:
        if (inSession && !s.cancelIntentSeen && hasPrefix(event.page, config.cancelPrefixes)) {
          s.cancelIntentSeen = true;
          Scores.addRisk(step, config.cancelRisk, event.ts);
          step.noteDriver(true, config.cancelRisk, "cancellation page");
        }
        break;
      case CONTACT_US:
        if (inSession) {
          raiseNeedsHelp(step, event.ts, event.eventId, "contact_us", "pressed contact us");
        }
        break;
      default:
        break;
    }
    if (!inSession) return;
    addPage(config, state, event.ts, help, watermark);
    long dwell = knownDwell(config, state);
    if (dwell >= config.helpDwellThreshold) {
      raiseNeedsHelp(step, event.ts, event.eventId, "help_dwell", (dwell / 1000) + " s on help pages");
    }
  }

  /** When the customer, still on a help page, reaches the dwell threshold; MAX when none. */
  static long helpDwellDeadline(RulesConfig config, CustomerState state) {
    Session s = state.session;
    if (s.needsHelpRaised || s.pages.isEmpty() || !s.pages.get(s.pages.size() - 1).help) return MAX;
    long remaining = config.helpDwellThreshold - knownDwell(config, state);
    if (remaining > config.dwellCap) return MAX;
    if (Contacts.hasOpenContact(state)) return MAX;
    long lastTs = s.pages.get(s.pages.size() - 1).ts;
    if (contactAtOrAfter(state, lastTs) != MAX) return MAX;
    return lastTs + Math.max(remaining, 0);
  }

  static void fireHelpDwellTimer(Step step, long deadline) {
    Session s = step.state.session;
    String trigger = "help_dwell|" + s.start + "|" + Long.toUnsignedString(s.idHash) + "|" + deadline;
    long dwell = knownDwell(step.config, step.state)
        + (deadline - s.pages.get(s.pages.size() - 1).ts);
    raiseNeedsHelp(step, deadline, trigger, "help_dwell", (dwell / 1000) + " s on help pages");
  }
}
