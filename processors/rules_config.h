#pragma once

#include <string>
#include <vector>

#include "schemas/time.h"

namespace cx {

// SLA targets and the sla_breach alert (SPEC §3, §4). YAML section `sla`.
struct SlaRules {
  // Call answer time target: answered - queued.
  Duration call_target = Duration::Seconds(20);
  // Chat first reply target: first agent message - (started or first customer message).
  Duration chat_first_reply_target = Duration::Seconds(60);
  // Chat next reply target: oldest unanswered customer message -> next agent message.
  Duration chat_next_reply_target = Duration::Seconds(120);
  // sla_breach warning when a contact stays unanswered this many times its target.
  int long_wait_multiplier = 3;
  // Effort points per SLA breach.
  double breach_effort = 15;
  // Effort points for an abandoned contact.
  double abandoned_effort = 20;
  // Effort points per transfer.
  double transfer_effort = 10;
  // An open contact with no event for this long is dropped (lost `ended`).
  Duration open_contact_max_idle = Duration::Hours(24);
  // At most this many open contacts are kept (the oldest is dropped).
  int max_open_contacts = 16;
  // At most this many messages are kept per open chat (the oldest are dropped).
  int max_chat_messages = 64;

  bool operator==(const SlaRules&) const = default;
};

// Repeat contacts and channel switches (SPEC §3). YAML section `contacts`.
struct ContactRules {
  // A contact within this window of the previous one is a repeat.
  Duration repeat_window = Duration::Days(7);
  // Effort points for a repeat contact.
  double repeat_effort = 15;
  // repeat_contact alert at this many contacts in the window (warning) ...
  int repeat_alert_warning = 3;
  // ... and critical at this many.
  int repeat_alert_critical = 5;
  // A contact within this window after self-service or a contact on another channel switches.
  Duration channel_switch_window = Duration::Hours(24);
  // Effort points for a channel switch.
  double channel_switch_effort = 10;
  // At most this many contacts are kept in the history window.
  int max_history = 32;

  bool operator==(const ContactRules&) const = default;
};

// Click-stream rules (SPEC §3). YAML section `selfservice`.
struct SelfServiceRules {
  // Rage click: at least this many clicks on the same element ...
  int rage_clicks = 3;
  // ... within this window.
  Duration rage_window = Duration::Seconds(1);
  // Effort points per rage-click burst.
  double rage_effort = 10;
  // Effort points per search with 0 results.
  double failed_search_effort = 5;
  // Effort points per error with status >= error_status_min.
  double error_effort = 5;
  // Lowest HTTP status that counts as an error page.
  int error_status_min = 400;
  // page_view path prefixes that show cancellation intent.
  std::vector<std::string> cancel_prefixes = {"/account/cancel", "/account/close",
                                              "/subscription/cancel"};
  // Risk points for cancellation intent (counted once per session).
  double cancel_risk = 40;
  // Help page path prefixes (stuck in self-service, channel switch).
  std::vector<std::string> help_prefixes = {"/help", "/support", "/faq"};
  // needs_help when the help-page dwell of one session reaches this.
  Duration help_dwell_threshold = Duration::Seconds(90);
  // Dwell counted per page at most (time to the next click event).
  Duration dwell_cap = Duration::Minutes(10);
  // needs_help at this many failed searches in one session.
  int failed_search_alert = 2;
  // Without session_id, a gap this long starts a new session.
  Duration session_gap = Duration::Minutes(30);
  // At most this many recent clicks are kept for rage-click detection.
  int max_clicks = 32;
  // At most this many not-yet-final page marks are kept per session.
  int max_pages = 32;

  bool operator==(const SelfServiceRules&) const = default;
};

// Effort score (SPEC §3). YAML section `effort`.
struct EffortRules {
  // Half-life of effort points.
  Duration half_life = Duration::Hours(72);
  // Scores are capped here.
  int cap = 100;
  // A CES answer of 3, 2, 1 lifts the score to at least these.
  int ces3_floor = 70;
  int ces2_floor = 80;
  int ces1_floor = 90;
  // effort.updated when the rounded score moved at least this much since the last signal.
  int signal_step = 5;
  // high_effort alert on rising to this (warning) ...
  int alert_warning = 70;
  // ... critical at this ...
  int alert_critical = 90;
  // ... re-armed once the score falls below this.
  int alert_rearm = 50;

  bool operator==(const EffortRules&) const = default;
};

// Risk score (SPEC §3). YAML section `risk`.
struct RiskRules {
  // Half-life of risk event points.
  Duration half_life = Duration::Days(7);
  int cap = 100;
  // Event points: NPS 0-6, CSAT 1-2, CES 1-3.
  double low_nps = 40;
  double low_csat = 40;
  double low_ces = 30;
  // Condition points, counted while the condition holds.
  double high_effort = 20;  // effort >= high_effort_at
  int high_effort_at = 70;
  double many_contacts = 20;  // >= many_contacts_at contacts in many_contacts_window
  int many_contacts_at = 3;
  Duration many_contacts_window = Duration::Days(7);
  double many_breaches = 20;  // >= many_breaches_at SLA breaches in many_breaches_window
  int many_breaches_at = 2;
  Duration many_breaches_window = Duration::Days(7);
  // risk.updated when the rounded score moved at least this much since the last signal.
  int signal_step = 5;
  // at_risk alert on rising to this (warning), critical at this, re-armed below this.
  int alert_warning = 60;
  int alert_critical = 80;
  int alert_rearm = 40;

  bool operator==(const RiskRules&) const = default;
};

// Survey bands (SPEC §3, §4). YAML section `surveys`. A score <= *_low is low, <= *_critical is
// critical.
struct SurveyRules {
  int nps_low = 6;
  int nps_critical = 3;
  int csat_low = 2;
  int csat_critical = 1;
  int ces_low = 3;
  int ces_critical = 1;

  bool operator==(const SurveyRules&) const = default;
};

// The alert policy (SPEC §4). YAML section `alerts`.
struct AlertRules {
  // At most one alert per (customer, kind) in this window, except warning -> critical.
  Duration cooldown = Duration::Hours(24);
  // VIP customers get one severity step higher.
  bool vip_step_up = true;

  bool operator==(const AlertRules&) const = default;
};

// Every number of SPEC §3 and §4, with the SPEC's defaults. A plain struct: the YAML loader in
// runtime/ fills it from config/rules.yaml, which ships these same defaults.
struct RulesConfig {
  // Allowed lateness: watermark = max event time seen - lateness.
  Duration lateness = Duration::Seconds(5);
  // Duplicate event_ids are recognised per customer within this window before the newest event.
  Duration dedup_window = Duration::Hours(24);
  // At most this many event ids are remembered per customer (the oldest are forgotten first).
  int dedup_max_events = 256;

  SlaRules sla;
  ContactRules contacts;
  SelfServiceRules selfservice;
  EffortRules effort;
  RiskRules risk;
  SurveyRules surveys;
  AlertRules alerts;

  bool operator==(const RulesConfig&) const = default;
};

}  // namespace cx
