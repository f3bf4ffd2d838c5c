#pragma once

#include <string_view>

#include "schemas/event.h"

namespace cx {

// The `survey` field's value of SPEC §1 ("csat", "nps", "ces"); "" for kNone.
[[nodiscard]] std::string_view SurveyName(SurveyKind survey);

}  // namespace cx
