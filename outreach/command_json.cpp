#include "outreach/command_json.h"

#include <simdjson.h>

#include <utility>

#include "outreach/json_fields.h"

namespace cx {

namespace {

constexpr size_t kMaxIdBytes = 128;

Result<void> DecodeKindFields(simdjson::dom::object object, Command& out) {
  std::string text;
  if (Result<void> read = ReadString(object, "command", true, 1, kMaxIdBytes, text); !read) {
    return read;
  }
  if (!ParseCommandKind(text, out.kind)) {
    return Err("field command must be claim, release, snooze or resolve");
  }
  if (out.kind == CommandKind::kSnooze) {
    return ReadTime(object, "until", true, out.snooze_until);
  }
  if (out.kind != CommandKind::kResolve) return Ok();
  text.clear();
  if (Result<void> read = ReadString(object, "outcome", false, 0, kMaxIdBytes, text); !read) {
    return read;
  }
  if (text.empty()) {
    return Err("resolve needs field outcome");
  }
  if (!ParseOutcome(text, out.outcome)) {
    return Err("field outcome must be reached, no_answer, resolved or not_needed");
  }
  return ReadString(object, "note", false, 0, kMaxNoteBytes, out.note);
}

}  // namespace

Result<void> DecodeCommandJson(std::string_view json, Command& out) {
  out = Command{};
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return Err("not JSON");
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return Err("not a JSON object");
  }
  for (auto [key, field] : {std::pair{"command_id", &out.command_id},
                            std::pair{"case_id", &out.case_id}, std::pair{"rep", &out.rep}}) {
    if (Result<void> read = ReadString(object, key, true, 1, kMaxIdBytes, *field); !read) {
      return read;
    }
  }
  if (Result<void> read = ReadTime(object, "ts", true, out.ts); !read) {
    return read;
  }
  return DecodeKindFields(object, out);
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
