#pragma once

#include "schemas/time.h"

namespace cx {

// Every number of SPEC §3 and §4, with the SPEC's defaults. A plain struct: the YAML loader in
// runtime/ fills it from the config file (config/cxpulse.yaml ships these same defaults).
struct RulesConfig {
  // Allowed lateness: watermark = max event time seen - lateness.
  Duration lateness = Duration::Seconds(5);
  // Duplicate event_ids are recognised per customer within this window.
  Duration dedup_window = Duration::Hours(24);
};

}  // namespace cx
