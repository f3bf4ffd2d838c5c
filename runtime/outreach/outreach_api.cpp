#include "runtime/outreach/outreach_api.h"

#include <simdjson.h>

#include <algorithm>
#include <vector>

#include "outreach/case_json.h"
#include "outreach/command_json.h"
#include "outreach/json_fields.h"
#include "runtime/http/http_request_checks.h"
#include "schemas/json_writer.h"

namespace cx {
namespace {

constexpr size_t kMaxRepBytes = 128;

bool ValidRepName(std::string_view name) {
  if (name.empty() || name.size() > kMaxRepBytes) return false;
  return std::none_of(name.begin(), name.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

struct ListFilter {
  std::optional<CaseStatus> status;
  std::optional<Severity> severity;
  std::optional<std::string> queue;
  bool mine = false;
};

template <typename Enum, size_t N>
bool ParseNamed(std::string_view text, const Enum (&values)[N], std::optional<Enum>& out) {
  for (Enum value : values) {
    if (ToString(value) == text) {
      out = value;
      return true;
    }
  }
  return false;
}

Result<void> ParseFilter(std::string_view query, ListFilter& filter) {
  constexpr CaseStatus kStatuses[] = {CaseStatus::kOpen, CaseStatus::kClaimed, CaseStatus::kSnoozed,
                                      CaseStatus::kResolved};
  constexpr Severity kSeverities[] = {Severity::kWarning, Severity::kCritical};
  if (std::string_view s = QueryParameter(query, "status");
      !s.empty() && !ParseNamed(s, kStatuses, filter.status)) {
    return Err("status must be open, claimed, snoozed or resolved");
  }
  if (std::string_view s = QueryParameter(query, "severity");
      !s.empty() && !ParseNamed(s, kSeverities, filter.severity)) {
    return Err("severity must be warning or critical");
  }
  if (std::string_view q = QueryParameter(query, "queue"); !q.empty()) {
    filter.queue = DecodeCustomerId(q);
    if (!filter.queue)
      return Err("queue must be 1-128 printable characters (percent-encoded UTF-8)");
  }
  if (std::string_view o = QueryParameter(query, "owner"); !o.empty()) {
    if (o != "me") return Err("owner must be me");
    filter.mine = true;
  }
  return Ok();
}

bool Matches(const Case& c, const ListFilter& filter, const std::string& rep) {
  return (!filter.status || c.status == *filter.status) &&
         (!filter.severity || c.severity == *filter.severity) &&
         (!filter.queue || c.queue == *filter.queue) &&
         (!filter.mine || (c.owner == rep && c.status != CaseStatus::kResolved));
}

ApiResponse CaseResponse(const Case& c) {
  ApiResponse response;
  AppendCaseJson(c, response.body);
  return response;
}

ApiResponse ConflictResponse(const CommandResult& result) {
  ApiResponse response{409, "{"};
  JsonFields f(response.body);
  f.String("error", result.reason);
  f.OptionalString("owner", result.owner);
  response.body += '}';
  return response;
}

// Reads the body fields an action needs into `command`; a one-line reason on failure.
Result<void> ReadBody(std::string_view body, Command& command) {
  if (command.kind == CommandKind::kClaim || command.kind == CommandKind::kRelease) {
    return Ok();
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::object object;
  if (body.empty() || parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS ||
      root.get_object().get(object) != simdjson::SUCCESS) {
    return Err(command.kind == CommandKind::kSnooze
                   ? "snooze needs a JSON body {\"until\": time}"
                   : "resolve needs a JSON body {\"outcome\": ...}");
  }
  if (command.kind == CommandKind::kSnooze) {
    return ReadTime(object, "until", true, command.snooze_until);
  }
  std::string outcome;
  if (Result<void> read = ReadString(object, "outcome", false, 0, kMaxRepBytes, outcome); !read) {
    return read;
  }
  if (outcome.empty()) return Err("resolve needs field outcome");
  if (!ParseOutcome(outcome, command.outcome)) {
    return Err("field outcome must be reached, no_answer, resolved or not_needed");
  }
  return ReadString(object, "note", false, 0, kMaxNoteBytes, command.note);
}

}  // namespace

ApiResponse ErrorResponse(unsigned status, std::string_view message) {
  ApiResponse response{status, "{\"error\":"};
  AppendJsonString(message, response.body);
  response.body += '}';
  return response;
}

std::string ResolveRep(const OutreachConfig& config, std::string_view authorization,
                       std::string_view identity_header_value) {
  if (!authorization.empty()) {
    for (const RepConfig& rep : config.reps) {
      if (BearerTokenMatches(authorization, rep.token)) return rep.name;
    }
  }
  if (!config.identity_header.empty() && ValidRepName(identity_header_value)) {
    return std::string(identity_header_value);
  }
  return {};
}

ApiResponse ListCases(std::span<const CaseBook> books, std::string_view query,
                      const std::string& rep) {
  ListFilter filter;
  if (Result<void> parsed = ParseFilter(query, filter); !parsed) {
    return ErrorResponse(400, parsed.error().message());
  }
  std::vector<const Case*> cases;
  for (const CaseBook& book : books) {
    for (const auto& [id, c] : book.Cases()) {
      if (Matches(c, filter, rep)) cases.push_back(&c);
    }
  }
  std::sort(cases.begin(), cases.end(), [](const Case* a, const Case* b) {
    if (a->severity != b->severity) return a->severity > b->severity;
    if (a->opened_at != b->opened_at) return a->opened_at < b->opened_at;
    return a->case_id < b->case_id;
  });
  ApiResponse response{200, "{\"cases\":["};
  for (size_t i = 0; i < cases.size(); ++i) {
    if (i > 0) response.body += ',';
    AppendCaseJson(*cases[i], response.body);
  }
  response.body += "],\"count\":" + std::to_string(cases.size()) + "}";
  return response;
}

int FindBook(std::span<const CaseBook> books, std::string_view case_id) {
  std::string id(case_id);
  for (size_t i = 0; i < books.size(); ++i) {
    if (books[i].Find(id) != nullptr) return static_cast<int>(i);
  }
  return -1;
}

ApiResponse GetCase(const CaseBook& book, std::string_view case_id) {
  const Case* c = book.Find(std::string(case_id));
  return c == nullptr ? ErrorResponse(404, "unknown case") : CaseResponse(*c);
}

CommandPlan PlanCommand(const CaseBook& book, std::string_view case_id, std::string_view action,
                        std::string_view body, const std::string& rep, EventTime now,
                        std::string command_id) {
  CommandPlan plan;
  Command& command = plan.command;
  if (!ParseCommandKind(action, command.kind)) {
    plan.answer = ErrorResponse(404, "action must be claim, release, snooze or resolve");
    return plan;
  }
  command.command_id = std::move(command_id);
  command.case_id.assign(case_id);
  command.rep = rep;
  command.ts = now;
  if (book.Find(command.case_id) == nullptr) {
    plan.answer = ErrorResponse(404, "unknown case");
    return plan;
  }
  if (Result<void> read = ReadBody(body, command); !read) {
    plan.answer = ErrorResponse(400, read.error().message());
    return plan;
  }
  CommandResult check = book.Check(command);
  if (check.verdict != Verdict::kAccepted) plan.answer = AnswerCommand(book, command, check);
  return plan;
}

ApiResponse AnswerCommand(const CaseBook& book, const Command& command,
                          const CommandResult& result) {
  switch (result.verdict) {
    case Verdict::kAccepted: {
      const Case* c = book.Find(command.case_id);
      return c == nullptr ? ErrorResponse(404, "unknown case") : CaseResponse(*c);
    }
    case Verdict::kConflict:
      return ConflictResponse(result);
    case Verdict::kNotFound:
      return ErrorResponse(404, result.reason.empty() ? "unknown case" : result.reason);
    case Verdict::kInvalid:
      break;
  }
  return ErrorResponse(400, result.reason);
}

}  // namespace cx
