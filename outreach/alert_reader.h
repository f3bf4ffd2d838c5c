#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "schemas/alert.h"
#include "schemas/result.h"

namespace cx {

// Decodes one cx.alerts record value (schemas/json/alert.schema.json, as AppendAlertJson writes
// it) back into an Alert. `recommended_action` is not read: it is a function of kind and
// severity. Unknown extra fields are ignored. On failure returns a one-line reason and leaves
// `out` in an unspecified state.
[[nodiscard]] Result<void> DecodeAlertJson(std::string_view json, Alert& out);

// The same, keeping the parser's buffers from one record to the next (rebuilding the case queue
// from the whole cx.alerts log). Not thread-safe; one per reader.
class AlertReader {
 public:
  [[nodiscard]] Result<void> Decode(std::string_view json, Alert& out);

 private:
  simdjson::dom::parser parser_;
};

}  // namespace cx
