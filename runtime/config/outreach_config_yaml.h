#pragma once

#include <string>
#include <vector>

#include "runtime/config/outreach_config.h"
#include "runtime/config/yaml_section.h"

namespace cx {

// Reads the `outreach:` section (keys as in OutreachConfig; topics under `topics: {alerts,
// commands}`, reps as `reps: [{name, token_env}]`). Each rep's token is read from its
// environment variable; a missing or empty variable, a duplicate name or token, an empty
// topic, or a non-positive time is recorded in `errors`. Finishes `section`.
void ReadOutreachConfig(YamlSection section, OutreachConfig& outreach,
                        std::vector<std::string>& errors);

}  // namespace cx
