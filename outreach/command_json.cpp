#include "outreach/command_json.h"

#include <simdjson.h>

#include "outreach/json_fields.h"

namespace cx {

namespace {

constexpr size_t kMaxIdBytes = 128;

bool DecodeKindFields(simdjson::dom::object object, Command& out, std::string& error) {
  std::string text;
  if (!ReadString(object, "command", true, 1, kMaxIdBytes, text, error)) return false;
  if (!ParseCommandKind(text, out.kind)) {
    error = "field command must be claim, release, snooze or resolve";
    return false;
  }
  if (out.kind == CommandKind::kSnooze) {
    return ReadTime(object, "until", true, out.snooze_until, error);
  }
  if (out.kind != CommandKind::kResolve) return true;
  text.clear();
  if (!ReadString(object, "outcome", false, 0, kMaxIdBytes, text, error)) return false;
  if (text.empty()) {
    error = "resolve needs field outcome";
    return false;
  }
  if (!ParseOutcome(text, out.outcome)) {
    error = "field outcome must be reached, no_answer, resolved or not_needed";
    return false;
  }
  return ReadString(object, "note", false, 0, kMaxNoteBytes, out.note, error);
}

}  // namespace

bool DecodeCommandJson(std::string_view json, Command& out, std::string& error) {
  out = Command{};
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    error = "not JSON";
    return false;
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    error = "not a JSON object";
    return false;
  }
  return ReadString(object, "command_id", true, 1, kMaxIdBytes, out.command_id, error) &&
         ReadString(object, "case_id", true, 1, kMaxIdBytes, out.case_id, error) &&
         ReadString(object, "rep", true, 1, kMaxIdBytes, out.rep, error) &&
         ReadTime(object, "ts", true, out.ts, error) && DecodeKindFields(object, out, error);
}

void AppendCommandJson(const Command& command, std::string& out) {
  out += '{';
  JsonFields f(out);
  f.String("command_id", command.command_id);
  f.String("case_id", command.case_id);
  f.String("rep", command.rep);
  f.String("command", ToString(command.kind));
  f.Time("ts", command.ts);
  if (command.kind == CommandKind::kSnooze) f.Time("until", command.snooze_until);
  if (command.kind == CommandKind::kResolve) {
    f.String("outcome", ToString(command.outcome));
    f.OptionalString("note", command.note);
  }
  out += '}';
}

void AppendCommandResultJson(const Command& command, const CommandResult& result,
                             std::string& out) {
  out += '{';
  JsonFields f(out);
  f.String("command_id", command.command_id);
  f.String("case_id", command.case_id);
  f.String("verdict", ToString(result.verdict));
  f.OptionalString("reason", result.reason);
  f.OptionalString("owner", result.owner);
  out += '}';
}

}  // namespace cx
