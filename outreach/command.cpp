#include "outreach/command.h"

namespace cx {

std::string_view ToString(CommandKind kind) {
  switch (kind) {
    case CommandKind::kClaim:
      return "claim";
    case CommandKind::kRelease:
      return "release";
    case CommandKind::kSnooze:
      return "snooze";
    case CommandKind::kResolve:
      return "resolve";
  }
  return "claim";
}

bool ParseCommandKind(std::string_view text, CommandKind& out) {
  for (CommandKind k :
       {CommandKind::kClaim, CommandKind::kRelease, CommandKind::kSnooze, CommandKind::kResolve}) {
    if (text == ToString(k)) {
      out = k;
      return true;
    }
  }
  return false;
}

std::string_view ToString(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAccepted:
      return "accepted";
    case Verdict::kConflict:
      return "conflict";
    case Verdict::kNotFound:
      return "not_found";
    case Verdict::kInvalid:
      return "invalid";
  }
  return "invalid";
}

}  // namespace cx
