package io.cxpulse.peer.rules;

import java.util.List;

/** The numbers of SPEC §3-4 with their defaults (the same as cxpulse's config/rules.yaml). */
public final class RulesConfig {
  public static final long SECOND = 1000;
  public static final long MINUTE = 60 * SECOND;
  public static final long HOUR = 60 * MINUTE;
  public static final long DAY = 24 * HOUR;

  public long lateness = 5 * SECOND;
  public long dedupWindow = 24 * HOUR;
  public int dedupMaxEvents = 256;

  // sla
  public long callTarget = 20 * SECOND;
  public long chatFirstReplyTarget = 60 * SECOND;
  public long chatNextReplyTarget = 120 * SECOND;
  public int longWaitMultiplier = 3;
  public double breachEffort = 15;
  public double abandonedEffort = 20;
  public double transferEffort = 10;
  public long openContactMaxIdle = 24 * HOUR;
  public int maxOpenContacts = 16;
  public int maxChatMessages = 64;

  // contacts
  public long repeatWindow = 7 * DAY;
  public double repeatEffort = 15;
  public int repeatAlertWarning = 3;
  public int repeatAlertCritical = 5;
  public long channelSwitchWindow = 24 * HOUR;
  public double channelSwitchEffort = 10;
  public int maxHistory = 32;

  // selfservice
  public int rageClicks = 3;
  public long rageWindow = SECOND;
  public double rageEffort = 10;
  public double failedSearchEffort = 5;
  public double errorEffort = 5;
  public int errorStatusMin = 400;
  public List<String> cancelPrefixes =
      List.of("/account/cancel", "/account/close", "/subscription/cancel");
  public double cancelRisk = 40;
  public List<String> helpPrefixes = List.of("/help", "/support", "/faq");
  public long helpDwellThreshold = 90 * SECOND;
  public long dwellCap = 10 * MINUTE;
  public int failedSearchAlert = 2;
  public long sessionGap = 30 * MINUTE;
  public int maxClicks = 32;
  public int maxPages = 32;

  // effort
  public long effortHalfLife = 72 * HOUR;
  public int effortCap = 100;
  public int ces3Floor = 70;
  public int ces2Floor = 80;
  public int ces1Floor = 90;
  public int effortSignalStep = 5;
  public int effortAlertWarning = 70;
  public int effortAlertCritical = 90;
  public int effortAlertRearm = 50;

  // risk
  public long riskHalfLife = 7 * DAY;
  public int riskCap = 100;
  public double lowNps = 40;
  public double lowCsat = 40;
  public double lowCes = 30;
  public double riskHighEffort = 20;
  public int riskHighEffortAt = 70;
  public double manyContacts = 20;
  public int manyContactsAt = 3;
  public long manyContactsWindow = 7 * DAY;
  public double manyBreaches = 20;
  public int manyBreachesAt = 2;
  public long manyBreachesWindow = 7 * DAY;
  public int riskSignalStep = 5;
  public int riskAlertWarning = 60;
  public int riskAlertCritical = 80;
  public int riskAlertRearm = 40;

  // surveys: a score <= *Low is low, <= *Critical is critical
  public int npsLow = 6;
  public int npsCritical = 3;
  public int csatLow = 2;
  public int csatCritical = 1;
  public int cesLow = 3;
  public int cesCritical = 1;

  // alerts
  public long cooldown = 24 * HOUR;
  public boolean vipStepUp = true;
}
