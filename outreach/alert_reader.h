#pragma once

#include <string>
#include <string_view>

#include "schemas/alert.h"

namespace cx {

// Decodes one cx.alerts record value (schemas/json/alert.schema.json, as AppendAlertJson writes
// it) back into an Alert. `recommended_action` is not read: it is a function of kind and
// severity. Unknown extra fields are ignored. On failure returns false with a one-line reason
// in `error` and leaves `out` in an unspecified state.
[[nodiscard]] bool DecodeAlertJson(std::string_view json, Alert& out, std::string& error);

}  // namespace cx
