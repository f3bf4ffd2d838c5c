#pragma once

#include <string>

#include "processors/rules_config.h"
#include "runtime/config/yaml_section.h"
#include "schemas/result.h"

namespace cx {

// Reads the `rules:` section (layout of config/rules.yaml) into `rules`. Errors and unknown
// keys are recorded in the section's error list; the caller calls Finish() on `section`.
void ReadRulesConfig(YamlSection& section, RulesConfig& rules);

// Checks cross-field sanity (positive targets and half-lives, thresholds within 0..100,
// re-arm levels below their thresholds). The first problem, one line, when invalid.
[[nodiscard]] Result<void> ValidateRulesConfig(const RulesConfig& rules);

}  // namespace cx
