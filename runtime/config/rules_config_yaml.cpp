#include "runtime/config/rules_config_yaml.h"

namespace cx {
namespace {

void ReadSla(YamlSection s, SlaRules& r) {
  s.Get("call_target", r.call_target);
  s.Get("chat_first_reply_target", r.chat_first_reply_target);
  s.Get("chat_next_reply_target", r.chat_next_reply_target);
  s.Get("long_wait_multiplier", r.long_wait_multiplier);
  s.Get("breach_effort", r.breach_effort);
  s.Get("abandoned_effort", r.abandoned_effort);
  s.Get("transfer_effort", r.transfer_effort);
  s.Get("open_contact_max_idle", r.open_contact_max_idle);
  s.Get("max_open_contacts", r.max_open_contacts);
  s.Get("max_chat_messages", r.max_chat_messages);
  s.Finish();
}

void ReadContacts(YamlSection s, ContactRules& r) {
  s.Get("repeat_window", r.repeat_window);
  s.Get("repeat_effort", r.repeat_effort);
  s.Get("repeat_alert_warning", r.repeat_alert_warning);
  s.Get("repeat_alert_critical", r.repeat_alert_critical);
  s.Get("channel_switch_window", r.channel_switch_window);
  s.Get("channel_switch_effort", r.channel_switch_effort);
  s.Get("max_history", r.max_history);
  s.Finish();
}

void ReadSelfService(YamlSection s, SelfServiceRules& r) {
  s.Get("rage_clicks", r.rage_clicks);
  s.Get("rage_window", r.rage_window);
  s.Get("rage_effort", r.rage_effort);
  s.Get("failed_search_effort", r.failed_search_effort);
  s.Get("error_effort", r.error_effort);
  s.Get("error_status_min", r.error_status_min);
  s.Get("cancel_prefixes", r.cancel_prefixes);
  s.Get("cancel_risk", r.cancel_risk);
  s.Get("help_prefixes", r.help_prefixes);
  s.Get("help_dwell_threshold", r.help_dwell_threshold);
  s.Get("dwell_cap", r.dwell_cap);
  s.Get("failed_search_alert", r.failed_search_alert);
  s.Get("session_gap", r.session_gap);
  s.Get("max_clicks", r.max_clicks);
  s.Get("max_pages", r.max_pages);
  s.Finish();
}

void ReadEffort(YamlSection s, EffortRules& r) {
  s.Get("half_life", r.half_life);
  s.Get("cap", r.cap);
  s.Get("ces3_floor", r.ces3_floor);
  s.Get("ces2_floor", r.ces2_floor);
  s.Get("ces1_floor", r.ces1_floor);
  s.Get("signal_step", r.signal_step);
  s.Get("alert_warning", r.alert_warning);
  s.Get("alert_critical", r.alert_critical);
  s.Get("alert_rearm", r.alert_rearm);
  s.Finish();
}

void ReadRisk(YamlSection s, RiskRules& r) {
  s.Get("half_life", r.half_life);
  s.Get("cap", r.cap);
  s.Get("low_nps", r.low_nps);
  s.Get("low_csat", r.low_csat);
  s.Get("low_ces", r.low_ces);
  s.Get("high_effort", r.high_effort);
  s.Get("high_effort_at", r.high_effort_at);
  s.Get("many_contacts", r.many_contacts);
  s.Get("many_contacts_at", r.many_contacts_at);
  s.Get("many_contacts_window", r.many_contacts_window);
  s.Get("many_breaches", r.many_breaches);
  s.Get("many_breaches_at", r.many_breaches_at);
  s.Get("many_breaches_window", r.many_breaches_window);
  s.Get("signal_step", r.signal_step);
  s.Get("alert_warning", r.alert_warning);
  s.Get("alert_critical", r.alert_critical);
  s.Get("alert_rearm", r.alert_rearm);
  s.Finish();
}

void ReadSurveys(YamlSection s, SurveyRules& r) {
  s.Get("nps_low", r.nps_low);
  s.Get("nps_critical", r.nps_critical);
  s.Get("csat_low", r.csat_low);
  s.Get("csat_critical", r.csat_critical);
  s.Get("ces_low", r.ces_low);
  s.Get("ces_critical", r.ces_critical);
  s.Finish();
}

void ReadAlerts(YamlSection s, AlertRules& r) {
  s.Get("cooldown", r.cooldown);
  s.Get("vip_step_up", r.vip_step_up);
  s.Finish();
}

Result<void> CheckScoreLevels(const char* section, int warning, int critical, int rearm, int cap) {
  if (!(0 < rearm && rearm < warning && warning <= critical && critical <= cap)) {
    return Err(std::string("rules.") + section +
               ": expected 0 < alert_rearm < alert_warning <= alert_critical <= cap");
  }
  return Ok();
}

}  // namespace

void ReadRulesConfig(YamlSection& section, RulesConfig& rules) {
  section.Get("lateness", rules.lateness);
  section.Get("dedup_window", rules.dedup_window);
  section.Get("dedup_max_events", rules.dedup_max_events);
  ReadSla(section.Section("sla"), rules.sla);
  ReadContacts(section.Section("contacts"), rules.contacts);
  ReadSelfService(section.Section("selfservice"), rules.selfservice);
  ReadEffort(section.Section("effort"), rules.effort);
  ReadRisk(section.Section("risk"), rules.risk);
  ReadSurveys(section.Section("surveys"), rules.surveys);
  ReadAlerts(section.Section("alerts"), rules.alerts);
}

Result<void> ValidateRulesConfig(const RulesConfig& rules) {
  for (Duration d : {rules.sla.call_target, rules.sla.chat_first_reply_target,
                     rules.sla.chat_next_reply_target}) {
    if (d.ms <= 0) {
      return Err("rules.sla: targets must be positive");
    }
  }
  if (rules.effort.half_life.ms <= 0 || rules.risk.half_life.ms <= 0) {
    return Err("rules: half_life must be positive");
  }
  if (rules.sla.long_wait_multiplier < 1) {
    return Err("rules.sla.long_wait_multiplier: must be at least 1");
  }
  if (rules.dedup_max_events < 1) {
    return Err("rules.dedup_max_events: must be at least 1");
  }
  if (Result<void> effort =
          CheckScoreLevels("effort", rules.effort.alert_warning, rules.effort.alert_critical,
                           rules.effort.alert_rearm, rules.effort.cap);
      !effort) {
    return effort;
  }
  return CheckScoreLevels("risk", rules.risk.alert_warning, rules.risk.alert_critical,
                          rules.risk.alert_rearm, rules.risk.cap);
}

}  // namespace cx
