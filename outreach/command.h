#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "outreach/case.h"
#include "schemas/time.h"

namespace cx {

// SPEC §7 rep commands, the values of the cx.outreach topic.
enum class CommandKind : uint8_t { kClaim, kRelease, kSnooze, kResolve };

// One rep command. `rep` is who the HTTP layer authenticated, never taken from a request body.
struct Command {
  std::string command_id;  // unique per command; the HTTP call waits for it to be read back
  std::string case_id;
  std::string rep;
  CommandKind kind = CommandKind::kClaim;
  EventTime ts;
  EventTime snooze_until;            // kSnooze only
  Outcome outcome = Outcome::kNone;  // kResolve only; never kNone there
  std::string note;                  // kResolve only, optional
};

// What became of a command. The HTTP layer maps kAccepted to 200, kConflict to 409 (with
// `owner`), kNotFound to 404 and kInvalid to 400/422.
enum class Verdict : uint8_t { kAccepted, kConflict, kNotFound, kInvalid };

struct CommandResult {
  Verdict verdict = Verdict::kAccepted;
  std::string reason;  // one line for a rejection, empty when accepted
  std::string owner;   // the case's owner after the command (empty when none)
};

// "claim", "release", "snooze", "resolve".
[[nodiscard]] std::string_view ToString(CommandKind kind);
[[nodiscard]] bool ParseCommandKind(std::string_view text, CommandKind& out);
// "accepted", "conflict", "not_found", "invalid".
[[nodiscard]] std::string_view ToString(Verdict verdict);

}  // namespace cx
