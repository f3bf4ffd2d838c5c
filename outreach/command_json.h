#pragma once

#include <string>
#include <string_view>

#include "outreach/command.h"
#include "schemas/result.h"

namespace cx {

// Longest `note` a resolve command may carry, in bytes.
inline constexpr size_t kMaxNoteBytes = 2000;

// Decodes one cx.outreach record value (validated by schemas/json/command.schema.json):
//   {"command_id", "case_id", "rep", "ts", "command": "claim"|"release"|"snooze"|"resolve",
//    "until" (snooze: required), "outcome" (resolve: required), "note" (resolve: optional)}
// ids and rep are strings of 1-128 bytes; ts and until are RFC 3339 with an offset or integer
// epoch milliseconds; unknown extra fields are ignored. On failure returns a one-line reason
// (naming the field) and leaves `out` in an unspecified state. Whether the case exists is the
// fold's answer (CaseBook::Check), not the decoder's.
[[nodiscard]] Result<void> DecodeCommandJson(std::string_view json, Command& out);

// Appends `command` as the JSON object DecodeCommandJson reads (fixed field order: command_id,
// case_id, rep, command, ts, until, outcome, note; the last three only where they belong).
void AppendCommandJson(const Command& command, std::string& out);

// Appends {"command_id", "case_id", "verdict", "reason" (when rejected), "owner" (when set)}.
void AppendCommandResultJson(const Command& command, const CommandResult& result, std::string& out);

}  // namespace cx
