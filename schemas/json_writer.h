#pragma once

#include <string>
#include <string_view>

#include "schemas/alert.h"
#include "schemas/dead_letter.h"
#include "schemas/signal.h"

namespace cx {

// Compact JSON writers for everything cxpulse outputs. Each appends exactly one JSON object to
// `out` (no trailing newline: the caller adds it), with a fixed field order, so the same value
// always gives the same bytes. `ts` is RFC 3339 UTC with milliseconds. Strings are escaped per
// RFC 8259; bytes that are not valid UTF-8 in a string are written as U+FFFD.

// SPEC §4 alert, validated by schemas/json/alert.schema.json. Field order: alert_id,
// customer_id, kind, severity, ts, contact_id, tier, channel, queue, reason (each of these five
// omitted when empty/unset), reasons, effort_score, risk_score, recommended_action.
void AppendAlertJson(const Alert& alert, std::string& out);

// A derived signal, validated by schemas/json/signal.<kind>.schema.json: signal_id, type,
// customer_id, ts, the kind's own fields (see schemas/signal.h), event_ids.
void AppendSignalJson(const Signal& signal, std::string& out);

// A dead letter, validated by schemas/json/deadletter.schema.json: error, field (omitted when
// empty), message, source ({topic, partition, offset} or {file, line}), then `original` as a
// string when the bytes are valid UTF-8, else `original_base64`; when `original` is only a
// prefix, then original_size, original_sha256 and original_truncated (true). At most
// kMaxDeadLetterJsonBytes (schemas/dead_letter.h).
void AppendDeadLetterJson(const DeadLetter& dead_letter, std::string& out);

// Appends `text` as a quoted, escaped JSON string.
void AppendJsonString(std::string_view text, std::string& out);

}  // namespace cx
