#pragma once

#include <string>
#include <vector>

#include "outreach/routing.h"
#include "runtime/config/notify_config.h"
#include "runtime/config/yaml_section.h"

namespace cx {

// Reads the `notify:` section (keys as in NotifyConfig; endpoints under `destinations: {webhook,
// slack, proactive_chat, escalation}`, each {url_env, token_env, concurrency, rate_per_second,
// max_pending, format}). Every named environment variable is read (an unset or empty one is
// recorded in notify.env_errors); a non-positive time, concurrency or rate, or an unknown format
// is recorded in `errors`.
// Finishes `section`.
void ReadNotifyConfig(YamlSection section, NotifyConfig& notify, std::vector<std::string>& errors);

// Reads `routes:` (each {match: {kind, severity, tier, queue, reason}, destination, url_env,
// token_env}; every match key takes one value or a list) into `routing.routes` and
// `notify.routes`, and the default endpoints (notify.destinations.proactive_chat/.escalation)
// into `routing`. A route without its own url_env uses its destination's url (unset variables go
// to notify.env_errors). Unknown kinds,
// severities, tiers and destinations are recorded with the key path and the closest name.
// Call after ReadNotifyConfig. Finishes each item.
void ReadRoutes(std::vector<YamlSection> items, NotifyConfig& notify, RoutingConfig& routing,
                std::vector<std::string>& errors);

// The endpoint settings of `destination` (nullptr for cases).
[[nodiscard]] const DestinationConfig* DestinationSettings(const NotifyConfig& notify,
                                                           Destination destination);

}  // namespace cx
